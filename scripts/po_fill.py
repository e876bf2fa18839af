"""Set the msgstr entries of a .po file from a TOML table of translations.

Used by `make messages` so that the Russian catalogue is kept in a reviewable source file
(locale/ru.toml) next to the generated .po: the table wins over what the .po held.
Plural entries take a list of forms.
    python scripts/po_fill.py locale/ru/LC_MESSAGES/django.po locale/ru.toml
"""

import re
import sys
import tomllib


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _unquote_lines(lines: list[str]) -> str:
    out = []
    for line in lines:
        body = line.strip()
        body = body[body.index('"') + 1 : body.rindex('"')]
        out.append(body.encode().decode("unicode_escape").encode("latin-1").decode("utf-8"))
    return "".join(out)


RUSSIAN_PLURALS = (
    "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : "
    "n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);"
)


PLURALS = {"ru.toml": RUSSIAN_PLURALS, "zh_Hans.toml": "nplurals=1; plural=0;"}


def _fixed_header(header: str, table_path: str) -> str:
    """The generated header is fuzzy (msgfmt would skip it) and has a placeholder plural rule."""
    lines = [line for line in header.split("\n") if line != "#, fuzzy"]
    plurals = PLURALS.get(table_path.rsplit("/", 1)[-1])
    if plurals:
        lines = [
            line
            for line in lines
            if not (line.startswith('"') and not re.match(r'^"[A-Z][A-Za-z-]*: ', line))
            and "Plural-Forms" not in line
        ]
        at = next(i for i, line in enumerate(lines) if line.startswith('"Content-Transfer'))
        lines.insert(at + 1, f'"Plural-Forms: {plurals}\\n"')
    return "\n".join(lines)


def fill(po_path: str, table_path: str) -> int:
    with open(table_path, "rb") as fh:
        table = tomllib.load(fh)["messages"]
    with open(po_path, encoding="utf-8") as fh:
        text = fh.read()
    entries = text.split("\n\n")
    missing = 0
    for index, entry in enumerate(entries):
        lines = entry.split("\n")
        msgid_at = next((i for i, line in enumerate(lines) if line.startswith("msgid ")), None)
        if msgid_at is None:
            continue
        end = msgid_at + 1
        while end < len(lines) and lines[end].startswith('"'):
            end += 1
        msgid = _unquote_lines(lines[msgid_at:end])
        if not msgid:
            continue
        rest = lines[end:]
        if rest and rest[0].startswith("msgid_plural"):
            forms = table.get(msgid)
            if not forms:
                missing += 1
                continue
            # A long msgid_plural wraps onto continuation lines: keep them all.
            plural_end = 1
            while plural_end < len(rest) and rest[plural_end].startswith('"'):
                plural_end += 1
            head = lines[:end] + rest[:plural_end]
            entry_lines = head + [f"msgstr[{n}] {_quote(form)}" for n, form in enumerate(forms)]
        else:
            translation = table.get(msgid)
            if translation is None:
                missing += 1
                continue
            entry_lines = lines[:end] + [f"msgstr {_quote(translation)}"]
        entry_lines = [_unfuzzy(line) for line in entry_lines if not line.startswith("#|")]
        entry_lines = [line for line in entry_lines if line is not None]
        entries[index] = "\n".join(entry_lines)
    entries[0] = _fixed_header(entries[0], table_path)
    with open(po_path, "w", encoding="utf-8") as fh:
        fh.write("\n\n".join(entries))
    return missing


def _unfuzzy(line: str) -> str | None:
    """Drop the fuzzy flag (msgfmt skips fuzzy entries) and keep the other flags."""
    if not line.startswith("#,"):
        return line
    flags = [flag.strip() for flag in line[2:].split(",") if flag.strip() != "fuzzy"]
    return "#, " + ", ".join(flags) if flags else None


if __name__ == "__main__":
    left = fill(sys.argv[1], sys.argv[2])
    print(f"{sys.argv[1]}: {left} messages keep their English source text")
    sys.exit(0)
