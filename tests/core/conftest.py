"""The site the resolver-walking tests walk (tests/core/test_access.py, test_access_post.py):
built once for each of the two modules, so two pytest processes can share the work."""

import pytest
from django.db import transaction
from django.test import override_settings

from tests.core.doors import World


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, localstripe_url, tmp_path_factory):
    """Built once for the module, in a transaction rolled back at its end."""
    from shop.demo.loader import (
        demo_load_accounts,
        demo_load_catalogue,
        demo_load_pages,
        demo_load_teaching,
    )
    from shop.demo.orders import demo_load_orders

    stripe = {
        "STRIPE_LOCAL": True,
        "STRIPE_SECRET_KEY": "sk_test_localstripe",
        "STRIPE_API_BASE": localstripe_url,
        "STRIPE_WEBHOOK_SECRET": "whsec_test_suite",
        # The demo orders are paid through the session's localstripe only.
        "PAYMENT_PROVIDERS": ["stripe"],
    }
    media = str(tmp_path_factory.mktemp("media"))
    with django_db_blocker.unblock(), override_settings(**stripe, MEDIA_ROOT=media):
        outer = transaction.atomic()
        # Like the transaction a TestCase wraps a test in (and marked so): it holds no lock
        # another process waits for, so the payment layer may call localstripe inside it.
        outer._from_testcase = True
        outer.__enter__()
        try:
            demo_load_accounts()
            demo_load_catalogue()
            demo_load_pages()
            demo_load_teaching()
            assert demo_load_orders() == 5
            world = World()
            world.media_root = media
            yield world
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def _the_worlds_media(settings, world):
    settings.MEDIA_ROOT = world.media_root
