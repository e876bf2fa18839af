import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded and generated images go to a per-test folder."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def site_home(db):
    from tests.factories import make_home_page

    return make_home_page()


@pytest.fixture
def student(db):
    from shop.core.roles import STUDENTS
    from tests.factories import make_member

    return make_member(STUDENTS, "alexey", first_name="Алексей", last_name="Студент")


@pytest.fixture
def other_student(db):
    from shop.core.roles import STUDENTS
    from tests.factories import make_member

    return make_member(STUDENTS, "maria", first_name="Мария", last_name="Студентка")


@pytest.fixture
def teacher(db):
    from shop.core.roles import TEACHERS
    from tests.factories import make_member

    return make_member(TEACHERS, "irina", first_name="Ирина", last_name="Учитель")


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


@pytest.fixture(scope="session")
def django_db_modify_db_settings_xdist_suffix():
    """No "_gw0" suffix on the database names: tests/databases.py names each copy."""


@pytest.fixture(scope="session")
def django_db_keepdb():
    """pytest-django opens this process's copy as an existing database (and leaves it)..."""
    return True


@pytest.fixture(scope="session")
def django_db_createdb():
    """...even with --create-db, which tests/databases.py applies to the template."""
    return False


@pytest.fixture(scope="session")
def django_db_modify_db_settings(request, django_db_modify_db_settings, django_db_blocker):
    """Each process works on a copy of one migrated template (tests/databases.py), made anew
    for every session: a session starts from the migrated rows whatever the last one left."""
    from tests.databases import run_id, use_copies_of_the_template

    config = request.config
    fresh = config.getvalue("create_db") or not config.getvalue("reuse_db")
    with django_db_blocker.unblock():
        use_copies_of_the_template(fresh=fresh, run=run_id(config), verbosity=config.option.verbose)
    _db_blocker.append(django_db_blocker)


_db_blocker: list = []


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test ends with every table emptied, migrated rows included (content
    types, sites, ticket types...). Put them back at once: the next test of this process may
    be a plain one (pytest-django runs transactional tests last, but pytest-xdist hands out
    whole files)."""
    result = yield
    marker = item.get_closest_marker("django_db")
    if _db_blocker and marker and marker.kwargs.get("transaction"):
        from django.db import connections

        from tests.databases import put_back_migrated_rows

        with _db_blocker[0].unblock():
            if not all(_keeps_the_migrated_rows(alias) for alias in connections):
                put_back_migrated_rows(emptied=marker.kwargs.get("serialized_rollback", False))
    return result


_kept: dict[str, bool] = {}


def _keeps_the_migrated_rows(alias: str) -> bool:
    from django.db import connections

    from tests.databases import keeps_the_migrated_rows

    if alias not in _kept:
        _kept[alias] = keeps_the_migrated_rows(connections[alias])
    return _kept[alias]


@pytest.fixture(scope="session", autouse=True)
def _transactional_tests_end_on_the_migrated_rows():
    """On PostgreSQL a transactional test ends with every table as the migrations left it, at
    once (tests/databases.py, back_to_the_migrated_rows), instead of Django's flush followed by
    the migrated rows read back in: seconds saved after each of about a hundred tests. So a
    test that asks for serialized_rollback finds those rows already there."""
    from django.db import connections
    from django.test import TransactionTestCase

    from tests.databases import back_to_the_migrated_rows

    flush = TransactionTestCase._fixture_teardown
    set_up = TransactionTestCase.__dict__["_fixture_setup"]

    def _fixture_teardown(self):
        aliases = self._databases_names(include_mirrors=False)
        if self.available_apps is None and all(map(_keeps_the_migrated_rows, aliases)):
            for alias in aliases:
                back_to_the_migrated_rows(connections[alias])
        else:
            flush(self)

    def _fixture_setup(cls):
        aliases = cls._databases_names(include_mirrors=False)
        if not (cls.serialized_rollback and all(map(_keeps_the_migrated_rows, aliases))):
            return set_up.__func__(cls)
        cls.serialized_rollback = False  # the rows are there: nothing to read back
        try:
            return set_up.__func__(cls)
        finally:
            cls.serialized_rollback = True

    TransactionTestCase._fixture_teardown = _fixture_teardown
    TransactionTestCase._fixture_setup = classmethod(_fixture_setup)
    yield
    TransactionTestCase._fixture_teardown = flush
    TransactionTestCase._fixture_setup = set_up


@pytest.fixture(scope="session")
def localstripe_url():
    """A localstripe process for the whole session, on a free loopback port."""
    import os
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    # An outside one only for a single process: the money check after each payments test
    # reads every new PaymentIntent and looks for it in this process's database.
    if os.environ.get("LOCALSTRIPE_TEST_URL") and not os.environ.get("PYTEST_XDIST_WORKER"):
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
# localstripe lists PaymentIntents oldest first (Stripe lists newest first), so asking for
# those after the last one checked reads only the new ones, not the whole session's.
_last_intent_checked: list[str] = []


def _new_payments(provider):
    """The provider's payments the money check has not read yet (for YooKassa, all: the
    local server's listing is newest first, and the session holds few of them)."""
    if provider.code != "stripe":
        yield from provider.payments()
        return
    from shop.payments.providers import stripe

    params = {"limit": 100}
    if _last_intent_checked:
        params["starting_after"] = _last_intent_checked[-1]
    for intent in stripe.client().v1.payment_intents.list(params=params).auto_paging_iter():
        _last_intent_checked.append(intent.id)
        yield stripe.remote(intent)


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
        for listed in _new_payments(provider):
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


def _receipt_money(items: list[dict]) -> list[dict]:
    """A receipt's items without their descriptions: the description names the departure's
    date as it was when paid, and a tour moved since reads differently now; its money not."""
    return [{key: value for key, value in item.items() if key != "description"} for item in items]


def _money_of_one_payment(provider, remote, yookassa):
    from decimal import Decimal

    from django.db.models import Q, Sum

    from shop.payments import receipts
    from shop.payments.models import PaymentAttempt, Receipt, RefundStatus

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
    # A supplementary payment (a dearer date's difference) is its order's once it applied
    # the change it paid for.
    order = attempt.paid_order
    placed = order is not None and order.status in ("Paid", "Cancelled")
    if attempt.is_supplementary:
        placed = placed and attempt.booking_change.paid_with == attempt.key
    assert placed or refunded == remote.amount, (attempt, "money neither ordered nor refunded")
    if placed:
        assert PaymentAttempt.objects.filter(order=order).count() <= 1
        # Captured = kept + refunded, per payment, with what the order kept from Oscar's own
        # books (one payment source per payment); the order's total is what its payments took.
        sources = list(order.sources.all())
        source = next((s for s in sources if s.reference == remote.id), None)
        if source is None and len(sources) == 1:
            source = sources[0]
        kept = source.amount_debited - source.amount_refunded
        assert remote.amount == source.amount_debited == kept + refunded, remote.id
        paid = PaymentAttempt.objects.filter(
            Q(order=order) | Q(for_order=order), status="paid"
        ).aggregate(total=Sum("amount"))["total"]
        assert paid == order.total_incl_tax, (order.number, paid)
    if yookassa is None or provider.code != "yookassa":
        return
    sent = yookassa.control(f"/_test/receipts?payment_id={remote.id}&source=payment")
    assert len(sent) == 1, (remote.id, sent)
    assert receipts.items_total(sent[0]["items"]) == remote.amount
    if placed and not order.booking_changes.filter(kind="move").exists():
        expected = receipts.receipt_items(receipts.order_receipt_lines(order), remote.amount)
        assert _receipt_money(sent[0]["items"]) == _receipt_money(
            receipts.for_provider(expected)
        ), remote.id
    elif placed:
        # Lines repriced by a move since: the receipt sent is the one the shop recorded.
        (recorded,) = Receipt.objects.filter(attempt=attempt, kind="payment")
        assert _receipt_money(sent[0]["items"]) == _receipt_money(
            receipts.for_provider(recorded.items)
        ), remote.id
    for refund in ours:
        (refund_receipt,) = yookassa.control(
            f"/_test/receipts?refund_id={refund.provider_refund_id}"
        )
        assert receipts.items_total(refund_receipt["items"]) == refund.amount


SERIAL_DIRECTORIES = ("concurrency",)


@pytest.hookimpl(tryfirst=True)  # before `-m` selects by the markers added here
def pytest_collection_modifyitems(config, items):
    """Which phase of `make test` (scripts/test.sh) runs a test is decided here and by markers:

    - tests under tests/concurrency/ and tests marked `postgres` are `serial`: they start app
      servers under load or restart PostgreSQL, so they run alone, never beside xdist workers
      (under xdist they are deselected, with a line saying so);
    - tests marked `postgres` restart the PostgreSQL of scripts/postgres.sh: they run when
      DATABASE_URL is PostgreSQL and are deselected, with a line saying so, otherwise.
    """
    import os
    from pathlib import Path

    tests_root = Path(__file__).parent
    for item in items:
        parts = Path(item.path).relative_to(tests_root).parts
        if parts[0] in SERIAL_DIRECTORIES or item.get_closest_marker("postgres"):
            item.add_marker(pytest.mark.serial)

    def deselect(reason, dropped):
        if dropped:
            config.hook.pytest_deselected(items=dropped)
            gone = {id(item) for item in dropped}
            items[:] = [item for item in items if id(item) not in gone]
            print(f"\n{len(dropped)} {reason}")

    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        deselect(
            "PostgreSQL-only test(s) deselected: DATABASE_URL is not PostgreSQL",
            [item for item in items if item.get_closest_marker("postgres")],
        )
    if os.environ.get("PYTEST_XDIST_WORKER"):
        deselect(
            "serial test(s) deselected under xdist: run them alone with `pytest -m serial`",
            [item for item in items if item.get_closest_marker("serial")],
        )
