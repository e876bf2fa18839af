from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context):
    """One entry per language, pointing at this same page in that language.

    A Wagtail page links to its own translation (slugs may differ between languages);
    any other page goes through Django's URL translation of the i18n patterns.
    """
    request = context.get("request")
    page = context.get("page")
    current = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    translations = {}
    if page is not None and hasattr(page, "get_translations"):
        for translation in page.get_translations(inclusive=True).live().select_related("locale"):
            translations[translation.locale.language_code] = translation.url
    path = request.get_full_path() if request else "/"
    links = []
    for code, name in settings.LANGUAGES:
        links.append(
            {
                "code": code,
                "name": name,
                "short": code.split("-")[0].upper() if code != "zh-hans" else "中文",
                "active": code == current,
                "next": translations.get(code) or translate_url(path, code),
            }
        )
    return links
