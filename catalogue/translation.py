"""Per-language texts for catalogue objects.

Russian, the shop's main language, lives in Oscar's own fields; every other language has a
row in a translation table, so adding a language needs translations only, no code.
"""

from django.conf import settings
from django.utils.translation import get_language, get_supported_language_variant


def active_language() -> str:
    """The active language as listed in settings.LANGUAGES ("en", "zh-hans")."""
    language = (get_language() or settings.LANGUAGE_CODE).lower()
    try:
        return get_supported_language_variant(language)
    except LookupError:
        return settings.LANGUAGE_CODE


def is_default_language(language: str) -> bool:
    return language == settings.LANGUAGE_CODE


def translation_languages() -> list[tuple[str, str]]:
    """The languages editors translate into: every language of the site but the main one."""
    return [(code, name) for code, name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


class TranslatedMixin:
    """Find the active language's row among `self.translations` (prefetch it in lists)."""

    def get_translation(self):
        language = active_language()
        if is_default_language(language) or self.pk is None:
            return None
        cache = self.__dict__.setdefault("_translation_cache", {})
        if language not in cache:
            cache[language] = next(
                (row for row in self.translations.all() if row.language == language), None
            )
        return cache[language]

    def translated(self, field: str, fallback):
        row = self.get_translation()
        value = getattr(row, field, "") if row is not None else ""
        return value or fallback
