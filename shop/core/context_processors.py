from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail.models import Page


def site_chrome(request):
    """Main navigation: the shop's sections, then the content pages shown in menus."""
    items = [
        {"label": _("Tours"), "url": reverse("catalogue:index") + "?type=tour"},
        {"label": _("Gingerbread"), "url": reverse("catalogue:index") + "?type=gingerbread"},
    ]
    site_root = _site_root(request)
    if site_root is not None:
        for page in site_root.get_children().live().in_menu().filter(locale=site_root.locale):
            items.append({"label": page.title, "url": page.url})
    path = request.path
    for item in items:
        item["active"] = path == item["url"].split("?")[0] and "?" not in item["url"]
    return {"nav_items": items}


def _site_root(request):
    from wagtail.models import Site

    site = Site.find_for_request(request)
    if site is None:
        return None
    root = site.root_page
    localized = root.localized
    return localized if isinstance(localized, Page) else root


def storefront_version(request):
    """The version cached product fragments are keyed by (shop/core/freshness.py)."""
    from django.utils.functional import SimpleLazyObject

    from shop.core.freshness import catalogue_version

    return {"catalogue_version": SimpleLazyObject(catalogue_version)}
