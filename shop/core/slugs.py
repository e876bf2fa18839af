from anyascii import anyascii
from django.utils.text import slugify


def transliterated_slugify(value: str, allow_unicode: bool = False) -> str:
    """Slug Cyrillic titles into readable Latin: «Нерпа» -> "nerpa"."""
    return slugify(anyascii(str(value)))
