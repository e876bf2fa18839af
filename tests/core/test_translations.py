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


# --- Simplified Chinese: the tourist-facing strings -------------------------------------------

ZH_PO = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"

# Files only staff see (dashboard, student workspace, teachers' reports, Wagtail's choosers, the
# demo loader): their strings may stay English on the Chinese site. A string used in at least one
# other file is tourist-facing and needs a Chinese translation.
STAFF_ONLY_PREFIXES = (
    "templates/team/",
    "templates/teaching/",
    "templates/bookings/dashboard/",
    "templates/oscar/dashboard/",
    "templates/core/dashboard/",
    "shop/core/login_guard.py",
    "shop/team/",
    "shop/teaching/",
    "shop/bookings/dashboard/",
    "shop/order/dashboard",
    "shop/payments/dashboard",
    "shop/core/roles.py",
    "shop/activity/",
    "shop/demo/",
    "cms/choosers.py",
    "cms/wagtail_hooks.py",
)

PLACEHOLDER = re.compile(r"%\(\w+\)[a-zA-Z]|\{\w+\}")


def _is_tourist_facing(refs: list[str]) -> bool:
    return any(
        not ref.startswith(".venv") and not ref.startswith(STAFF_ONLY_PREFIXES) for ref in refs
    )


def _upstream_translations(locale: str) -> set[str]:
    """Like `_translated_upstream()`, for any locale directory name ("zh_Hans")."""
    import django
    import oscar

    found = set()
    for package in (oscar, django):
        for po in Path(package.__file__).parent.rglob(f"locale/{locale}/LC_MESSAGES/django.po"):
            text = po.read_text(encoding="utf-8")
            found |= {
                m
                for m, _r, strings, fuzzy in _entries(text)
                if strings and all(strings) and not fuzzy
            }
    return found


def test_every_tourist_facing_string_is_translated_to_chinese():
    upstream = _upstream_translations("zh_Hans")
    missing = [
        msgid
        for msgid, refs, strings, fuzzy in _entries(ZH_PO.read_text(encoding="utf-8"))
        if _is_tourist_facing(refs)
        and (fuzzy or not strings or not all(strings))
        and msgid not in upstream
    ]
    assert not missing, "Add these to locale/zh_Hans.toml and run `make messages`:\n" + "\n".join(
        missing
    )


def test_the_staff_only_rule_leaves_chinese_tourist_strings():
    """The rule reads `#:` references as makemessages writes them (path:line)."""
    assert _is_tourist_facing(["templates/team/order.html:3", "templates/base.html:6"])
    assert not _is_tourist_facing(["shop/teaching/reports.py:204", "templates/team/order.html:10"])
    tourist = [
        m
        for m, refs, _s, _f in _entries(ZH_PO.read_text(encoding="utf-8"))
        if _is_tourist_facing(refs)
    ]
    assert "Basket" in tourist and "Sold out" in tourist


def _catalogue_messages(text: str):
    """(msgid, msgid_plural or "", [msgstr...], fuzzy) of every entry, unescaped as far as
    placeholders go."""
    for block in text.split("\n\n"):
        lines = block.strip().splitlines()
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        body = "\n".join(line for line in lines if not line.startswith("#"))
        parts = {}
        for key, value in re.findall(
            r'^(msgid_plural|msgid|msgstr(?:\[\d+\])?) ((?:".*"\n?)+)', body, re.M
        ):
            parts.setdefault(key, []).append("".join(re.findall(r'"(.*)"', value)))
        msgid = parts.get("msgid", [""])[0]
        if not msgid:
            continue
        strings = [s for key, values in parts.items() if key.startswith("msgstr") for s in values]
        yield msgid, parts.get("msgid_plural", [""])[0], strings, fuzzy


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text.replace("%%", "")))


@pytest.mark.parametrize("language", ["ru", "zh_Hans"])
def test_translations_keep_the_placeholders_of_their_source(language):
    """A translation that drops, renames or adds a %(name)s (or a {name} of str.format) raises
    KeyError or loses data where it is formatted; catch it here, not on the live site."""
    po = Path(settings.BASE_DIR) / "locale" / language / "LC_MESSAGES" / "django.po"
    broken = []
    for msgid, plural, strings, fuzzy in _catalogue_messages(po.read_text(encoding="utf-8")):
        if fuzzy:
            continue  # msgfmt leaves fuzzy entries out: the source text is used
        expected = _placeholders(msgid) | _placeholders(plural)
        for string in strings:
            if string and _placeholders(string) != expected:
                broken.append(f"{msgid!r} -> {string!r}")
    assert not broken, f"Placeholders differ in locale/{language}:\n" + "\n".join(broken)
