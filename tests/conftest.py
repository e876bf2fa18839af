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


@pytest.fixture(scope="session")
def yookassa_server(tmp_path_factory):
    """The local YooKassa server (devtools/yookassa) for the whole session, on a free
    loopback port. It sends no notifications until a test names where to."""
    from devtools.yookassa import launcher

    log = tmp_path_factory.mktemp("yookassa") / "server.log"
    server = launcher.start(shop_id="300100", secret_key="test_shop_suite", log=log)
    yield server
    server.stop()


@pytest.fixture
def yookassa(request, yookassa_server, settings):
    """The session's YooKassa server, sending notifications nowhere and with no faults or
    held notifications left by an earlier test (its payments stay: the money check reads
    them)."""
    yookassa_server.configure(notify_url="", receipt_delay=0, retry_base=0.2)
    yookassa_server.control("/_test/faults", method="DELETE")
    yookassa_server.control("/_test/notifications/release", {})
    yookassa_server.control("/_test/clock", {"reset": True})
    return yookassa_server


@pytest.fixture(autouse=True)
def _payments_point_at_the_local_providers(request, settings):
    """Every test that touches payments talks to the session's localstripe (marked
    `payments`) and local YooKassa server (marked `yookassa`); other tests reach neither.

    The ways to pay that are on: Stripe alone for `payments` tests, both for `yookassa`
    ones (YooKassa first, as the site offers them), unless the test says otherwise."""
    marked_yookassa = bool(request.node.get_closest_marker("yookassa"))
    settings.YOOKASSA_API_URL = "http://127.0.0.1:9/v3"  # nothing listens: fails fast
    if marked_yookassa:
        server = request.getfixturevalue("yookassa_server")
        request.getfixturevalue("yookassa")
        settings.YOOKASSA_LOCAL = True
        settings.YOOKASSA_SHOP_ID = server.shop_id
        settings.YOOKASSA_SECRET_KEY = server.secret_key
        settings.YOOKASSA_API_URL = server.api_url
        settings.YOOKASSA_LOCAL_URL = server.url
        settings.YOOKASSA_NOTIFICATION_NETWORKS = ["127.0.0.1/32", "::1/128"]
        settings.YOOKASSA_CONFIRMATION_ORIGINS = [server.url]
        settings.PAYMENT_PROVIDERS = ["yookassa", "stripe"]
    else:
        settings.PAYMENT_PROVIDERS = ["stripe"]
    if (
        "localstripe_url" not in request.fixturenames
        and not request.node.get_closest_marker("payments")
        and not marked_yookassa
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


_payments_checked: set[tuple[str, str]] = set()


@pytest.fixture(autouse=True)
def _money_is_conserved(request):
    """After every test marked `payments` or `yookassa`, through the payment layer, every
    payment the local providers hold and that was not checked yet:

    - money taken ended as exactly one paid order (captured = kept + refunded) or was
      refunded in full; the provider refunded exactly what the shop recorded, once per
      refund (nothing refunded twice);
    - no order is paid without such a payment;
    - (YooKassa) the receipt sent with each payment and refund matches the order's lines
      and adds up to its amount to the kopeck.

    Runs before the test's database is rolled back."""
    marked = [
        code
        for code, marker in (("stripe", "payments"), ("yookassa", "yookassa"))
        if request.node.get_closest_marker(marker)
    ]
    if "yookassa" in marked:
        marked = ["stripe", "yookassa"]
    if not marked:
        yield
        return
    request.getfixturevalue("db")
    # Set up before this fixture, so torn down after it: the payment settings still hold.
    django_settings = request.getfixturevalue("settings")
    localstripe = request.getfixturevalue("localstripe_url")
    yookassa = request.getfixturevalue("yookassa_server") if "yookassa" in marked else None
    yield
    from oscar.core.loading import get_model

    from shop.payments import providers
    from shop.payments.models import PaymentAttempt

    django_settings.STRIPE_API_BASE = localstripe  # a test may have pointed it elsewhere
    if yookassa is not None:
        django_settings.YOOKASSA_API_URL = yookassa.api_url
        yookassa.control("/_test/faults", method="DELETE")

    for code in marked:
        provider = providers.get(code)
        for listed in provider.payments():
            if (code, listed.id) in _payments_checked:
                continue
            _payments_checked.add((code, listed.id))
            if listed.state != providers.PaymentState.CAPTURED:
                continue
            _money_of_one_payment(provider, provider.retrieve(listed.id), yookassa)
    order_model = get_model("order", "Order")
    for order in order_model.objects.filter(status="Paid"):
        attempt = PaymentAttempt.objects.filter(order=order).first()
        assert attempt is not None and attempt.provider_payment_id, f"{order} paid unpaid"
        remote = providers.get(attempt.provider).retrieve(attempt.provider_payment_id)
        assert remote.state == providers.PaymentState.CAPTURED, (order, remote)


def _money_of_one_payment(provider, remote, yookassa):
    from decimal import Decimal

    from shop.payments import receipts
    from shop.payments.models import PaymentAttempt, RefundStatus

    attempt = PaymentAttempt.objects.filter(
        provider=provider.code, provider_payment_id=remote.id
    ).first()
    assert attempt is not None, f"{remote.id} took money with no payment attempt"
    ours = list(attempt.refunds.filter(status=RefundStatus.SUCCEEDED))
    theirs = provider.refunds(remote.id)
    refunded = sum((r.amount for r in theirs), Decimal("0.00"))
    # Every refund the provider made is one the shop recorded, and only once.
    assert sorted(r.id for r in theirs) == sorted(r.provider_refund_id for r in ours), remote.id
    assert refunded == sum((r.amount for r in ours), Decimal("0.00")) == remote.refunded
    placed = attempt.order is not None and attempt.order.status in ("Paid", "Cancelled")
    assert placed or refunded == remote.amount, (attempt, "money neither ordered nor refunded")
    if attempt.order is not None:
        assert PaymentAttempt.objects.filter(order=attempt.order).count() <= 1
        # Captured = kept + refunded, with what the order kept from Oscar's own books.
        (source,) = attempt.order.sources.all()
        kept = source.amount_debited - source.amount_refunded
        assert remote.amount == attempt.order.total_incl_tax == kept + refunded, remote.id
    if yookassa is None or provider.code != "yookassa":
        return
    sent = yookassa.control(f"/_test/receipts?payment_id={remote.id}&source=payment")
    assert len(sent) == 1, (remote.id, sent)
    assert receipts.items_total(sent[0]["items"]) == remote.amount
    if attempt.order is not None:
        expected = receipts.receipt_items(
            receipts.order_receipt_lines(attempt.order), remote.amount
        )
        assert sent[0]["items"] == receipts.for_provider(expected), remote.id
    for refund in ours:
        (refund_receipt,) = yookassa.control(
            f"/_test/receipts?refund_id={refund.provider_refund_id}"
        )
        assert receipts.items_total(refund_receipt["items"]) == refund.amount


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
