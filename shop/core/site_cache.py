"""Wagtail's Site of a request, from the cache instead of a query on every page.

Wagtail finds the site the first time a page asks for it (the menus, the site settings, the
language links, routing a Wagtail page): one query matching the host and port against every
site and the default one. Which site answers a host changes only when a Site is saved or
deleted, and each of those replaces the content version (shop/core/freshness.py), so the
answer is kept under that version: taken before the view runs, so that a site changed while
it runs leaves what it found under a version already replaced. The site's root page is left
out of what is kept: routing reads it fresh, as before.

Nothing is looked up that the view would not have looked up: when the cache has no answer,
Wagtail finds the site itself if the view asks (a health check never does), and what it found
is kept after the response. As a view's middleware (`process_view`), after the page cache: a
page served whole from the page cache never asks.
"""

from django.core.cache import cache
from django.http.request import split_domain_port

from shop.core.freshness import content_version

KEY = "wagtail-site:"
SECONDS = 60 * 60
_MISSED = "_site_cache_key"


def _key(request) -> str:
    hostname = split_domain_port(request._get_raw_host())[0]
    return f"{KEY}{content_version()}:{hostname}:{request.get_port()}"


def _without_root_page(site):
    if site is None:
        return None
    return type(site)(**{f.attname: getattr(site, f.attname) for f in site._meta.concrete_fields})


class SiteCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        key = getattr(request, _MISSED, None)
        if key is not None and hasattr(request, "_wagtail_site"):
            cache.set(key, (_without_root_page(request._wagtail_site),), SECONDS)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if hasattr(request, "_wagtail_site"):
            return None
        key = _key(request)
        kept = cache.get(key)
        if kept is None:
            setattr(request, _MISSED, key)
        else:
            request._wagtail_site = kept[0]
        return None
