"""Every message of the site's own code reads in Russian and in Simplified Chinese.

The messages are those `make messages` extracts (read here from the code itself, so that a
message added without running it is caught too, and from the generated catalogues). A
message is translated for a language when the compiled catalogue Django reads at run time
has it: ours (locale/<language>/LC_MESSAGES/django.mo, filled from locale/<language>.toml),
or one of those Django merges under ours (Django's own and every installed app's: Oscar,
Wagtail, axes...), found the way gettext finds them. An empty translation of ours is left
out of the compiled catalogue, so theirs answers; where none has it, a Russian page shows
the English source and a Chinese page falls back to the default language, Russian.
"""

import ast
import gettext
import os
import re
from dataclasses import dataclass
from pathlib import Path

import django
import pytest
from django.apps import apps
from django.conf import settings
from django.utils.translation import to_locale
from django.utils.translation.template import templatize

BASE_DIR = Path(settings.BASE_DIR)
LOCALE_DIR = BASE_DIR / "locale"
LANGUAGES = ["ru", "zh-hans"]


@dataclass(frozen=True)
class Message:
    msgid: str
    plural: str = ""
    context: str = ""

    def __str__(self):
        text = repr(self.msgid)
        if self.plural:
            text += f" / plural {self.plural!r}"
        if self.context:
            text += f" (context {self.context!r})"
        return text


# --- The messages of our code ------------------------------------------------------------------

# The keywords `manage.py makemessages` gives xgettext for Python (its own and xgettext's),
# with the positions of the context, singular and plural arguments.
KEYWORDS = {
    "_": (None, 0, None),
    "gettext": (None, 0, None),
    "gettext_lazy": (None, 0, None),
    "gettext_noop": (None, 0, None),
    "ngettext": (None, 0, 1),
    "ngettext_lazy": (None, 0, 1),
    "pgettext": (0, 1, None),
    "pgettext_lazy": (0, 1, None),
    "npgettext": (0, 1, 2),
    "npgettext_lazy": (0, 1, 2),
}

# As the Makefile's `makemessages` call: the virtualenv, var/ and tests/ are left out, and so
# are the folders makemessages always skips (hidden ones) and those git ignores.
SKIPPED_FOLDERS = {"var", "tests", "media", "staticfiles", "screenshots", "__pycache__"}


def _source_files():
    for folder, subfolders, files in os.walk(BASE_DIR):
        subfolders[:] = sorted(
            name
            for name in subfolders
            if not name.startswith(".")
            and not name.endswith(".egg-info")
            and not (Path(folder) == BASE_DIR and name in SKIPPED_FOLDERS)
            and name != "__pycache__"
        )
        for name in sorted(files):
            if name.endswith((".py", ".html", ".txt")):
                yield Path(folder) / name


def _message(strings: list[str], positions) -> Message | None:
    context_at, singular_at, plural_at = positions
    needed = [at for at in positions if at is not None]
    if len(strings) <= max(needed) or any(strings[at] is None for at in needed):
        return None  # not a literal: xgettext cannot extract it either
    return Message(
        msgid=strings[singular_at],
        plural=strings[plural_at] if plural_at is not None else "",
        context=strings[context_at] if context_at is not None else "",
    )


def python_messages(source: str, *, in_f_strings: bool = False):
    """(Message, line) of every gettext call with literal arguments, as xgettext sees them.

    xgettext (0.21, Debian 12's) does not look inside f-strings: a call there is never
    extracted, so never translated. Those calls are yielded only with `in_f_strings`."""
    tree = ast.parse(source)
    hidden = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.JoinedStr)
        for inner in ast.walk(node)
    }
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or (id(node) in hidden) != in_f_strings:
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name not in KEYWORDS:
            continue
        strings = [
            arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None
            for arg in node.args
        ]
        message = _message(strings, KEYWORDS[name])
        if message and message.msgid:
            yield message, node.lineno


# makemessages turns a template into Python-like text (`templatize`) in which each
# translation is a call with Python string literals, and hands that to xgettext.
TEMPLATE_CALL = re.compile(
    r"(?<![\w.])(npgettext|pgettext|ngettext|gettext|_)\("
    r"((?:\s*u?(?:'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\")\s*,?)+)"
)
STRING_LITERAL = re.compile(r"u?('(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\")")


def template_messages(source: str, origin: str = ""):
    text = templatize(source, origin)
    for match in TEMPLATE_CALL.finditer(text):
        strings = [ast.literal_eval(s) for s in STRING_LITERAL.findall(match.group(2))]
        message = _message(strings, KEYWORDS[match.group(1)])
        if message and message.msgid:
            yield message, text.count("\n", 0, match.start()) + 1


def code_messages() -> dict[Message, list[str]]:
    """Every message our code marks for translation, with where it is used (path:line)."""
    found: dict[Message, list[str]] = {}
    for path in _source_files():
        source = path.read_text(encoding="utf-8")
        where = path.relative_to(BASE_DIR).as_posix()
        if path.suffix == ".py":
            messages = python_messages(source)
        else:
            messages = template_messages(source, where)
        for message, line in messages:
            found.setdefault(message, []).append(f"{where}:{line}")
    return found


# --- The generated catalogues (.po) -------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    message: Message
    strings: tuple[str, ...]
    fuzzy: bool
    refs: tuple[str, ...]


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t", "r": "\r"}.get(m[1], m[1]), text)


def po_entries(path: Path):
    """The entries of a .po file, the header and obsolete (#~) ones left out."""
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        refs, flags, fields, key = [], [], {}, None
        for line in block.strip().splitlines():
            if line.startswith("#:"):
                refs += line[2:].split()
            elif line.startswith("#,"):
                flags += [flag.strip() for flag in line[2:].split(",")]
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                fields[key] += _unescape(line.strip()[1:-1])
            else:
                key, _space, value = line.partition(" ")
                fields[key] = _unescape(value.strip()[1:-1])
        if not fields.get("msgid"):
            continue
        forms = sorted(
            (key for key in fields if key.startswith("msgstr")),
            key=lambda key: int(key[7:-1] or 0) if "[" in key else 0,
        )
        yield Entry(
            Message(fields["msgid"], fields.get("msgid_plural", ""), fields.get("msgctxt", "")),
            tuple(fields[key] for key in forms),
            "fuzzy" in flags,
            tuple(refs),
        )


def _po_path(language: str) -> Path:
    return LOCALE_DIR / to_locale(language) / "LC_MESSAGES" / "django.po"


# --- The compiled catalogues Django reads -------------------------------------------------------


@dataclass(frozen=True)
class Catalogue:
    messages: dict
    nplurals: int

    def translates(self, message: Message) -> bool:
        key = f"{message.context}\x04{message.msgid}" if message.context else message.msgid
        if message.plural:
            return all(self.messages.get((key, n)) for n in range(self.nplurals))
        return bool(self.messages.get(key))


def _catalogue(localedir: Path, language: str) -> Catalogue | None:
    found = gettext.translation("django", localedir, [to_locale(language)], fallback=True)
    if not isinstance(found, gettext.GNUTranslations):
        return None
    rule = found._info.get("plural-forms", "nplurals=2;")
    return Catalogue(found._catalog, int(re.search(r"nplurals\s*=\s*(\d+)", rule)[1]))


def their_catalogues(language: str) -> list[Catalogue]:
    """Those `DjangoTranslation` merges under LOCALE_PATHS: Django's, then the apps'."""
    folders = [Path(django.__file__).parent / "conf" / "locale"]
    folders += [Path(config.path) / "locale" for config in apps.get_app_configs()]
    ours = {Path(path).resolve() for path in settings.LOCALE_PATHS}
    catalogues = [
        _catalogue(folder, language)
        for folder in folders
        if folder.is_dir() and folder.resolve() not in ours
    ]
    return [catalogue for catalogue in catalogues if catalogue]


def our_catalogue(language: str) -> Catalogue:
    return _catalogue(LOCALE_DIR, language)


def untranslated(language: str, messages: dict[Message, list[str]]) -> list[str]:
    """The messages no compiled catalogue translates for `language`, with where they are used."""
    catalogues = [our_catalogue(language), *their_catalogues(language)]
    return [
        f"{message}  used in {', '.join(where)}"
        for message, where in messages.items()
        if not any(catalogue.translates(message) for catalogue in catalogues)
    ]


def all_messages(language: str) -> dict[Message, list[str]]:
    """What the code marks for translation, and what the catalogue holds (a message the reader
    of the code would miss is still checked)."""
    messages = code_messages()
    for entry in po_entries(_po_path(language)):
        messages.setdefault(entry.message, list(entry.refs))
    return messages


# --- The tests ----------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_of_ours_is_translated(language):
    missing = untranslated(language, all_messages(language))
    table = f"locale/{to_locale(language)}.toml"
    assert not missing, (
        f"{len(missing)} messages have no {language} translation: add them to {table} "
        "(a plural takes a list of the language's forms) and run `make messages`:\n"
        + "\n".join(missing)
    )


def test_a_new_message_without_a_translation_is_reported_where_it_is_used():
    new_template = (
        '<p>{% translate "Our lighthouse ferry leaves at dawn" %}</p>\n'
        "{% blocktranslate count counter=seats %}{{ counter }} lighthouse seat"
        "{% plural %}{{ counter }} lighthouse seats{% endblocktranslate %}\n"
    )
    new_code = 'label = pgettext_lazy("ferry", "Lighthouse")\n'
    messages = {}
    for message, line in template_messages(new_template):
        messages.setdefault(message, []).append(f"templates/new.html:{line}")
    for message, line in python_messages(new_code):
        messages.setdefault(message, []).append(f"shop/new.py:{line}")
    # Only Oscar's catalogue has this one, in both languages: a message of ours may lean on it.
    messages[Message("Add to wish list")] = ["templates/new.html:3"]

    for language in LANGUAGES:
        assert untranslated(language, messages) == [
            "'Our lighthouse ferry leaves at dawn'  used in templates/new.html:1",
            "'%(counter)s lighthouse seat' / plural '%(counter)s lighthouse seats'"
            "  used in templates/new.html:2",
            "'Lighthouse' (context 'ferry')  used in shop/new.py:1",
        ]


def test_a_russian_plural_needs_all_three_forms():
    catalogue = Catalogue({("%(n)s seat", 0): "%(n)s место", ("%(n)s seat", 1): "%(n)s места"}, 3)
    assert not catalogue.translates(Message("%(n)s seat", "%(n)s seats"))
    assert Catalogue({("%(n)s seat", 0): "%(n)s个名额"}, 1).translates(
        Message("%(n)s seat", "%(n)s seats")
    )


def test_the_code_reader_finds_what_makemessages_found():
    """Every message the catalogue attributes to a file of ours is seen in that file, so that a
    message added later is seen before `make messages` has put it in the catalogue."""
    seen = code_messages()
    unseen = [
        f"{entry.message}  ({', '.join(entry.refs)})"
        for entry in po_entries(_po_path("ru"))
        if entry.refs and entry.message not in seen
    ]
    assert not unseen, (
        "The catalogue has these, the code reader does not see them (if the code no longer has "
        "them, run `make messages`; if it does, teach python_messages or template_messages the "
        "way they are written):\n" + "\n".join(unseen)
    )


# Calls inside f-strings that makemessages misses (shown in English on every language of the
# site); remove an entry once its call is taken out of the f-string.
KNOWN_IN_F_STRINGS: set[str] = set()


def test_no_message_hides_inside_an_f_string():
    hidden = set()
    for path in _source_files():
        if path.suffix == ".py":
            source = path.read_text(encoding="utf-8")
            for message, _line in python_messages(source, in_f_strings=True):
                hidden.add(f"{message}  {path.relative_to(BASE_DIR).as_posix()}")
    assert hidden == KNOWN_IN_F_STRINGS, (
        "xgettext does not read gettext calls inside f-strings, so these are never translated: "
        'translate outside the f-string, e.g. _("%(why)s Nothing was charged.") % {...}\n'
        f"new: {sorted(hidden - KNOWN_IN_F_STRINGS)}\n"
        f"gone (remove from KNOWN_IN_F_STRINGS): {sorted(KNOWN_IN_F_STRINGS - hidden)}"
    )


PLACEHOLDER = re.compile(r"%\(\w+\)[a-zA-Z]|\{\w+\}")


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text.replace("%%", "")))


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders_of_their_source(language):
    """A translation that drops, renames or adds a %(name)s (or a {name} of str.format) raises
    KeyError or loses data where it is formatted; catch it here, not on the live site."""
    broken = []
    for entry in po_entries(_po_path(language)):
        if entry.fuzzy:
            continue  # msgfmt leaves fuzzy entries out: the source text is used
        expected = _placeholders(entry.message.msgid) | _placeholders(entry.message.plural)
        for string in entry.strings:
            if string and _placeholders(string) != expected:
                broken.append(f"{entry.message} -> {string!r}")
    assert not broken, f"Placeholders differ in locale/{language}:\n" + "\n".join(broken)
