"""The Chinese catalogues are complete and compiled: a Chinese-first UI shows no English.

Every catalogue (each app keeps its own, in <app>/locale) has a Chinese msgstr for every live entry,
no fuzzy entries (gettext skips them, so the page would show the English msgid), and its
committed .mo says what its .po says (a forgotten `compilemessages` fails here).
"""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
CATALOGUES = sorted(
    p
    for p in ROOT.glob("**/locale/zh_Hans/LC_MESSAGES/django.po")
    if not {".venv", "node_modules", "var"} & set(p.relative_to(ROOT).parts)
)


def _unquote(lines: list[str]) -> str:
    return "".join(ast.literal_eval(line) for line in lines)


def entries(path: Path):
    """(msgctxt, msgid, msgid_plural, [msgstr…], flags) of each live entry of a .po file."""
    entry: dict = {}
    key = None

    def flush():
        if "msgid" in entry:
            yield (
                _unquote(entry.get("msgctxt", [])) or None,
                _unquote(entry["msgid"]),
                _unquote(entry.get("msgid_plural", [])) or None,
                [
                    _unquote(v)
                    for k, v in sorted(entry.items())
                    if k == "msgstr" or k.startswith("msgstr[")
                ],
                entry.get("flags", ""),
            )

    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            yield from flush()
            entry, key = {}, None
        elif line.startswith("#~"):
            continue  # obsolete: not compiled
        elif line.startswith("#,"):
            entry["flags"] = line[2:]
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key].append(line)
        else:
            key, _, value = line.partition(" ")
            entry[key] = [value]


def test_every_app_keeps_its_own_catalogue():
    # One agreed place: <app>/locale for every app of the project, none at the root.
    apps = {p.parent.name for p in ROOT.glob("*/apps.py")}
    places = {p.relative_to(ROOT).parts[0] for p in CATALOGUES}
    assert apps
    assert places == apps


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_catalogue_is_translated_and_compiled(path):
    live = [e for e in entries(path) if e[1]]  # the header has an empty msgid
    assert live, f"{path} has no entries"
    fuzzy = [msgid for _, msgid, _, _, flags in live if "fuzzy" in flags]
    empty = [msgid for _, msgid, _, strs, _ in live if not all(strs)]
    assert not fuzzy, f"fuzzy in {path}: {fuzzy[:10]}"
    assert not empty, f"untranslated in {path}: {empty[:10]}"
    with path.with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for context, msgid, plural, strs, _ in live:
        if plural:
            got = (
                compiled.npgettext(context, msgid, plural, 1)
                if context
                else (compiled.ngettext(msgid, plural, 1))
            )
        else:
            got = compiled.pgettext(context, msgid) if context else compiled.gettext(msgid)
        if got != strs[0]:
            stale.append(msgid)
    assert not stale, f"{path.with_suffix('.mo')} is stale, run `make messages`: {stale[:10]}"
