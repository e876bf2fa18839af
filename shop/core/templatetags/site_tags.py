from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language
from wagtail.models import Page, Site

register = template.Library()


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
    current = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    translations = {}
    if isinstance(page, Page):
        for translation in page.get_translations(inclusive=True).live().select_related("locale"):
            translations[translation.locale.language_code] = translation.url
        if len(translations) < len(settings.LANGUAGES) and request is not None:
            site = Site.find_for_request(request)
            if site is not None:
                for home in site.root_page.get_translations(inclusive=True).live():
                    translations.setdefault(home.locale.language_code, home.url)
    path = request.get_full_path() if request else "/"
    links = []
    for code, name in settings.LANGUAGES:
        links.append(
            {
                "code": code,
                "name": name,
                "short": code.split("-")[0].upper(),
                "active": code == current,
                "url": translations.get(code) or translate_url(path, code),
            }
        )
    return links
