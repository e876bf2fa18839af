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
def _empty_cache():
    """Each test starts with empty caches (rolled-back rows leave no cached copies)."""
    from django.core.cache import caches

    for cache in caches.all(initialized_only=False):
        cache.clear()


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
    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import connections

    with django_db_blocker.unblock():
        for connection in connections.all():
            contents = getattr(connection, "_test_serialized_contents", None)
            if not contents:
                continue
            # Empty the tables without signals (a flush command would re-run post_migrate
            # and recreate rows), then load the migrated state back.
            tables = connection.introspection.django_table_names(
                only_existing=True, include_views=False
            )
            sql = connection.ops.sql_flush(
                no_style(), tables, reset_sequences=False, allow_cascade=True
            )
            connection.ops.execute_sql_flush(sql)
            connection.creation.deserialize_db_from_string(contents)
            # Rows come back with their ids: move each id sequence past them (PostgreSQL).
            reset = connection.ops.sequence_reset_sql(no_style(), apps.get_models())
            if reset:
                with connection.cursor() as cursor:
                    for statement in reset:
                        cursor.execute(statement)


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
        [sys.executable, "-m", "devtools.localstripe_server", "--port", str(port)],
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


_intents_checked: set[str] = set()


@pytest.fixture(autouse=True)
def _money_is_conserved(request):
    """After every test marked `payments`, every PaymentIntent that localstripe holds and has
    not been checked yet: if it took money, it ended as exactly one paid order or was
    refunded in full (as Stripe reports it). And no order is paid without such a payment.
    Runs before the test's database is rolled back."""
    if not request.node.get_closest_marker("payments"):
        yield
        return
    request.getfixturevalue("db")
    # Set up before this fixture, so torn down after it: the Stripe settings still hold.
    django_settings = request.getfixturevalue("settings")
    localstripe = request.getfixturevalue("localstripe_url")
    yield
    from oscar.core.loading import get_model

    django_settings.STRIPE_API_BASE = localstripe  # a test may have pointed it elsewhere

    from shop.payments import gateway
    from shop.payments.models import PaymentAttempt

    order_model = get_model("order", "Order")
    listed = gateway.client().v1.payment_intents.list(params={"limit": 100})
    for listed_intent in listed.auto_paging_iter():
        if listed_intent.id in _intents_checked:
            continue
        _intents_checked.add(listed_intent.id)
        if listed_intent.status != "succeeded":
            continue
        intent = gateway.intent_retrieve(listed_intent.id)
        attempt = PaymentAttempt.objects.filter(payment_intent_id=intent.id).first()
        assert attempt is not None, f"{intent.id} took money with no payment attempt"
        placed = attempt.order is not None and attempt.order.status == "Paid"
        refunded_in_full = intent.latest_charge.amount_refunded == intent.amount
        assert placed or refunded_in_full, (attempt, "money neither ordered nor refunded")
        if attempt.order is not None:
            assert PaymentAttempt.objects.filter(order=attempt.order).count() <= 1
    for order in order_model.objects.filter(status="Paid"):
        attempt = PaymentAttempt.objects.filter(order=order).first()
        assert attempt is not None and attempt.payment_intent_id, f"{order} paid without Stripe"
        assert gateway.intent_retrieve(attempt.payment_intent_id).status == "succeeded"


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` restart the PostgreSQL of scripts/postgres.sh: they run when
    DATABASE_URL is PostgreSQL (always in CI) and are deselected, with a line saying so, on
    the SQLite default."""
    import os

    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return
    kept, dropped = [], []
    for item in items:
        (dropped if item.get_closest_marker("postgres") else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
        print(
            f"\n{len(dropped)} PostgreSQL-only test(s) deselected: DATABASE_URL is not PostgreSQL"
        )
