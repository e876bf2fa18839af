import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded and generated images go to a per-test folder."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def site_home(db):
    from tests.factories import make_home_page

    return make_home_page()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in Russian, whatever language the previous request activated."""
    from django.utils import translation

    with translation.override("ru"):
        yield


@pytest.fixture(scope="session", autouse=True)
def _restore_migrated_rows_after_the_session(django_db_setup, django_db_blocker):
    """Transactional tests (tests/concurrency) end by flushing every table, rows created by
    data migrations included. Put the migrated state back at the end of the session, so that
    the next run with --reuse-db starts from it."""
    yield
    from django.db import connections

    with django_db_blocker.unblock():
        for connection in connections.all():
            contents = getattr(connection, "_test_serialized_contents", None)
            if contents:
                connection.creation.deserialize_db_from_string(contents)


@pytest.fixture(scope="session")
def localstripe_url():
    """A localstripe process for the whole session, on a free loopback port."""
    import os
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    if os.environ.get("LOCALSTRIPE_TEST_URL"):
        yield os.environ["LOCALSTRIPE_TEST_URL"]
        return
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "shop.payments.localstripe_server", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            urllib.request.urlopen(f"{url}/js.stripe.com/v3/", timeout=1).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(
                    "localstripe did not start: " + process.stderr.read().decode()[-2000:]
                ) from None
            time.sleep(0.1)
    yield url
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(autouse=True)
def _stripe_points_at_localstripe(request, settings):
    """Every test that touches payments talks to the session's localstripe."""
    if "localstripe_url" not in request.fixturenames and not request.node.get_closest_marker(
        "payments"
    ):
        settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens: fails fast
        return
    url = request.getfixturevalue("localstripe_url")
    settings.STRIPE_LOCAL = True
    settings.STRIPE_SECRET_KEY = "sk_test_localstripe"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_localstripe"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test_suite"
    settings.STRIPE_API_BASE = url
    settings.STRIPE_JS_URL = f"{url}/js.stripe.com/v3/"


@pytest.fixture(autouse=True)
def _money_is_conserved(request):
    """After every test marked `payments`: each PaymentIntent that took money ends as exactly
    one paid order or is refunded in full, and no order is marked paid without such a
    PaymentIntent. (Runs before the test's database is rolled back.)"""
    if not request.node.get_closest_marker("payments"):
        yield
        return
    request.getfixturevalue("db")
    from django.conf import settings

    yield
    from oscar.core.loading import get_model

    from shop.payments import gateway
    from shop.payments.models import PaymentAttempt, RefundStatus

    order_model = get_model("order", "Order")
    for attempt in PaymentAttempt.objects.exclude(payment_intent_id=None):
        intent = gateway.intent_retrieve(attempt.payment_intent_id)
        if intent.status != "succeeded":
            assert attempt.order is None or attempt.order.status != "Paid", attempt
            continue
        refunded = sum(
            r.amount for r in attempt.refunds.all() if r.status == RefundStatus.SUCCEEDED
        )
        placed = attempt.order is not None and attempt.order.status == "Paid"
        assert placed or refunded == attempt.amount, (attempt, intent.status, refunded)
    for order in order_model.objects.filter(status="Paid"):
        attempt = PaymentAttempt.objects.filter(order=order).first()
        assert attempt is not None and attempt.payment_intent_id, order
        assert gateway.intent_retrieve(attempt.payment_intent_id).status == "succeeded"
    assert settings.STRIPE_LOCAL
