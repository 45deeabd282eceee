"""Every resident language translates every msgid a resident can read, keeping its placeholders.

The resident msgids are chosen by ``scripts/resident_msgids.py`` from the references of the
Japanese catalog (staff-only code excluded). A catalog that is still header-only (the translation
has not been dropped in yet) is skipped with that reason; any other catalog is checked in full.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import polib
import pytest
from django.utils.translation import to_locale

from madoguchi.core import languages

ROOT = Path(__file__).resolve().parents[4]


def _load_rule() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "resident_msgids", ROOT / "scripts" / "resident_msgids.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


rule = _load_rule()
NEW_LANGUAGES = [code for code in languages.TRANSLATED_LANGUAGES if code != "en"]
# Placeholders and markup a translation must keep: %(name)s, %s, {name}, tags and entities.
MARKERS = re.compile(
    r"%\([a-zA-Z0-9_]+\)[sdif]|%[sdif]|\{[a-zA-Z0-9_]*\}|</?[a-zA-Z][^>]*>|&[a-z]+;"
)


def catalog_path(code: str) -> Path:
    return rule.LOCALE_DIR / to_locale(code) / "LC_MESSAGES" / "django.po"


@pytest.fixture(scope="module")
def resident_keys() -> set[tuple[str | None, str]]:
    return rule.resident_keys()


def translations(entry: polib.POEntry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


def placeholder_problem(entry: polib.POEntry) -> str:
    """Why the translation of ``entry`` loses or adds a placeholder or markup ('' if fine)."""
    wanted = sorted(MARKERS.findall(entry.msgid))
    for text in translations(entry):
        got = sorted(MARKERS.findall(text))
        # A language with one plural form may follow msgid_plural (%(count)s) instead.
        if got != wanted and not (
            entry.msgid_plural and got == sorted(MARKERS.findall(entry.msgid_plural))
        ):
            return f"{entry.msgid[:60]!r}: {wanted} vs {got}"
    if entry.msgid.endswith("\n") != translations(entry)[0].endswith("\n"):
        return f"{entry.msgid[:60]!r}: trailing newline differs"
    return ""


def load(code: str) -> polib.POFile:
    path = catalog_path(code)
    assert path.exists(), f"{path} is missing"
    po = polib.pofile(str(path))
    if not any(entry.msgid and not entry.obsolete for entry in po):
        pytest.skip(
            f"{path.relative_to(ROOT)} is header-only: the {code} translation has not "
            "been dropped in yet"
        )
    return po


@pytest.mark.parametrize("code", NEW_LANGUAGES)
def test_every_resident_msgid_is_translated(code, resident_keys):
    po = load(code)
    done = {
        (e.msgctxt, e.msgid)
        for e in po
        if not e.obsolete and "fuzzy" not in e.flags and all(t.strip() for t in translations(e))
    }
    missing = sorted(resident_keys - done, key=lambda key: key[1])
    assert not missing, f"{code}: {len(missing)} resident msgids untranslated (or fuzzy):\n" + (
        "\n".join(f"  {msgid!r}" for _ctx, msgid in missing[:30])
    )


@pytest.mark.parametrize("code", NEW_LANGUAGES)
def test_translations_keep_placeholders_and_markup(code):
    po = load(code)
    problems = [
        problem
        for e in po.translated_entries()
        if not e.obsolete and (problem := placeholder_problem(e))
    ]
    assert not problems, f"{code}:\n" + "\n".join(f"  {p}" for p in problems[:30])


@pytest.mark.parametrize("code", NEW_LANGUAGES)
def test_the_compiled_catalog_is_up_to_date(code, tmp_path):
    path = catalog_path(code)
    mo = path.with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: run scripts/compile_messages.py"
    fresh = tmp_path / "django.mo"
    polib.pofile(str(path)).save_as_mofile(str(fresh))
    assert fresh.read_bytes() == mo.read_bytes(), "recompile: scripts/compile_messages.py"


# --- the rule choosing the resident msgids ---------------------------------------------------
def entry(*paths: str) -> polib.POEntry:
    return polib.POEntry(msgid="x", occurrences=[(path, "1") for path in paths])


@pytest.mark.parametrize(
    ("paths", "resident"),
    [
        (["src/madoguchi/catalog/templates/catalog/procedure_detail.html"], True),
        (["src/madoguchi/applications/templates/applications/staff/inbox.html"], False),
        (["src/madoguchi/staff/forms.py"], False),  # the staff app's own files
        (["src/madoguchi/bpr/views.py", "src/madoguchi/counter/views.py"], False),
        (
            ["src/madoguchi/counter/templates/counter/pre/start.html"],
            True,
        ),  # residents' pre-application
        (["src/madoguchi/counter/preapp_views.py"], True),
        (["src/madoguchi/bpr/views.py", "src/madoguchi/faq/views.py"], True),  # used by both
        ([], True),  # added by hand, not yet refreshed: counted, so nothing is missed
    ],
)
def test_the_resident_msgid_rule(paths, resident):
    assert rule.is_resident(entry(*paths)) is resident


def test_the_japanese_catalog_gives_resident_and_staff_msgids(resident_keys):
    ja = polib.pofile(str(rule.JA_PO))
    everything = {(e.msgctxt, e.msgid) for e in ja if e.msgid and not e.obsolete}
    assert (None, "Find a procedure") in resident_keys
    assert (None, "Staff back office") not in resident_keys
    assert resident_keys < everything
