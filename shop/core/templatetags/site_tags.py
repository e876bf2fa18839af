import functools

from django import template
from django.conf import settings
from django.urls import translate_url as django_translate_url
from django.utils import translation
from wagtail.models import Page, Site

from catalogue.translation import active_language

register = template.Library()


def translate_url(url: str, code: str) -> str:
    """Django's translate_url, remembered: every page asks it for each language twice (the
    language switch and the head links), and each answer costs a resolve and a reverse. The
    answer depends only on the address, the language it is read in and the one asked for
    (the URL patterns never change while the process runs)."""
    return _translated(url, translation.get_language(), code)


@functools.lru_cache(maxsize=4096)
def _translated(url: str, current: str | None, code: str) -> str:
    return django_translate_url(url, code)


@register.filter
def family_version(product_id) -> str:
    """In a fragment's cache key: the versions of the one product (tour) it shows, so that a
    seat sold on another tour leaves it cached (shop/core/freshness.py)."""
    from shop.core.freshness import family_version as version

    return version(product_id)


def _live_translations(page) -> list[tuple[str, str]]:
    """(language, address) of the page's live translations, itself included: read once per
    page object (the language switch and the head links both need them) and kept under the
    content version, which publishing, unpublishing, moving or deleting a page replaces."""
    from django.core.cache import cache

    from shop.core.freshness import content_version

    cached = page.__dict__.get("_live_translations")
    if cached is None:
        key = f"page-translations:{page.pk}:{content_version()}"
        cached = cache.get(key)
        if cached is None:
            translations = page.get_translations(inclusive=True).live().select_related("locale")
            cached = [(t.locale.language_code, t.url) for t in translations]
            cache.set(key, cached, 60 * 60)
        page.__dict__["_live_translations"] = cached
    return cached


def _home_urls(request) -> dict:
    """{language: the home page's address in it}, read once per content version."""
    from django.core.cache import cache

    from shop.core.freshness import content_version

    site = Site.find_for_request(request)
    if site is None:
        return {}
    key = f"home-urls:{site.pk}:{content_version()}"
    urls = cache.get(key)
    if urls is None:
        homes = site.root_page.get_translations(inclusive=True).live().select_related("locale")
        urls = {home.locale.language_code: home.url for home in homes}
        cache.set(key, urls, 60 * 60)
    return urls


@register.simple_tag(takes_context=True)
def language_links(context):
    """One link per language to this same page in that language.

    The URL prefix decides the language (none for Russian, /en/ for English), so a plain
    link is enough. A Wagtail page links to its own translation (slugs may differ between
    languages), or to the home page in that language when it has none; any other page goes
    through Django's translation of the i18n URL patterns.
    """
    request = context.get("request")
    page = context.get("page")
    current = active_language()
    translations = {}
    if isinstance(page, Page):
        for code, url in _live_translations(page):
            translations[code] = url
        if len(translations) < len(settings.LANGUAGES) and request is not None:
            for code, url in _home_urls(request).items():
                translations.setdefault(code, url)
    path = request.get_full_path() if request else "/"
    links = []
    for code, name in settings.LANGUAGES:
        links.append(
            {
                "code": code,
                "name": name,
                "short": settings.LANGUAGE_SHORT_NAMES.get(code, name),
                "active": code == current,
                "url": translations.get(code) or translate_url(path, code),
            }
        )
    return links


CANONICAL_PARAMS = ("type", "page")


@register.simple_tag(takes_context=True)
def head_links(context):
    """The page's canonical address and its equivalents in the other languages (for
    <link rel="canonical"> and <link rel="alternate" hreflang>), all absolute.

    A Wagtail page has alternates only where a translation exists; a shop page exists in
    every language. The query string keeps only what makes a different page (type, page).
    """
    from urllib.parse import urlencode

    request = context.get("request")
    if request is None:
        return {}
    page = context.get("page")
    query = urlencode([(k, v) for k, v in request.GET.items() if k in CANONICAL_PARAMS])
    suffix = f"?{query}" if query else ""
    alternates = {}
    if isinstance(page, Page):
        for code, url in _live_translations(page):
            if url:
                alternates[code] = request.build_absolute_uri(url)
    else:
        for code, _name in settings.LANGUAGES:
            alternates[code] = request.build_absolute_uri(translate_url(request.path, code)) + (
                suffix
            )
    canonical = request.build_absolute_uri(request.path) + suffix
    return {
        "canonical": canonical,
        "alternates": sorted(alternates.items()) if len(alternates) > 1 else [],
        "x_default": alternates.get(settings.LANGUAGE_CODE, canonical),
        "og_locale": settings.LANGUAGE_OG_LOCALES.get(active_language(), ""),
    }
