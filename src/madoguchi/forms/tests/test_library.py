"""The template library: every shipped template loads, is complete in both languages and fits."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from madoguchi.demo.city import DEMO_DIR
from madoguchi.forms import library
from madoguchi.forms.definition import FormSpec, check_definition
from madoguchi.forms.interchange import BILINGUAL_OPTIONS, CATEGORIES, parse_import
from madoguchi.forms.library import LibraryError, LibraryTemplate, get_template, templates

PATHS = sorted(library.LIBRARY_DIR.glob("*.json"))
CITY = json.loads((DEMO_DIR / "city.json").read_text(encoding="utf-8"))
DEMO_PROCEDURES = {p["slug"] for p in CITY["procedures"]}


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    library.clear_cache()
    yield
    library.clear_cache()


def load(path: Path) -> LibraryTemplate:
    """One template through the library's own loader (and so through parse_import)."""
    return library._load(path)


def test_the_library_has_at_least_eight_templates():
    assert len(PATHS) >= 8


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_template_parses_and_passes_the_checks(path):
    imported = parse_import(path.read_bytes())
    assert imported.slug == path.stem
    assert imported.template is not None and imported.template.category in CATEGORIES
    assert check_definition(imported.definition) == []
    spec = FormSpec(imported.definition)
    assert list(spec.fields())
    template = load(path)
    assert template.definition == imported.definition
    assert template.description == imported.template.description


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_template_file_is_tidy(path):
    """Files are as the exporter writes them: UTF-8, Japanese as is, two-space indents."""
    text = path.read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), ensure_ascii=False, indent=2) + "\n"


def texts(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every bilingual text of a definition (conditions are skipped), with where it is."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("show_if", "require_if"):
                continue
            if key in BILINGUAL_OPTIONS:
                yield f"{path}.{key}", item
            elif key == "options":
                for index, option in enumerate(item):
                    yield f"{path}.options[{index}].label", option.get("label")
            else:
                yield from texts(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from texts(item, f"{path}[{index}]")


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_every_text_has_japanese_and_english(path):
    envelope = json.loads(path.read_text(encoding="utf-8"))
    found = list(texts(envelope["form"]["definition"]))
    found += [("form.title", envelope["form"]["title"]),
              ("template.description", envelope["template"]["description"])]
    assert len(found) > 10
    for where, text in found:
        assert isinstance(text, dict), where
        assert set(text) == {"ja", "en"}, where
        assert text["ja"].strip() and text["en"].strip(), where


def spec_fields(definition: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for page in definition["pages"]:
        for field in page["fields"]:
            yield field
            yield from field.get("fields", [])


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_every_field_has_a_label_and_text_fields_have_limits(path):
    definition = parse_import(path.read_bytes()).definition
    for field in spec_fields(definition):
        if field["type"] == "guidance":
            assert field["text"]["ja"], field["key"]
        else:
            assert field["label"]["ja"] and field["label"]["en"], field["key"]
        if field["type"] == "text":
            assert "max_length" in field, field["key"]


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_template_names_a_demo_procedure_unless_anyone_may_apply(path):
    template = load(path)
    if template.definition.get("access") == "anyone":
        assert template.procedure_slug is None or template.procedure_slug in DEMO_PROCEDURES
        contact = template.definition["contact_field"]
        assert next(f for f in spec_fields(template.definition)
                    if f["key"] == contact)["type"] == "email"
    else:
        assert template.procedure_slug in DEMO_PROCEDURES


def test_templates_and_get_template():
    loaded = templates()
    assert [t.slug for t in loaded] == [p.stem for p in PATHS]
    procedures = [t.procedure_slug for t in loaded if t.procedure_slug]
    assert len(procedures) == len(set(procedures)) >= 6
    assert get_template("jido-teate") is loaded[[t.slug for t in loaded].index("jido-teate")]
    assert get_template("no-such-template") is None
    assert get_template("../definitions/tsugaku-hojo") is None


def test_the_demo_city_publishes_its_forms_from_the_library(demo):
    """The slice form of the foundation is now the 高校生等通学費補助 template, as published."""
    from madoguchi.demo.city import demo_form_definition
    from madoguchi.forms.models import FormDefinition

    for procedure in CITY["procedures"]:
        if procedure.get("form"):
            form = FormDefinition.objects.get(slug=procedure["form"])
            assert form.live_version.definition == demo_form_definition(
                get_template(procedure["form"]).definition, procedure.get("form_changes"))
            assert form.procedure.slug == procedure["slug"]


def test_the_library_uses_the_field_types_and_conditions():
    used: set[str] = set()
    widgets: set[str] = set()
    conditions = 0
    for path in PATHS:
        definition = parse_import(path.read_bytes()).definition
        conditions += sum("show_if" in p for p in definition["pages"])
        for field in spec_fields(definition):
            used.add(field["type"])
            widgets.add(field.get("widget", ""))
            conditions += ("show_if" in field) + ("require_if" in field)
    # (The lone "kana" field was an account holder: it is now part of bank_account.)
    assert {"text", "email", "phone", "number", "date", "choice", "consent", "name",
            "guidance", "address", "my_number", "bank_account", "file", "group"} <= used
    assert {"select", "checkboxes"} <= widgets
    assert conditions >= 20


def test_specific_template_contents():
    ninshin = load(library.LIBRARY_DIR / "ninshin.json").definition
    due = next(f for f in spec_fields(ninshin) if f["key"] == "due_date")
    assert (due["min"], due["max"], due["required"]) == ("today", "+300d", True)
    previous = next(p for p in ninshin["pages"] if p["key"] == "previous")
    assert previous["show_if"] == {"==": [{"var": "previous_pregnancy"}, "yes"]}

    jido = load(library.LIBRARY_DIR / "jido-teate.json").definition
    children = next(f for f in spec_fields(jido) if f["key"] == "children")
    assert children["type"] == "group" and children["min_rows"] == 1
    sub = {f["key"]: f for f in children["fields"]}
    assert sub["child_name"]["kana"] is True and sub["child_birth_date"]["type"] == "date"
    assert sub["child_lives_with"]["type"] == "choice"

    kodomo = {f["type"] for f in spec_fields(load(library.LIBRARY_DIR /
                                                  "kodomo-iryohi.json").definition)}
    assert {"my_number", "group", "file"} <= kodomo

    event = load(library.LIBRARY_DIR / "event-moshikomi.json").definition
    assert event["access"] == "anyone"
    email = next(f for f in spec_fields(event) if f["key"] == event["contact_field"])
    assert email["confirm"] is True

    gan = load(library.LIBRARY_DIR / "gan-kenshin.json").definition
    birth = next(f for f in spec_fields(gan) if f["key"] == "birth_date")
    assert birth["max"] == "-20y"
    assert any("require_if" in f for f in spec_fields(gan))
    assert any(f["type"] == "consent" for f in spec_fields(gan))


def test_a_broken_template_is_reported_with_its_name(tmp_path, monkeypatch):
    (tmp_path / "broken.json").write_text('{"format": "madoguchi-form"}', encoding="utf-8")
    monkeypatch.setattr(library, "LIBRARY_DIR", tmp_path)
    library.clear_cache()
    with pytest.raises(LibraryError, match="broken.json"):
        templates()
    # Another template's slug is still looked up without reading the broken file.
    assert get_template("tsugaku-hojo") is None


def test_a_template_whose_slug_differs_from_its_file_name_is_refused(tmp_path, monkeypatch):
    source = (library.LIBRARY_DIR / "juminhyo.json").read_text(encoding="utf-8")
    (tmp_path / "other.json").write_text(source, encoding="utf-8")
    monkeypatch.setattr(library, "LIBRARY_DIR", tmp_path)
    library.clear_cache()
    with pytest.raises(LibraryError, match="slug 'juminhyo'"):
        get_template("other")


# Words that show a field or page asks where money is paid to (a payee).
PAYEE_WORDS = ("口座", "金融機関", "銀行", "支店", "振込", "名義")
PAYEE_KEY_PARTS = ("bank", "branch", "account", "payee")


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_every_payee_is_asked_with_the_bank_account_field(path):
    """A bank, branch, account number or holder typed in plain boxes stores codes as typed and
    skips the Zengin kana of the holder: a payee is always one bank_account field."""
    definition = parse_import(path.read_bytes()).definition
    for field in spec_fields(definition):
        if field["type"] in ("bank_account", "guidance"):
            continue
        label = (field.get("label") or {}).get("ja", "")
        assert not any(word in label for word in PAYEE_WORDS), (field["key"], label)
        assert not any(part in field["key"] for part in PAYEE_KEY_PARTS), field["key"]
    for page in definition["pages"]:
        if any(word in page["title"]["ja"] for word in PAYEE_WORDS):
            types = [f["type"] for f in page["fields"]]
            assert types.count("bank_account") == 1, (page["key"], types)


def test_the_commuting_subsidy_asks_for_its_payee_with_the_bank_account_field():
    tsugaku = load(library.LIBRARY_DIR / "tsugaku-hojo.json").definition
    bank = next(p for p in tsugaku["pages"] if p["key"] == "bank")
    assert [(f["key"], f["type"], f["required"]) for f in bank["fields"]] == [
        ("payment_account", "bank_account", True)]


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_labels_leave_required_and_optional_to_the_tag(path):
    """Every label gets a 必須 or 任意 tag from the page; a label that says it again reads
    「…（任意）任意」."""
    definition = parse_import(path.read_bytes()).definition
    for field in spec_fields(definition):
        label = field.get("label") or {}
        assert not any(word in label.get("ja", "") for word in ("任意", "必須")), label
        assert not any(word in label.get("en", "").lower()
                       for word in ("optional", "required")), label


def test_example_postal_codes_in_hints_find_an_address():
    """A hint that says "type the code and press 住所を検索 (e.g. …)" must give a code the look-up
    finds: the demo city's own code is fictional and finds nothing."""
    from madoguchi.jp.address import lookup_postal_code

    examples = [(path.stem, code) for path in PATHS
                for field in spec_fields(parse_import(path.read_bytes()).definition)
                if field["type"] == "address"
                for text in (field.get("hint") or {}).values()
                for code in re.findall(r"\b\d{3}-\d{4}\b", text)]
    assert len(examples) >= 7
    for where, code in examples:
        candidates = lookup_postal_code(code)
        assert len(candidates) == 1, (where, code, candidates)
        assert candidates[0].town == "緑ケ丘", (where, code)  # like the demo city's name
