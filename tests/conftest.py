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
        from tests.databases import put_back_migrated_rows

        with _db_blocker[0].unblock():
            put_back_migrated_rows(emptied=marker.kwargs.get("serialized_rollback", False))
    return result


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
# localstripe lists PaymentIntents oldest first (Stripe lists newest first), so asking for
# those after the last one checked reads only the new ones, not the whole session's.
_last_intent_checked: list[str] = []


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
    params = {"limit": 100}
    if _last_intent_checked:
        params["starting_after"] = _last_intent_checked[-1]
    listed = gateway.client().v1.payment_intents.list(params=params)
    for listed_intent in listed.auto_paging_iter():
        if listed_intent.id in _intents_checked:
            continue
        _intents_checked.add(listed_intent.id)
        _last_intent_checked.append(listed_intent.id)
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
