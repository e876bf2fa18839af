"""Wagtail's page view, with the page's route kept between requests.

Wagtail finds a page by walking from the site's root (the root, its locale, the page, its
specific row: four queries) and then reads the view restrictions of the page and its
ancestors (two more) on every request. What it finds is the same until a page, a locale or a
restriction is written, so the route and the restrictions are kept under those tables'
versions (shop/core/table_versions.py), per site, path and language, and handed to Wagtail's
own view through the attribute it caches a route in (`_wagtail_route_for_request`). Whether a
restriction lets this visitor in is still asked of each request; pages are published and
unpublished (also when scheduled) by writes, so the clock decides nothing here.
"""

from django.http import Http404
from wagtail import views as wagtail_views
from wagtail.models import Site

from shop.core.table_versions import keeping, kept


def _route(request, path):
    """The route Wagtail finds (page, args, kwargs) and the page's view restrictions."""
    try:
        site = Site.find_for_request(request)
        components = [component for component in path.split("/") if component]
        page, args, kwargs = site.root_page.localized.specific.route(request, components)
    except Http404:
        return None
    return page, args, kwargs, list(page.get_view_restrictions())


def serve(request, path):
    if request.method in ("GET", "HEAD") and keeping():
        site = Site.find_for_request(request)
        if site is not None:
            found = kept("page-route", (site.pk, path), lambda: _route(request, path))
            if found is None:
                request._wagtail_route_for_request = None  # Wagtail answers 404
            else:
                page, args, kwargs, restrictions = found
                page.get_view_restrictions = lambda: restrictions
                request._wagtail_route_for_request = (page, args, kwargs)
    return wagtail_views.serve(request, path)
