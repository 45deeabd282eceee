"""Form interchange: export, import, every refusal, and a fuzz test on hostile files."""

from __future__ import annotations

import copy
import datetime as dt
import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.template import Context, Template
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from madoguchi.forms.definition import FormSpec, check_definition
from madoguchi.forms.interchange import (
    FORMAT_NAME,
    MAX_BYTES,
    MAX_FIELDS,
    MAX_NESTING,
    MAX_OPTIONS,
    MAX_PAGES,
    MAX_REPORTED_PROBLEMS,
    MAX_STRING_LENGTH,
    ImportedForm,
    ImportRefused,
    TemplateMeta,
    build_envelope,
    dumps,
    export_form,
    export_json,
    parse_import,
)
from madoguchi.forms.library import LIBRARY_DIR
from madoguchi.forms.models import FormDefinition


@pytest.fixture(autouse=True)
def english(japanese):  # runs inside the package's Japanese override
    """Messages are read in English here, whatever translations exist."""
    with translation.override("en"):
        yield


def demo_definition() -> dict[str, Any]:
    path = LIBRARY_DIR / "tsugaku-hojo.json"
    return json.loads(path.read_text(encoding="utf-8"))["form"]["definition"]


def envelope(**changes: Any) -> dict[str, Any]:
    """A valid envelope around the demo form; ``changes`` replace top-level keys."""
    definition = demo_definition()
    result = build_envelope(
        "tsugaku-hojo", definition["title"], definition, procedure_slug="tsugaku-hojo",
        exported_at=dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC),
    )
    result.update(changes)
    return result


def raw(value: Any) -> bytes:
    """JSON bytes; lone surrogates (not UTF-8) are written as \\u escapes."""
    try:
        return json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value).encode("ascii")


def refusal(data: Any) -> str:
    """Every reason of the refusal, joined (the test fails if the file is accepted)."""
    with pytest.raises(ImportRefused) as info:
        parse_import(data)
    problems = info.value.problems
    assert problems and all(isinstance(p, str) and p for p in problems)
    return " | ".join(problems)


def with_definition(change: Any) -> bytes:
    """The demo envelope after ``change(definition)`` edited its definition in place."""
    env = envelope()
    change(env["form"]["definition"])
    return raw(env)


def field_spec(key: str = "a", **options: Any) -> dict[str, Any]:
    return {"key": key, "type": "text", "label": {"ja": "項目", "en": "Item"}, **options}


def form_of(*fields: dict[str, Any]) -> dict[str, Any]:
    return {"title": {"ja": "フォーム", "en": "Form"},
            "pages": [{"key": "one", "title": {"ja": "一", "en": "One"}, "fields": list(fields)}]}


def wrap(definition: Any, **form: Any) -> bytes:
    env = {"format": FORMAT_NAME, "format_version": 1,
           "form": {"slug": "sample", "title": {"ja": "見本"}, "definition": definition, **form}}
    return raw(env)


# --- export and the round trip --------------------------------------------------------------------
def test_round_trip_export_then_import_is_equal(form_version):
    form = form_version.form
    data = export_json(form, form_version.definition)
    imported = parse_import(data)
    assert isinstance(imported, ImportedForm)
    assert imported.slug == form.slug == "tsugaku-hojo"
    assert imported.title == form.title
    assert imported.procedure_slug == "tsugaku-hojo"
    assert imported.definition == form_version.definition
    assert imported.template is None
    assert imported.format_version == 1
    assert imported.exported_at is not None
    # Exporting what was imported gives the same file (but for the moment of export).
    again = build_envelope(imported.slug, imported.title, imported.definition,
                           procedure_slug=imported.procedure_slug,
                           exported_at=imported.exported_at)
    assert dumps(again) == data


def test_export_file_is_readable_utf8_json(form_version):
    data = export_json(form_version.form, form_version.definition,
                       exported_at=dt.datetime(2026, 11, 23, 18, 0, tzinfo=dt.UTC))
    text = data.decode("utf-8")
    assert "高校生等通学費補助金" in text  # Japanese as is, not \u escapes
    assert text.endswith("}\n") and '\n  "format": "madoguchi-form"' in text
    envelope_ = json.loads(text)
    assert list(envelope_) == ["format", "format_version", "exported_at", "form"]
    assert envelope_["format_version"] == 1
    assert envelope_["exported_at"] == "2026-11-23T18:00:00+00:00"
    assert list(envelope_["form"]) == ["slug", "title", "procedure", "definition"]


@pytest.mark.django_db
def test_export_of_a_form_without_procedure_and_with_template_meta():
    form = FormDefinition.objects.create(slug="event", title={"ja": "催し", "en": "Event"})
    meta = TemplateMeta(description={"ja": "説明", "en": "About"}, category="events")
    exported = export_form(form, form_of(field_spec()), template=meta)
    assert exported["form"]["procedure"] is None
    assert exported["template"] == {"description": {"ja": "説明", "en": "About"},
                                    "category": "events"}
    imported = parse_import(dumps(exported))
    assert imported.procedure_slug is None
    assert imported.template == meta


def test_envelope_copies_the_definition():
    definition = form_of(field_spec())
    env = build_envelope("sample", {"ja": "見本"}, definition)
    definition["pages"][0]["fields"].clear()
    assert env["form"]["definition"]["pages"][0]["fields"]


def test_import_accepts_str_bytearray_and_a_byte_order_mark():
    data = dumps(envelope())
    for variant in (data.decode("utf-8"), bytearray(data), memoryview(data),
                    b"\xef\xbb\xbf" + data, "\ufeff" + data.decode("utf-8")):
        assert parse_import(variant).slug == "tsugaku-hojo"


def test_slugs_made_by_slugify_are_accepted():
    for slug in ("form_a", "tsugaku-hojo-copy", "_x", "a", "a" * 50, "form-1a2b3c"):
        env = envelope()
        env["form"]["slug"] = slug
        assert parse_import(raw(env)).slug == slug


def test_title_defaults_to_the_definition_title_and_exported_at_is_optional():
    env = envelope()
    del env["form"]["title"], env["exported_at"], env["form"]["procedure"]
    imported = parse_import(raw(env))
    assert imported.title == demo_definition()["title"]
    assert imported.exported_at is None and imported.procedure_slug is None


def test_html_in_labels_stays_text_and_is_escaped_when_shown():
    label = {"ja": "<script>alert(1)</script><b>氏名</b>", "en": "<i>x</i>"}
    imported = parse_import(wrap(form_of(field_spec(label=label))))
    assert imported.definition["pages"][0]["fields"][0]["label"] == label
    with translation.override("ja"):
        shown = FormSpec(imported.definition).pages[0].fields[0].label
        html = Template("{{ label }}").render(Context({"label": shown}))
    assert "<script" not in html and "&lt;script&gt;" in html


# --- refusals: reading the file -------------------------------------------------------------------
@pytest.mark.parametrize(("data", "expected"), [
    (b"", "empty"),
    (b"   \n", "empty"),
    ("高校生".encode("cp932") + b'{"a": "\x82\xa0"}', "Shift_JIS"),
    (b"\xff\xfe{\x00}", "not UTF-8"),
    (b'{"format": ', "not valid JSON (line 1, column 12)"),
    (b"{'format': 'madoguchi-form'}", "not valid JSON"),
    (b'{"a": "x\x01y"}', "not valid JSON"),  # a raw control character in a string
    (b"[]", "one JSON object"),
    (b'"madoguchi-form"', "one JSON object"),
    (None, "could not be read"),
    (12, "could not be read"),
])
def test_unreadable_files_are_refused(data, expected):
    assert expected in refusal(data)


def test_over_size_file_says_the_limit():
    data = b'{"format": "' + b"a" * MAX_BYTES + b'"}'
    message = refusal(data)
    assert "1,000,000 bytes" in message and "too large" in message
    assert "1,000,000 bytes" in refusal(data.decode("ascii"))
    assert "too large" in refusal("あ" * (MAX_BYTES // 3 + 1))  # counted in UTF-8 bytes


def test_lone_surrogate_in_a_str_is_refused():
    assert "not valid text" in refusal('{"format": "\ud800"}')


@pytest.mark.parametrize("depth", [MAX_NESTING + 1, 5000, 150_000])
def test_deep_nesting_is_refused_before_parsing(depth):
    for data in ("[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth,
                 "[" * depth):  # unclosed too
        assert f"more than {MAX_NESTING} levels" in refusal(data)


def test_brackets_inside_strings_do_not_count_as_nesting():
    label = {"ja": "[[[[{{{{" * 20 + '\\"' + "]]]]", "en": "x"}
    assert parse_import(wrap(form_of(field_spec(label=label)))).slug == "sample"


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity", "1e400", "-1e999",
                                   "1" * 40, "10000000000000001", "1.5e300"])
def test_non_finite_and_huge_numbers_are_refused(token):
    data = wrap(form_of(field_spec(max_length=1))).replace(b'"max_length": 1',
                                                           f'"max_length": {token}'.encode())
    assert f"The number {token[:30]} is not allowed" in refusal(data)


def test_duplicate_keys_are_refused():
    data = b'{"format": "madoguchi-form", "format": "other", "form": {}}'
    assert "The key “format” appears twice" in refusal(data)


@pytest.mark.parametrize("text", ["a\x00b", "a\x07b", "a\x1bb", "a\x7fb", "a\x85b",
                                  "a\u202eb", "a\u2066b", "a\ud800b", "a\uffffb"])
def test_forbidden_characters_in_texts_are_refused(text):
    data = wrap(form_of(field_spec(label={"ja": text, "en": "x"})))
    message = refusal(data)
    assert "characters that cannot be used" in message
    assert "page 1 (one) › field 1 (a) › “label” › “ja”" in message


def test_forbidden_characters_in_keys_are_refused():
    data = wrap(form_of(field_spec(**{"bad\x00key": 1})))
    assert "characters that cannot be used" in refusal(data)


@pytest.mark.parametrize("text", ["改行\nあり", "タブ\tあり", "CR\r\nLF"])
def test_newlines_and_tabs_in_texts_are_allowed(text):
    parse_import(wrap(form_of({"key": "g", "type": "guidance", "text": {"ja": text}})))


# --- refusals: the envelope -----------------------------------------------------------------------
@pytest.mark.parametrize(("changes", "expected"), [
    ({"format": "other"}, "not a Madoguchi form file: “format” must be “madoguchi-form”"),
    ({"format": None}, "not a Madoguchi form file"),
    ({"format_version": 2}, "format version 2, made by a newer Madoguchi. This installation "
                            "reads format version 1"),
    ({"format_version": 0}, "Format version 0 is not supported. This installation reads format "
                            "version 1"),
    ({"format_version": "1"}, "“format_version” must be a whole number"),
    ({"format_version": True}, "“format_version” must be a whole number"),
    ({"format_version": 1.0}, "“format_version” must be a whole number"),
    ({"signature": "x"}, "The file has keys that format version 1 does not know: signature"),
    ({"exported_at": "yesterday"}, "“exported_at” must be a date and time"),
    ({"exported_at": 20261123}, "“exported_at” must be a date and time"),
    ({"form": []}, "needs a “form” object"),
    ({"template": "x"}, "“template” must be an object"),
    ({"template": {"description": {"ja": "説明"}, "category": "games"}},
     "“category” must be one of: residence, childcare"),
    ({"template": {"description": "説明", "category": "events"}},
     "The template's “description” must be an object"),
    ({"template": {"description": {"ja": "説明"}, "category": "events", "x": 1}},
     "“template” has keys that format version 1 does not know: x"),
])
def test_envelope_problems_are_refused(changes, expected):
    assert expected in refusal(raw(envelope(**changes)))


def test_a_newer_format_version_stops_before_the_rest():
    data = raw(envelope(format_version=3, extra=1))
    with pytest.raises(ImportRefused) as info:
        parse_import(data)
    assert len(info.value.problems) == 1


@pytest.mark.parametrize(("form", "expected"), [
    ({"slug": "Has Space"}, "“slug” must be 1 to 50 lowercase letters"),
    ({"slug": "UPPER"}, "“slug” must be"),
    ({"slug": ""}, "“slug” must be"),
    ({"slug": "a" * 51}, "“slug” must be 1 to 50"),
    ({"slug": 7}, "“slug” must be"),
    ({"slug": "-dash"}, "“slug” must be"),
    ({"title": "児童手当"}, "The form's “title” must be an object of texts by language"),
    ({"title": {"JA": "x"}}, "The form's “title” must be an object"),
    ({"title": {"ja": 1}}, "The form's “title” must be an object"),
    ({"procedure": "Jido Teate"}, "The form's “procedure” must be the slug of a procedure"),
    ({"procedure": 3}, "“procedure” must be"),
    ({"definition": []}, "needs a “definition” object"),
    ({"definition": None}, "needs a “definition” object"),
    ({"version": 3}, "“form” has keys that format version 1 does not know: version"),
])
def test_form_envelope_problems_are_refused(form, expected):
    env = envelope()
    env["form"].update(form)
    assert expected in refusal(raw(env))


# --- refusals: the definition's types and limits --------------------------------------------------
@pytest.mark.parametrize(("spec", "expected"), [
    ({"required": "yes"}, "field 1 (a) › “required” must be true or false"),
    ({"sensitive": 1}, "“sensitive” must be true or false"),
    ({"max_length": "60"}, "“max_length” must be a whole number of 0 or more"),
    ({"max_length": -1}, "“max_length” must be a whole number"),
    ({"max_length": True}, "“max_length” must be a whole number"),
    ({"min_length": 1.5}, "“min_length” must be a whole number"),
    ({"label": "名前"}, "“label” must be an object of texts by language"),
    ({"hint": {"ja": ["x"]}}, "“hint” must be an object"),
    ({"hint": {}}, "“hint” must be an object"),
    ({"pattern": 7}, "“pattern” must be text"),
    ({"pattern": "[0-9"}, "is not a valid regular expression"),
    ({"pattern": "(a+)+$"}, "can make the server very slow"),
    ({"pattern": "(\\d|\\d\\d)*"}, "can make the server very slow"),
    ({"pattern": "(x+){3}"}, "can make the server very slow"),
    ({"pattern": "[0-9]" * 60}, "is longer than 200 characters"),
    ({"show_if": ["relationship"]}, "“show_if” must be a JSON Logic object"),
    ({"require_if": "yes"}, "“require_if” must be a JSON Logic object"),
    ({"accept": "pdf"}, "“accept” must be a list of file kinds"),
    ({"type": "number", "min": "1"}, "“min” must be a number"),
    ({"type": "date", "max": 20}, "“max” must be a date such as 2026-04-01"),
    ({"type": "text", "max": [1]}, "“max” must be a number or a date"),
    ({"type": "choice", "options": "a,b"}, "“options” must be a list of options"),
    ({"type": "choice", "options": ["a"]}, "option 1 must be an object with a value and a label"),
    ({"type": "choice", "options": [{"value": 1.5, "label": {"ja": "一"}}]},
     "option 1 needs a “value”"),
    ({"type": "choice", "options": [{"value": "", "label": {"ja": "一"}}]},
     "option 1 needs a “value”"),
    ({"type": "file", "max_size_mb": "10"}, "“max_size_mb” must be a number of 0 or more"),
    ({"type": "group", "counter": 1}, "“counter” must be text"),
    ({"type": "choice", "options": [{"value": "a", "label": "A"}]}, "option 1 needs a “label”"),
    ({"type": "group", "fields": {"a": 1}}, "“fields” must be a list of fields"),
])
def test_wrong_types_in_a_field_are_refused(spec, expected):
    assert expected in refusal(wrap(form_of(field_spec(**spec))))


def test_safe_patterns_are_accepted():
    for pattern in ("[0-9]{7}", "\\d{3}-?\\d{4}", "([0-9]{2,4}-){2}[0-9]{4}", "[A-Z]{2}[0-9]+",
                    "(?:-[0-9]{4})?"):
        parse_import(wrap(form_of(field_spec(pattern=pattern))))


@pytest.mark.parametrize(("change", "expected"), [
    (lambda d: d.update(pages=[{"key": "one", "title": {"ja": "一"}, "fields": "a"}]),
     "The fields of page 「一」(one) must be a list"),
    (lambda d: d["pages"][0]["fields"].append("phone"),
     "Page 1 (applicant) › field 5 must be an object with a key, a type and a label"),
    (lambda d: d.update(title="フォーム"), "“title” must be an object of texts by language"),
    (lambda d: d.update(access=["anyone"]), "The form setting “access” must be text"),
    (lambda d: d.update(applicant_field=1), "The form setting “applicant_field” must be text"),
    (lambda d: d["pages"][1].update(intro="x"), "at page 2 (student) › “intro” must be an object"),
    (lambda d: d["pages"][1].update(show_if=True),
     "at page 2 (student) › “show_if” must be a JSON"),
])
def test_wrong_types_in_the_definition_are_refused(change, expected):
    assert expected in refusal(with_definition(change))


def test_too_many_pages_fields_options_and_long_texts_are_refused():
    pages = [{"key": f"p{i}", "title": {"ja": "頁"}, "fields": [field_spec(f"f{i}")]}
             for i in range(MAX_PAGES + 1)]
    assert f"31 pages; at most {MAX_PAGES}" in refusal(
        wrap({"title": {"ja": "フォーム"}, "pages": pages}))
    fields = [field_spec(f"f{i}") for i in range(MAX_FIELDS + 1)]
    half = len(fields) // 2
    two_pages = {"title": {"ja": "フォーム"}, "pages": [
        {"key": "one", "title": {"ja": "一"}, "fields": fields[:half]},
        {"key": "two", "title": {"ja": "二"}, "fields": fields[half:]}]}
    assert f"201 fields; at most {MAX_FIELDS}" in refusal(wrap(two_pages))
    options = [{"value": f"v{i}", "label": {"ja": "選"}} for i in range(MAX_OPTIONS + 1)]
    assert f"101 options; at most {MAX_OPTIONS}" in refusal(
        wrap(form_of(field_spec(type="choice", options=options))))
    long_label = {"ja": "あ" * (MAX_STRING_LENGTH + 1)}
    assert "has 5,001 characters; at most 5,000" in refusal(
        wrap(form_of(field_spec(label=long_label))))
    assert "is longer than 100 characters" in refusal(
        wrap(form_of(field_spec(**{"k" * 101: 1}))))
    assert "at most 500 are allowed" in refusal(wrap(form_of(field_spec(extra=[0] * 501))))
    assert "at most 100 are allowed" in refusal(
        wrap(form_of(field_spec(**{f"x{i}": 0 for i in range(101)}))))


def test_group_sub_fields_count_towards_the_field_limit():
    sub = [field_spec(f"s{i}") for i in range(MAX_FIELDS)]
    assert "201 fields" in refusal(wrap(form_of(field_spec(type="group", fields=sub))))


def test_problems_of_check_definition_are_included():
    def duplicate(definition: dict[str, Any]) -> None:
        definition["pages"][1]["fields"].append(copy.deepcopy(
            definition["pages"][0]["fields"][2]))
    expected = check_definition(json.loads(with_definition(duplicate))["form"]["definition"])
    assert expected
    assert all(problem in refusal(with_definition(duplicate)) for problem in expected)
    assert "unknown type" in refusal(wrap(form_of(field_spec(type="signature"))))
    assert check_definition({"pages": []})[0] in refusal(wrap({"pages": []}))


def test_every_reason_is_reported_at_once():
    env = envelope(extra=1, exported_at="soon")
    env["form"]["slug"] = "Bad Slug"
    definition = env["form"]["definition"]
    definition["pages"][0]["fields"][0]["label"] = {"ja": "a\x00"}
    definition["pages"][1]["fields"][2]["max_length"] = "60"
    definition["pages"][2]["fields"].append(copy.deepcopy(definition["pages"][0]["fields"][2]))
    with pytest.raises(ImportRefused) as info:
        parse_import(raw(env))
    message = " | ".join(info.value.problems)
    for part in ("does not know: extra", "“exported_at”", "“slug”", "cannot be used",
                 "“max_length”", "“phone”"):
        assert part in message
    assert str(info.value) == "; ".join(info.value.problems)


def test_the_list_of_problems_is_capped():
    fields = [field_spec(f"f{i}", label={"ja": f"\x00{i}"}) for i in range(120)]
    with pytest.raises(ImportRefused) as info:
        parse_import(wrap(form_of(*fields)))
    problems = info.value.problems
    assert len(problems) == MAX_REPORTED_PROBLEMS + 1
    assert problems[-1].startswith("…and ") and problems[-1].endswith(" more problems.")


def test_messages_are_translatable():
    with translation.override("ja"):
        message = refusal(b"")
    assert message  # the Japanese catalogue may or may not have it yet; it never crashes


@pytest.mark.parametrize("data", [
    b'"' + b'\\"' * 400_000 + b"x",  # an unterminated string full of escapes
    b'"' * 900_000,
    b"[" + b"[]," * 300_000 + b"[]]",
    b'{"a":' + b'"x",' * 200_000 + b"1}",
])
def test_hostile_files_within_the_size_limit_are_refused(data):
    # How long a refusal takes is measured by bench/forms.py ("hostile import max ms").
    assert refusal(data)


def test_the_example_in_the_format_documentation_imports():
    docs = Path(__file__).resolve().parents[4] / "docs" / "form-format.md"
    section = docs.read_text(encoding="utf-8").split("## An example file", 1)[1]
    example = section.split("```json", 1)[1].split("```", 1)[0]
    imported = parse_import(example)
    assert imported.slug == "kodomo-kyoshitsu" and imported.definition["access"] == "anyone"


# --- fuzzing --------------------------------------------------------------------------------------
@contextmanager
def no_unexpected_errors() -> Iterator[None]:
    """Fail when the safety net of parse_import had to catch an exception."""
    records: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Collect(level=logging.ERROR)
    logger = logging.getLogger("madoguchi.forms.interchange")
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
    assert not records, [r.getMessage() for r in records]


def accepted_or_refused(data: Any) -> ImportedForm | None:
    """The only two outcomes allowed: a definition that passes the checks, or ImportRefused."""
    with no_unexpected_errors():
        try:
            imported = parse_import(data)
        except ImportRefused as exc:
            assert exc.problems and all(isinstance(p, str) and p for p in exc.problems)
            return None
    assert check_definition(imported.definition) == []
    FormSpec(imported.definition)
    return imported


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
    | st.sampled_from(["", "ja", "key", "text", "choice", "madoguchi-form", "today", "\x00"]),
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(st.sampled_from(["key", "type", "label", "title", "pages", "fields",
                                      "options", "value", "ja", "en", "show_if", "var", "=="])
                      | st.text(max_size=8), children, max_size=5),
    max_leaves=30,
)
# MADOGUCHI_FUZZ_EXAMPLES=5000 runs a longer search.
FUZZ = settings(max_examples=int(os.environ.get("MADOGUCHI_FUZZ_EXAMPLES", "150")),
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@FUZZ
@given(st.binary(max_size=3000))
def test_fuzz_random_bytes(data):
    accepted_or_refused(data)


@FUZZ
@given(json_values)
def test_fuzz_random_json_values(value):
    text = json.dumps(value, allow_nan=True)
    accepted_or_refused(text)
    accepted_or_refused(text.encode("utf-8"))


@FUZZ
@given(json_values, json_values)
def test_fuzz_random_definitions_in_a_valid_envelope(definition, title):
    accepted_or_refused(wrap(definition, title=title))
    accepted_or_refused(wrap({"title": {"ja": "x"}, "pages": [definition]}))
    accepted_or_refused(wrap(form_of(definition if isinstance(definition, dict) else {})))


def paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from paths(item, (*path, index))


VALID = envelope()
VALID_PATHS = [p for p in paths(VALID) if p]


@FUZZ
@given(st.data())
def test_fuzz_mutations_of_a_valid_export(data):
    env = copy.deepcopy(VALID)
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(VALID_PATHS))
        parent = env
        try:
            for segment in path[:-1]:
                parent = parent[segment]
            action = data.draw(st.sampled_from(["replace", "delete", "add"]))
            if action == "replace":
                parent[path[-1]] = data.draw(json_values)
            elif action == "delete":
                del parent[path[-1]]
            elif isinstance(parent, dict):
                parent[data.draw(st.text(max_size=8))] = data.draw(json_values)
            else:
                parent.insert(path[-1], data.draw(json_values))
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed this place
    accepted_or_refused(json.dumps(env, ensure_ascii=False, allow_nan=True).encode("utf-8"))


VALID_BYTES = dumps(VALID)


@FUZZ
@given(st.lists(st.tuples(st.integers(0, len(VALID_BYTES) - 1), st.binary(max_size=4),
                          st.integers(0, 4)), min_size=1, max_size=4))
def test_fuzz_byte_edits_of_a_valid_export(edits):
    data = bytearray(VALID_BYTES)
    for position, insert, remove in edits:
        data[position:position + remove] = insert
    accepted_or_refused(bytes(data))


def test_the_valid_export_used_by_the_fuzz_tests_is_accepted():
    assert accepted_or_refused(VALID_BYTES) is not None
