"""Whole storefront pages for anonymous visitors, served from the cache.

A storefront page (home, content pages, catalogue, category, product, tour) is the same for
every anonymous visitor but for four things: the CSRF token in its forms, the nonce of its
inline scripts (shop/core/headers.py), the basket in the header and the flash messages. So a
page rendered for a visitor with an empty basket and no messages is kept with its CSRF
tokens, nonces and basket link cut out, and served to the next anonymous visitor with their
own token and nonce and, if they have one, their own basket put back in.
Signed-in visitors, visitors with messages waiting and every other request go through the
views as before.

Freshness is that of the cached fragments (shop/core/freshness.py): the key carries the
storefront version (staff's changes of products, prices, departures, and the clock: a booking
that closes or a departure that starts begins a new version), the content version (Wagtail
pages, menus, contacts, images) and the versions of the product families the page showed when
it was last rendered (noted while it rendered; every family when it showed many products or
it is not known): a seat sold on one tour makes that tour's pages and the lists stale at once,
and leaves the other tours' and the gingerbread's pages kept. A page also expires after
PAGE_CACHE_SECONDS, as a net. The key is taken before the view runs: a page rendered while a
change commits is stored under the version that change has already replaced, and never
served.

Views opt in with `allow(request)` (Oscar's catalogue views through `PageCacheMixin`, Wagtail
pages but forms through the `before_serve_page` hook in cms/wagtail_hooks.py). Only a 200
HTML response to a GET that sets no cookie of its own and is not marked private or no-cache
is kept, and only for the query parameters in QUERY_PARAMS. Pages live in the "pages" cache
(shop/settings/base.py `cache_aliases`), a bounded space of their own.
"""

import hashlib
import re

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import cc_delim_re

from shop.core.freshness import (
    EVERY_FAMILY,
    catalogue_version,
    content_version,
    family_versions,
    page_versions,
    start_recording,
    stop_recording,
)

DEPENDS_KEY = "page-families:"
CSRF_MARK = b"\x00csrf-token\x00"
NONCE_MARK = b"\x00csp-nonce\x00"
BASKET_MARK = b"\x00basket-link\x00"
BASKET_TEMPLATE = "includes/basket_link.html"
_CSRF_INPUT = re.compile(rb'(name="csrfmiddlewaretoken" value=")([^"]+)(")')
# Query parameters a kept page may have (the catalogue's product type and page, the events
# calendar's month); any other (an advert's tracking tag, a typo) renders the page instead,
# so junk cannot fill the cache with copies.
QUERY_PARAMS = {"type", "page", "month"}
_QUERY_VALUE = re.compile(r"[\w-]{1,32}")
_FLAG = "_page_cache_allowed"
_NOT_SHARED = {"private", "no-store", "no-cache"}


def allow(request) -> None:
    """The view rendering this request shows nothing particular to the visitor."""
    setattr(request, _FLAG, True)


class PageCacheMixin:
    """For class-based views whose GET responses may be kept for anonymous visitors."""

    def get(self, request, *args, **kwargs):
        allow(request)
        return super().get(request, *args, **kwargs)


def _seconds() -> int:
    return getattr(settings, "PAGE_CACHE_SECONDS", 0)


def _has_basket(request) -> bool:
    return settings.OSCAR_BASKET_COOKIE_OPEN in request.COOKIES


def _no_messages(request) -> bool:
    # Counting the messages does not mark them read.
    messages = getattr(request, "_messages", None)
    return messages is None or not len(messages)


def _plain_query(request) -> bool:
    return all(
        name in QUERY_PARAMS and len(values) == 1 and _QUERY_VALUE.fullmatch(values[0])
        for name, values in request.GET.lists()
    )


def _eligible(request) -> bool:
    """A request a kept page may answer (HEAD too: the server sends the headers only)."""
    if request.method not in ("GET", "HEAD") or not _seconds():
        return False
    if not _plain_query(request):
        return False
    return not request.user.is_authenticated and _no_messages(request)


def _digest(request) -> str:
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    return hashlib.sha256(address.encode()).hexdigest()[:32]


def _families(request) -> list:
    """The product families this page showed when it was last rendered (every one, when
    that is not known): its key carries their versions and no other's."""
    return caches["pages"].get(DEPENDS_KEY + _digest(request)) or [EVERY_FAMILY]


def _key(request, families) -> str:
    versions = page_versions(families)
    return f"page:{translation.get_language()}:{versions}:{_digest(request)}"


def _visitor_page(request, entry) -> HttpResponse:
    body = entry["body"]
    if CSRF_MARK in body:  # a page without a form sets no CSRF cookie, as when rendered
        body = body.replace(CSRF_MARK, get_token(request).encode())
    if NONCE_MARK in body:  # this response's Content-Security-Policy names this nonce
        body = body.replace(NONCE_MARK, str(request.csp_nonce).encode())
    basket_link = entry["basket_link"]
    if _has_basket(request) and request.basket.num_items:
        basket_link = render_to_string(BASKET_TEMPLATE, {"request": request}).encode()
    body = body.replace(BASKET_MARK, basket_link)
    response = HttpResponse(body, headers=entry["headers"])
    response["X-Page-Cache"] = "hit"
    return response


def _entry(request, response) -> dict | None:
    """The response with its visitor's parts cut out, or None when it cannot be shared."""
    if request.method != "GET":
        return None
    if response.status_code != 200 or response.streaming or response.cookies:
        return None
    if not response.get("Content-Type", "").startswith("text/html"):
        return None
    if _NOT_SHARED & set(cc_delim_re.split(response.get("Cache-Control", "").lower())):
        return None  # e.g. a page behind a password, and its password form
    if not _no_messages(request) or request.user.is_authenticated:
        return None  # the view said something to this visitor, or signed them in
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return None
    if _has_basket(request) and request.basket.num_items:
        return None
    body = response.content
    tokens = {match.group(2) for match in _CSRF_INPUT.finditer(body)}
    body = _CSRF_INPUT.sub(rb"\1" + CSRF_MARK + rb"\3", body)
    if any(token in body for token in tokens):
        return None  # a token outside a form field: not ours to cut out
    nonce = getattr(request, "_csp_nonce", None)
    if nonce:
        body = body.replace(f'nonce="{nonce}"'.encode(), b'nonce="' + NONCE_MARK + b'"')
        if nonce.encode() in body:
            return None  # the nonce somewhere else: not ours to cut out
    basket_link = render_to_string(BASKET_TEMPLATE, {"request": request}).encode()
    if body.count(basket_link) != 1:
        return None  # a page without the site's header, or with a basket shown twice
    body = body.replace(basket_link, BASKET_MARK)
    # Lengths differ per visitor (their basket); the server counts each one.
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
    return {"body": body, "headers": headers, "basket_link": basket_link}


def _may_keep(view_func) -> bool:
    """Whether the view may opt in: Wagtail's page serving (through cms/serving.py) or a
    PageCacheMixin view. Other requests (the health check, the basket, checkout, dashboards)
    never touch the cache."""
    from wagtail.views import serve

    from cms.serving import serve as serve_kept

    view_class = getattr(view_func, "view_class", None)
    return view_func in (serve, serve_kept) or (
        view_class is not None and issubclass(view_class, PageCacheMixin)
    )


class PageCacheMiddleware:
    """After the session, CSRF, auth, messages and basket middleware: see the module's
    docstring."""

    def __init__(self, get_response):
        self.get_response = get_response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not _may_keep(view_func) or not _eligible(request):
            return None
        families = _families(request)
        key = _key(request, families)
        entry = caches["pages"].get(key)
        if entry is not None:
            return _visitor_page(request, entry)
        # Taken before the view runs: see the docstring.
        request._page_cache = {"key": key, "families": families, "seen": _snapshot()}
        request._page_recording = start_recording()
        return None

    def __call__(self, request):
        response = self.get_response(request)
        before = getattr(request, "_page_cache", None)
        if before is None:
            return response
        # A page that showed no product through a versioned fragment may still show some:
        # it depends on every family.
        families = sorted(stop_recording(request._page_recording), key=str) or [EVERY_FAMILY]
        if not getattr(request, _FLAG, False):
            return response
        entry = _entry(request, response)
        if entry is None:
            return response
        key = before["key"]
        if families != before["families"]:
            # Keyed by other families than the ones looked up (the page is new, or shows
            # others now): their versions read now are those the view read its data under,
            # unless a version changed while it ran (then it is not kept this time).
            key = _key(request, families) if _snapshot() == before["seen"] else None
        pages = caches["pages"]
        pages.set(DEPENDS_KEY + _digest(request), families, None)
        if key is not None:
            pages.set(key, entry, _seconds())
            response["X-Page-Cache"] = "miss"
        return response


def _snapshot() -> tuple:
    """The versions that change when anything a page can show changes."""
    return (catalogue_version(), content_version(), family_versions([EVERY_FAMILY]))
