"""Test databases as copies of one migrated template.

Migrating from scratch takes about half a minute of CPU (some 360 migrations of Django, Oscar,
Wagtail and ours). So each database named by the settings is migrated once, as a template
(`test_shop`, or `var/test-db.sqlite3`), and every pytest process works on a copy of it:
`test_shop_gw0`, `test_shop_gw1` for the pytest-xdist workers, `test_shop_main` for a process
of its own (PostgreSQL copies with CREATE DATABASE … TEMPLATE, SQLite copies the file;
Django's own parallel runner does the same). The processes take turns on a file lock; the
first one migrates the template, the others find it ready.

With --reuse-db (the default) the template is kept and migrated forward; with --create-db it
is made anew, once per run of `make test` (scripts/test.sh gives every phase one
TEST_RUN_ID), or of pytest. The copies are always made anew, so a session starts from the
migrated rows even after a crashed run.
"""

import fcntl
import hashlib
import os
import resource
import sys
import tempfile
import uuid
from contextlib import contextmanager

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")


def run_id(config=None) -> str:
    """The same for every process of one run."""
    worker_input = getattr(config, "workerinput", {})
    return os.environ.get("TEST_RUN_ID") or worker_input.get("testrunuid") or uuid.uuid4().hex


@contextmanager
def _locked(settings_dict, test_name):
    where = "{ENGINE}|{HOST}|{PORT}|".format(**settings_dict) + test_name
    key = hashlib.sha1(where.encode()).hexdigest()[:16]
    path = os.path.join(tempfile.gettempdir(), f"baikal-shop-test-db-{key}.lock")
    with open(path, "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            lock.seek(0)
            yield lock
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def use_copies_of_the_template(*, fresh: bool, run: str, verbosity: int = 0) -> None:
    """Make sure the template is migrated, copy it for this process, and point the test
    settings at the copy (pytest-django then opens it with keepdb, as an existing database)."""
    from django.conf import settings
    from django.db import connections

    for alias in connections:
        connection = connections[alias]
        settings_dict = connection.settings_dict
        original_name = settings_dict["NAME"]
        with _template(connection, fresh=fresh, run=run, verbosity=verbosity) as template:
            if template is None:
                continue
            connection.creation.clone_test_db(suffix=WORKER, verbosity=verbosity, keepdb=False)
            copy = connection.creation.get_test_db_clone_settings(WORKER)["NAME"]
        connection.close()
        settings_dict["NAME"] = original_name
        settings.DATABASES[alias]["NAME"] = original_name
        settings_dict["TEST"]["NAME"] = copy


@contextmanager
def _template(connection, *, fresh: bool, run: str, verbosity: int):
    """The migrated template, held under the lock (None for an in-memory database)."""
    test_settings = connection.settings_dict.setdefault("TEST", {})
    template = connection.creation._get_test_db_name()
    if connection.vendor == "sqlite" and connection.creation.is_in_memory_db(template):
        yield None  # each process has its own anyway
        return
    test_settings["NAME"] = template
    with _locked(connection.settings_dict, template) as lock:
        # With --create-db the template is made anew by the first process of this run.
        made_in_this_run = lock.read().strip() == run
        connection.creation.create_test_db(
            verbosity=verbosity,
            autoclobber=True,
            serialize=False,
            keepdb=made_in_this_run or not fresh,
        )
        if not made_in_this_run and connection.vendor == "postgresql":
            _keep_the_migrated_rows(connection)
        lock.seek(0)
        lock.truncate()
        lock.write(run)
        lock.flush()
        # Copying needs every connection to the template closed (and SQLite's WAL written
        # back into the file).
        connection.close()
        yield template


def main() -> None:
    """`python -m tests.databases [--create-db]`: migrate the template of the test settings'
    database ahead of the tests that need it (scripts/test.sh prepares SQLite's this way
    while the PostgreSQL phases run)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings.test")
    django.setup()
    from django.db import connections

    fresh = "--create-db" in sys.argv[1:]
    for alias in connections:
        with _template(connections[alias], fresh=fresh, run=run_id(None), verbosity=1):
            pass
    used = resource.getrusage(resource.RUSAGE_SELF)
    vendor = connections["default"].display_name
    print(f"{vendor} template, in the background: {used.ru_utime + used.ru_stime:.0f}s CPU")


# PostgreSQL: a copy of every row the migrations made (content types, permissions, Wagtail's
# root page and locales, ticket types...), in a schema of the template beside the tables, so
# every copy of the template has it. Outside the search path: Django never sees it.
MIGRATED_ROWS = "migrated_rows"


def _keep_the_migrated_rows(connection) -> None:
    quote = connection.ops.quote_name
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {MIGRATED_ROWS} CASCADE")
        cursor.execute(f"CREATE SCHEMA {MIGRATED_ROWS}")
        for table in tables:
            cursor.execute(f"SELECT EXISTS (SELECT FROM {quote(table)})")
            if cursor.fetchone()[0]:
                cursor.execute(
                    f"CREATE TABLE {MIGRATED_ROWS}.{quote(table)} AS TABLE {quote(table)}"
                )


def keeps_the_migrated_rows(connection) -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT FROM pg_namespace WHERE nspname = %s)", [MIGRATED_ROWS]
        )
        return cursor.fetchone()[0]


_tables: dict[str, list[str]] = {}


def back_to_the_migrated_rows(connection) -> None:
    """Every table as the migrations left it, in one statement of a few milliseconds: a flush
    (TRUNCATE of some 300 tables, then the post_migrate signal) and reading the rows back in
    one by one take seconds, after every transactional test. Sequences move on, as after
    Django's flush: an id is never used twice in a session."""
    from django.db import transaction

    if connection.alias not in _tables:
        _tables[connection.alias] = connection.introspection.django_table_names(
            only_existing=True, include_views=False
        )
    names = ", ".join(
        "'{}'".format(table.replace("'", "''")) for table in _tables[connection.alias]
    )
    # Every foreign key is DEFERRABLE INITIALLY DEFERRED (Django makes them so): checked at
    # the end, when every row they point at is back.
    sql = f"""
        DO $$
        DECLARE t text;
        BEGIN
            SET CONSTRAINTS ALL DEFERRED;
            FOREACH t IN ARRAY ARRAY[{names}]::text[] LOOP
                EXECUTE format('DELETE FROM public.%I', t);
            END LOOP;
            FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = '{MIGRATED_ROWS}' LOOP
                EXECUTE format('INSERT INTO public.%I SELECT * FROM {MIGRATED_ROWS}.%I', t, t);
            END LOOP;
        END $$
    """
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(sql)


def put_back_migrated_rows(*, emptied: bool) -> None:
    """The rows the migrations made, as they were when the session began (after a flush:
    `emptied` when it sent no post_migrate signal, which would have made some anew)."""
    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import connections

    for connection in connections.all():
        contents = getattr(connection, "_test_serialized_contents", None)
        if not contents:
            continue
        if not emptied:
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


@contextmanager
def rows_for_the_module(django_db_blocker):
    """Rows built once for the tests of a module, when building them costs seconds: inside a
    transaction rolled back after the module's last test. Each test still runs in a savepoint
    of its own (pytest-django's `db`), so what one test changes the next never sees. Hand the
    tests fresh instances (`refetched`): a Python object would carry one test's changes into
    the next. Not for modules with transactional tests (they would flush the rows)."""
    from django.db import transaction

    outer = transaction.atomic()
    # Like the transaction a TestCase wraps a test in (and marked so): it holds no lock another
    # process waits for, so the payment layer may call a provider inside it
    # (shop/payments/providers/base.py, in_transaction).
    outer._from_testcase = True
    with django_db_blocker.unblock(), outer:
        yield
        transaction.set_rollback(True)


def refetched(value):
    """The model instances in `value` (walking dicts, lists and tuples) read anew."""
    from django.db.models import Model

    if isinstance(value, Model):
        return type(value)._default_manager.get(pk=value.pk)
    if isinstance(value, dict):
        return {key: refetched(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(refetched(item) for item in value)
    return value


if __name__ == "__main__":
    main()
