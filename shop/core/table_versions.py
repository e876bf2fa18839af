"""Values computed from database tables, kept until one of those tables is written.

A teacher's report sums a term's orders: hundreds of milliseconds of queries that give the
same answer until an order, a line, a refund or a handling step is written. `kept()` computes
such a value once, noting every table its queries read (named after FROM or JOIN, quoted as
Django's ORM writes them: raw SQL must quote them too), and keeps it under the versions of
those tables; later calls read those versions (one round trip to the cache) and return the
kept value while none of them has changed.

The versions follow the database itself, not model signals: every connection runs its
statements through `_watch` (installed when it connects, `watch_connections`), and an INSERT,
UPDATE or DELETE replaces the version of the table it writes, whichever code ran it: a model's
save, a queryset's update, the guarded stock UPDATEs, a migration, a test's flush. A TRUNCATE
or a change of schema replaces every version at once. A transaction's writes replace the
versions when it commits (a write outside a transaction, at once), and the versions are read
before computing, so a value computed from the data before a commit is kept under a version
that commit replaces, and never served after it. A connection whose transaction has written
neither reads nor keeps anything: what is kept may be older than its own rows, and what it
computes may yet be rolled back (in the tests, every test is such a transaction).

What a kept value may depend on besides the tables, the active language and time zone (always
part of the key) is the caller's to put into `parts`: the dates asked for, the visitor. The
clock is not noted: a value that depends on the current time (unless `parts` names what the
clock changes in it) must not be kept here. Sessions and the sign-in throttle's tables are
written on almost every request and read by no computed value: their writes are not watched.
Values also expire after `timeout` seconds, as a net, and are keyed by the code that made them
(`code_version`): a value kept by the last release, in the shape its code and templates gave
it, is not served by the next one. The versions live in the "default" cache, the values (many:
one per customer's order list, say) in "pages", whose bounded space they share with whole pages
and sessions (with several app servers both are shared, CACHE_URL).
"""

import contextvars
import functools
import hashlib
import re
import uuid

from django.core.cache import cache, caches
from django.db import transaction

KEY = "table:"
KEPT = "kept:"
# Stands in for the visitor's CSRF token in kept HTML (`rendered_forms`, `with_token`).
CSRF_STAND_IN = "csrf-token-stand-in-3f9c1e"
# The base a page's template extends (`page_base`) to render its content block alone.
CONTENT_ONLY = "includes/content_only.html"
# Sessions and the sign-in throttle's tables: written on nearly every request or sign-in,
# read by nothing kept.
UNWATCHED = frozenset(
    {
        "django_session",
        "axes_accessattempt",
        "axes_accessattemptexpiration",
        "axes_accessfailurelog",
        "axes_accesslog",
    }
)
_WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
_EVERYTHING = ("TRUNCATE", "ALTER", "DROP", "CREATE", "RENAME")
_READ = re.compile(r'\b(?:FROM|JOIN)\s+"(\w+)"', re.IGNORECASE)
_STATE = "_table_versions_state"

# The sets of tables the values being computed read (nested computations note into each).
_reading: contextvars.ContextVar[tuple] = contextvars.ContextVar("reading", default=())


@functools.cache
def code_version() -> str:
    """A digest of the project's code, templates and translations, the same in every process
    of a release."""
    from django.conf import settings

    digest = hashlib.blake2b(digest_size=6)
    for folder in ("shop", "cms", "catalogue", "templates", "locale"):
        for path in sorted((settings.BASE_DIR / folder).rglob("*")):
            if path.suffix in (".py", ".html", ".txt", ".mo") and path.is_file():
                digest.update(str(path.relative_to(settings.BASE_DIR)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def _new() -> str:
    return uuid.uuid4().hex[:12]


def _bump(tables) -> None:
    cache.set_many({f"{KEY}{table}": _new() for table in tables}, None)


def every_table_changed() -> None:
    """Nothing kept is served again (the shared cache came back after writes to it were lost:
    shop/core/cache_backend.py)."""
    _bump(["*"])


class _Pending:
    """The tables a connection's open transaction has written, and the callback that replaces
    their versions when it commits."""

    def __init__(self, connection):
        self.tables: set[str] = set()
        self.connection = connection

        def committed():
            _bump(self.tables)

        self.on_commit = committed
        transaction.on_commit(committed, using=connection.alias)

    def open(self) -> bool:
        # Django drops the callbacks of a transaction (or a savepoint) rolled back.
        return any(entry[1] is self.on_commit for entry in self.connection.run_on_commit)


def _pending(connection) -> "_Pending | None":
    pending = getattr(connection, _STATE, None)
    return pending if pending is not None and pending.open() else None


def _written(connection, table: str) -> None:
    """`table` ("*": every table) was written on `connection`."""
    if table in UNWATCHED:
        return
    if not connection.in_atomic_block:
        _bump([table])  # committed as it ran
        return
    pending = _pending(connection)
    if pending is None:
        pending = _Pending(connection)
        setattr(connection, _STATE, pending)
    pending.tables.add(table)


def _watch(execute, sql, params, many, context):
    head = sql.lstrip()[:8].upper()
    if head.startswith(("INSERT", "UPDATE", "DELETE")):
        match = _WRITE.match(sql)
        _written(context["connection"], match.group(1) if match else "*")
    elif head.startswith(_EVERYTHING):
        _written(context["connection"], "*")
    elif readers := _reading.get():
        tables = set(_READ.findall(sql))
        for found in readers:
            found.update(tables)
    return execute(sql, params, many, context)


def _connected(sender, connection, **kwargs) -> None:
    if _watch not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch)


def watch_connections() -> None:
    """Watch every connection, including those already open (shop/core/apps.py)."""
    from django.db import connections
    from django.db.backends.signals import connection_created

    connection_created.connect(_connected, dispatch_uid="table-versions-watch")
    for connection in connections.all(initialized_only=True):
        _connected(None, connection)


def versions(tables) -> str:
    """One string for the versions of these tables (and of "every table")."""
    from shop.core.freshness import versions_of

    return versions_of([f"{KEY}*"] + sorted(f"{KEY}{table}" for table in tables))


def keeping(using: str = "default") -> bool:
    """Whether `kept` keeps and serves values on this connection now: not while its
    transaction has written."""
    from django.db import connections

    return _pending(connections[using]) is None


def kept(name: str, parts, compute, *, timeout: int = 3600, using: str = "default"):
    """`compute()`, or what it returned before, while none of the tables it read has been
    written since. `parts` (a repr-able value) is everything else the value depends on."""
    from django.db import connections

    if _pending(connections[using]) is not None:
        # This transaction has written: what is kept may be older than its own rows, and what
        # it computes may yet be rolled back.
        return compute()
    from django.utils import timezone, translation

    kept_values = caches["pages"]
    where = (translation.get_language(), timezone.get_current_timezone_name())
    digest = hashlib.blake2b(repr((parts, where)).encode(), digest_size=12).hexdigest()
    name = f"{code_version()}:{name}"
    tables_key = f"{KEPT}{name}:{digest}:tables"
    tables = kept_values.get(tables_key)
    key = None
    if tables is not None:
        # Taken before computing: a table written while it computes replaces it.
        seen = hashlib.blake2b(versions(tables).encode(), digest_size=12).hexdigest()
        key = f"{KEPT}{name}:{digest}:{seen}"
        value = kept_values.get(key)
        if value is not None:
            for reading in _reading.get():  # a value kept inside another one being computed
                reading.update(tables)
            return value
    found: set[str] = set()
    token = _reading.set((*_reading.get(), found))
    try:
        value = compute()
    finally:
        _reading.reset(token)
    if tables is None or set(tables) != found:
        # First time, or it read other tables this time: the versions were not taken before
        # reading them, so this value is not kept; the next call's is.
        kept_values.set(tables_key, sorted(found), timeout)
        return value
    kept_values.set(key, value, timeout)
    return value


def rendered(template: str, context: dict):
    """`template` rendered (without a request) as HTML to keep and show as it is."""
    from django.template.loader import render_to_string
    from django.utils.safestring import mark_safe

    return mark_safe(render_to_string(template, context))  # noqa: S308  (rendered by the template engine)


def rendered_forms(template: str, context: dict, request=None) -> str:
    """`template` rendered for keeping: its forms carry a stand-in for the CSRF token, which
    `with_token` replaces with each visitor's own."""
    from django.template.loader import render_to_string

    return render_to_string(template, {**context, "csrf_token": CSRF_STAND_IN}, request=request)


def rendered_content(template: str, context: dict, request) -> str:
    """The content block of a page's `template` rendered for keeping, as `rendered_forms`
    does. The template extends `page_base|default:...`; the page shows what is kept as
    `kept_content` in place of that block."""
    return rendered_forms(template, {**context, "page_base": CONTENT_ONLY}, request=request)


def with_token(request, html: str):
    """Kept HTML (from `rendered_forms`) with this visitor's own CSRF token in its forms."""
    from django.middleware.csrf import get_token
    from django.utils.safestring import mark_safe

    return mark_safe(html.replace(CSRF_STAND_IN, get_token(request)))  # noqa: S308  (rendered by the template engine)
