"""The header and footer menus and the legal pages, from the Navigation settings.

A menu is read once per site, language and content version (shop/core/freshness.py), so a
page view costs no query for it; publishing a page or saving the settings makes it anew.
"""

from django.core.cache import cache
from django.urls import reverse
from django.utils.translation import gettext
from wagtail.models import Locale, Page, Site

from catalogue.translation import active_language
from shop.core.freshness import content_version

SHOP_LINKS = {
    "tours": (lambda: gettext("Tours"), lambda: reverse("catalogue:index") + "?type=tour"),
    "gingerbread": (
        lambda: gettext("Gingerbread"),
        lambda: reverse("catalogue:index") + "?type=gingerbread",
    ),
    "catalogue": (lambda: gettext("All products"), lambda: reverse("catalogue:index")),
    "search": (lambda: gettext("Search"), lambda: reverse("site-search")),
}


def _localized(pages: list, language: str) -> dict:
    """{page id: the page in the language (or the page itself)}, live ones only, one query."""
    locale = Locale.objects.filter(language_code=language).first()
    found = {}
    if locale is not None:
        for page in Page.objects.live().filter(
            translation_key__in=[p.translation_key for p in pages], locale=locale
        ):
            found[page.translation_key] = page
    return {p.pk: found.get(p.translation_key) or (p if p.live else None) for p in pages}


def _menu(stream, language: str, request) -> list[dict]:
    pages = [block.value for block in stream if block.block_type == "page" and block.value]
    localized = _localized(pages, language) if pages else {}
    items = []
    for block in stream:
        if block.block_type == "shop" and block.value in SHOP_LINKS:
            label, url = SHOP_LINKS[block.value]
            items.append({"label": label(), "url": url()})
        elif block.block_type == "page" and block.value:
            page = localized.get(block.value.pk)
            if page is not None:
                items.append({"label": page.title, "url": page.get_url(request)})
    return items


def _fallback_menu(request, language: str) -> list[dict]:
    """With nothing set: the shop's sections and the home page's children shown in menus."""
    items = [
        {"label": SHOP_LINKS[key][0](), "url": SHOP_LINKS[key][1]()}
        for key in ("tours", "gingerbread")
    ]
    site = Site.find_for_request(request)
    if site is not None:
        root = site.root_page
        localized = _localized([root], language).get(root.pk) or root
        for page in localized.get_children().live().in_menu():
            items.append({"label": page.title, "url": page.get_url(request)})
    return items


def site_menus(request) -> dict:
    """{"main": [...], "footer": [...], "privacy": url, "terms": url} for this request."""
    from cms.models import NavigationSettings

    site = Site.find_for_request(request)
    language = active_language()
    key = f"menus:{site.pk if site else 0}:{language}:{content_version()}"
    menus = cache.get(key)
    if menus is None:
        settings = NavigationSettings.for_request(request) if site else None
        main = _menu(settings.main_menu, language, request) if settings else []
        footer = _menu(settings.footer_menu, language, request) if settings else []
        legal = {}
        for field in ("privacy_page", "terms_page"):
            page = getattr(settings, field, None) if settings else None
            page = _localized([page], language).get(page.pk) if page else None
            legal[field] = page.get_url(request) if page else ""
        menus = {
            "main": main or _fallback_menu(request, language),
            "footer": footer or main,
            **legal,
        }
        cache.set(key, menus, 60 * 60)
    return menus


def legal_page_url(request, field: str) -> str:
    return site_menus(request).get(field, "") if request is not None else ""
