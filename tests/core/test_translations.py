"""Every interface string of the site's own code has a Russian translation."""

import re
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.smoke

PO = Path(settings.BASE_DIR) / "locale" / "ru" / "LC_MESSAGES" / "django.po"


def _entries(text: str):
    for block in text.split("\n\n"):
        lines = block.strip().splitlines()
        refs = [part for line in lines if line.startswith("#:") for part in line[2:].split()]
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        body = "\n".join(line for line in lines if not line.startswith("#"))
        match = re.search(r'^msgid ((?:".*"\n?)+)', body, re.M)
        if not match:
            continue
        msgid = "".join(re.findall(r'"(.*)"', match.group(1)))
        strings = [
            "".join(re.findall(r'"(.*)"', m))
            for m in re.findall(r'^msgstr(?:\[\d\])? ((?:".*"\n?)+)', body, re.M)
        ]
        if msgid:
            yield msgid, refs, strings, fuzzy


def _translated_upstream() -> set[str]:
    """Strings Oscar or Django already translate: at run time Django falls back to them."""
    import django
    import oscar

    found = set()
    for package in (oscar, django):
        for po in Path(package.__file__).parent.rglob("locale/ru/LC_MESSAGES/django.po"):
            text = po.read_text(encoding="utf-8")
            found |= {m for m, _r, strings, fuzzy in _entries(text) if strings and all(strings)}
    return found


def test_every_string_of_our_own_code_is_translated_to_russian():
    upstream = _translated_upstream()
    missing = [
        msgid
        for msgid, refs, strings, fuzzy in _entries(PO.read_text(encoding="utf-8"))
        if any(not ref.startswith(".venv") for ref in refs)
        and (fuzzy or not strings or not all(strings))
        and msgid not in upstream
    ]
    assert not missing, "Add these to locale/ru.toml and run `make messages`:\n" + "\n".join(
        missing
    )
