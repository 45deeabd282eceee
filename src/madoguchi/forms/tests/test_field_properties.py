"""Properties every registered field type keeps, checked with random specs and input.

* every type has strategies (a new type must add one to ``strategies.TYPE_STRATEGIES``);
* what a resident validly types is accepted, gives the expected clean value, and survives the
  round trip ``raw_from_value`` → ``validate``; display, export and mask always give text;
* anything else in a POST (text, lists, dicts, junk files, forged references) is refused only
  with a FieldError whose message is Japanese in Japanese and English in English;
* ``spec_problems`` never fails on any JSON-like spec, and a spec it (and the definition checker)
  accepts makes a field that fails only with FieldError.

MADOGUCHI_FUZZ_EXAMPLES=500 runs a longer search.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django.utils.datastructures import MultiValueDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from madoguchi.forms.definition import FormSpec, check_definition
from madoguchi.forms.fields import FieldError, FieldType, registry
from madoguchi.forms.fields.upload import CONTENT_TYPES, FileField
from madoguchi.forms.tests import strategies as S
from madoguchi.jp import banks as jp_banks
from madoguchi.jp.address import lookup_postal_code
from madoguchi.jp.mynumber import normalize_my_number

FUZZ = settings(max_examples=int(os.environ.get("MADOGUCHI_FUZZ_EXAMPLES", "40")),
                deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large, HealthCheck.filter_too_much])
TYPES = registry.names
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]")
ENGLISH = re.compile(r"[A-Za-z]{3,}")


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    """Uploads are stored in a temporary folder, never in the repository."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def strategy_of(type_name: str) -> S.TypeStrategy:
    strategy = S.TYPE_STRATEGIES.get(type_name)
    if strategy is None:
        pytest.fail(f"no strategy for the field type {type_name!r} in strategies.TYPE_STRATEGIES")
    return strategy


def one_field_definition(spec: dict[str, Any]) -> dict[str, Any]:
    return {"title": {"ja": "試験", "en": "Test"},
            "pages": [{"key": "p", "title": {"ja": "頁", "en": "Page"}, "fields": [spec]}]}


def shows(field: FieldType, value: Any) -> None:
    """display, export and mask give text in both languages, for the value and for nothing."""
    for language in ("ja", "en"):
        with translation.override(language):
            for shown in (field.display(value), field.export(value), field.mask(value),
                          field.display(None), field.export(None), field.mask(None)):
                assert isinstance(shown, str), (language, shown)


# --- (a) every type has strategies, and their data is real ----------------------------------
def test_every_registered_type_has_strategies():
    missing = sorted(set(registry.names) - set(S.TYPE_STRATEGIES))
    assert not missing, (
        f"add strategies for {missing} to madoguchi/forms/tests/strategies.py (TYPE_STRATEGIES)"
    )


@pytest.mark.parametrize("type_name", TYPES)
@FUZZ
@given(data=st.data())
def test_strategy_specs_are_accepted_by_the_definition_checker(type_name, data):
    spec = data.draw(strategy_of(type_name).specs("f"), label="spec")
    assert registry.type_of(type_name).spec_problems(spec) == []
    assert check_definition(one_field_definition(spec)) == []


@FUZZ
@given(plan=S.definitions())
def test_random_definitions_are_accepted_by_the_definition_checker(plan):
    assert check_definition(plan.definition) == []
    FormSpec(plan.definition)


@pytest.mark.parametrize(("code", "prefecture", "city", "towns"), S.POSTAL_PLACES)
def test_the_postal_codes_of_the_strategies_exist_offline(code, prefecture, city, towns):
    found = lookup_postal_code(code)
    assert [(c.prefecture, c.city, c.town) for c in found] == [
        (prefecture, city, town) for town in towns]


@pytest.mark.parametrize(("code", "names", "full_name"), S.BANKS)
def test_the_banks_of_the_strategies_exist_in_the_zengin_data(code, names, full_name):
    for typed in (code, *names):
        bank = jp_banks.find_bank(typed)
        assert bank is not None and bank.code == code, typed
    assert jp_banks.bank_full_name(bank) == full_name
    for bank_code, branch_code, typed in S.NAMED_BRANCHES:
        if bank_code == code:
            assert jp_banks.find_branch(bank, typed).code == branch_code


@FUZZ
@given(S.my_number)
def test_the_my_numbers_of_the_strategies_have_a_valid_check_digit(number):
    assert normalize_my_number(number) == number


# --- (b) valid input is accepted and round-trips ----------------------------------------------
def check_uploads(value: Any, posted: S.Posted) -> None:
    """A file field's value describes exactly the files sent, by content."""
    uploads = [u for files in posted.files.values() for u in files]
    assert isinstance(value, list) and len(value) == len(uploads)
    for item, upload in zip(value, uploads, strict=True):
        upload.seek(0)
        content = upload.read()
        assert item["sha256"] == hashlib.sha256(content).hexdigest()
        assert item["size"] == len(content)
        assert item["name"] == upload.name
        assert item["content_type"] in CONTENT_TYPES


@pytest.mark.parametrize("type_name", TYPES)
@FUZZ
@given(data=st.data())
def test_valid_input_is_accepted_and_round_trips(type_name, data):
    strategy = strategy_of(type_name)
    spec = data.draw(strategy.specs("f"), label="spec")
    posted, expected = data.draw(strategy.inputs(spec), label="posted")
    field = registry.build(spec)
    post, files = S.querydicts(posted)
    raw = field.raw_from_post(post, files)
    json.dumps(raw)  # a draft keeps what was typed as JSON
    value = field.validate(raw)
    if field.has_value:
        assert value is not None
    if expected is not None:
        assert value == expected
    if type_name == "file":
        check_uploads(value, posted)
    json.dumps(value, allow_nan=False)  # answers are stored as JSON
    again = field.raw_from_value(value)
    json.dumps(again)
    assert field.validate(again) == value, (value, again)
    shows(field, value)
    if field.is_sensitive and value and type_name != "group":
        assert field.mask(value) != field.display(value)


@pytest.mark.parametrize("type_name", TYPES)
@FUZZ
@given(data=st.data())
def test_nothing_typed_is_none_when_optional_and_refused_when_required(type_name, data):
    spec = data.draw(strategy_of(type_name).specs("f"), label="spec")
    empty = MultiValueDict()
    optional = registry.build({**spec, "required": False})
    assert optional.validate(optional.raw_from_post(empty, MultiValueDict())) is None
    required = registry.build({**spec, "required": True})
    raw = required.raw_from_post(empty, MultiValueDict())
    if not required.has_value:
        assert required.validate(raw) is None
        return
    with pytest.raises(FieldError) as info:
        required.validate(raw)
    assert isinstance(info.value.message, str) and JAPANESE.search(info.value.message)


# --- (c) garbage in a POST ------------------------------------------------------------------
def ascii_labels(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec with labels that read the same in both languages and contain no Japanese, so a
    message with Japanese in it was really translated."""
    spec = copy.deepcopy(spec)
    for name in ("label", "item_label"):
        if name in spec:
            spec[name] = {"ja": "Item", "en": "Item"}
    for sub in spec.get("fields", []) if spec.get("type") == "group" else []:
        sub["label"] = {"ja": "Part", "en": "Part"}
    return spec


COMMANDS = st.one_of(
    st.sampled_from(["", "lookup", "add", "remove-0", "remove-1", "remove-999", "0-name:lookup",
                     "0-memo:add", "9-x:remove-0", "remove-", "remove-01", "\x00", ":"]),
    st.text(max_size=20),
)
MAGIC = [b"", b"\x89PNG\r\n\x1a\n", b"%PDF-", b"\xff\xd8\xff", b"\x00\x00\x00\x18ftypheic",
         b"\x00\x00\x00\x10ftypmif1heic", b"GIF89a", b"PK\x03\x04"]


@st.composite
def junk_uploads(draw: st.DrawFn) -> SimpleUploadedFile:
    content = draw(st.sampled_from(MAGIC)) + draw(st.binary(max_size=200))
    name = draw(st.one_of(st.sampled_from(["a.png", "../../etc/passwd", "x" * 300 + ".pdf",
                                           "\u202egnp.exe", "", "写真.png"]),
                          st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)))
    content_type = draw(st.sampled_from(["image/png", "application/pdf", "text/html", ""]))
    try:
        return SimpleUploadedFile(name, content, content_type=content_type)
    except SuspiciousFileOperation:  # Django's upload handler never passes such a name on
        return SimpleUploadedFile("x", content, content_type=content_type)


@st.composite
def forged_references(draw: st.DrawFn, spec: dict[str, Any]) -> str:
    """References signed as the server would, naming files that are not there or do not fit."""
    field = registry.build(spec)
    item = {"name": draw(st.text(min_size=1, max_size=20)),
            "storage_name": "uploads/2026/04/" + draw(st.text("0123456789abcdef", min_size=32,
                                                               max_size=32)),
            "size": draw(st.integers(-1, 10**9)),
            "content_type": draw(st.sampled_from([*sorted(CONTENT_TYPES), "text/html"])),
            "sha256": "0" * 64}
    if isinstance(field, FileField) and draw(st.booleans()):
        return field.sign(item)
    return draw(st.sampled_from([FileField({"key": "other", "type": "file"}).sign(item),
                                 "x" * 3000, "e30:1abc:xyz"]))


@st.composite
def garbage_posts(draw: st.DrawFn, spec: dict[str, Any]) -> tuple[Any, Any]:
    """(data, files) as raw_from_post may get them: a QueryDict-like mapping of text, or any
    mapping of anything; files with junk uploads and junk in place of uploads."""
    names = [*S.post_names(spec, rows=3), spec["key"]]
    keys = st.one_of(st.sampled_from(names), st.text(max_size=12))
    if draw(st.booleans()):
        values = st.lists(st.one_of(S.hostile_scalars, st.sampled_from(names)), min_size=1,
                          max_size=3)
        data: Any = MultiValueDict(draw(st.dictionaries(keys, values, max_size=10)))
    else:
        data = draw(st.dictionaries(keys, S.json_like, max_size=10))
    if spec["type"] == "file" and draw(st.booleans()):
        references = draw(st.lists(forged_references(spec), max_size=3))
        if isinstance(data, MultiValueDict):
            data.setlist(f"{spec['key']}-stored", references)
        else:
            data[f"{spec['key']}-stored"] = references
    files = draw(st.one_of(
        st.none(),
        st.builds(MultiValueDict, st.dictionaries(
            st.sampled_from(names), st.lists(st.one_of(junk_uploads(), S.hostile_scalars,
                                                      st.binary(max_size=10), st.none()),
                                             max_size=3), max_size=2)),
        st.dictionaries(st.sampled_from(names), S.json_like, max_size=2),
    ))
    return data, files


def check_message(exc: FieldError, language: str) -> None:
    message = exc.message
    assert isinstance(message, str) and message.strip(), repr(message)
    if language == "ja":
        assert JAPANESE.search(message), f"not in Japanese: {message!r}"
    else:
        assert ENGLISH.search(message), f"not in English: {message!r}"


def field_errors(field: FieldType, data: Any, files: Any, command: str) -> list[FieldError]:
    """Read, validate and act on anything posted, in Japanese and in English.

    Returns the FieldErrors with the language they were raised in; anything else propagates.
    A value that is accepted must be JSON and displayable.
    """
    errors: list[tuple[FieldError, str]] = []
    raw = field.raw_from_post(data, files)
    for language in ("ja", "en"):
        with translation.override(language):
            try:
                value = field.validate(raw)
            except FieldError as exc:
                errors.append((exc, language))
            else:
                json.dumps(value, allow_nan=False)
                shows(field, value)
            new_raw, _feedback = field.action(raw, command)
            try:
                field.validate(new_raw)
            except FieldError as exc:
                errors.append((exc, language))
    return errors


def only_field_errors(field: FieldType, data: Any, files: Any, command: str) -> None:
    """Anything posted fails only with a FieldError whose message is in the language shown."""
    for exc, language in field_errors(field, data, files, command):
        check_message(exc, language)


@pytest.mark.parametrize("type_name", TYPES)
@FUZZ
@given(data=st.data())
def test_garbage_in_a_post_is_refused_only_with_a_translated_field_error(type_name, data):
    spec = ascii_labels(data.draw(strategy_of(type_name).specs("f"), label="spec"))
    post, files = data.draw(garbage_posts(spec), label="post")
    only_field_errors(registry.build(spec), post, files, data.draw(COMMANDS, label="command"))


@pytest.mark.parametrize("type_name", TYPES)
@FUZZ
@given(data=st.data())
def test_valid_input_with_garbage_around_it_fails_only_with_field_errors(type_name, data):
    """Valid input with some inputs replaced or added: accepted or refused, never a crash."""
    strategy = strategy_of(type_name)
    spec = ascii_labels(data.draw(strategy.specs("f"), label="spec"))
    posted, _expected = data.draw(strategy.inputs(spec), label="posted")
    post, files = S.querydicts(posted)
    names = [*S.post_names(spec, rows=3), *post.keys()]
    for name, values in data.draw(st.dictionaries(
            st.sampled_from(names), st.lists(S.hostile_scalars, max_size=3), max_size=3)).items():
        post.setlist(name, values)
    only_field_errors(registry.build(spec), post, files, data.draw(COMMANDS, label="command"))


# --- (d) spec_problems on any spec ------------------------------------------------------------
OPTION_NAMES = sorted({
    "key", "type", "label", "hint", "required", "sensitive", "multiline", "min_length",
    "max_length", "pattern", "pattern_message", "confirm", "autocomplete", "min", "max", "unit",
    "past_only", "options", "widget", "min_choices", "max_choices", "required_message", "kana",
    "text", "accept", "max_size_mb", "max_files", "fields", "min_rows", "max_rows", "counter",
    "item_label", "show_if", "require_if", "value",
})
WORDS = ["", " ", "ja", "en", "today", "-18y", "+30d", "+1000000y", "2026-02-30", "9999-12-31",
         "0001-01-01", "image", "pdf", "radio", "select", "checkboxes", "person", "item", "yes",
         "\x00", "ラベル", *registry.names]
# The options each type reads, changed more often than the others.
TYPE_OPTIONS = {
    "text": ["min_length", "max_length", "multiline", "pattern", "pattern_message"],
    "email": ["confirm"], "phone": [], "postal_code": [], "number": ["min", "max", "unit"],
    "date": ["min", "max", "past_only"], "consent": ["required_message"],
    "choice": ["options", "widget", "min_choices", "max_choices"], "kana": ["max_length"],
    "name": ["kana"], "guidance": ["text"], "address": [], "my_number": [], "bank_account": [],
    "file": ["accept", "max_size_mb", "max_files"],
    "group": ["fields", "min_rows", "max_rows", "counter", "item_label"],
}
# Patterns that compile or not, none able to make a match slow.
SAFE_PATTERNS = [r"[0-9]{7}", r"\d{3}-\d{4}", "[", "(?P<", "a{2,1}", "", 5, None, ["x"]]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**15), 10**15) | st.floats()
    | st.text(max_size=12) | st.sampled_from(WORDS),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from([*OPTION_NAMES, "ja", "en"]) | st.text(max_size=6),
                      children, max_size=5),
    max_leaves=20,
)


def safe_pattern(spec: dict[str, Any], data: st.DataObject) -> dict[str, Any]:
    subs = spec.get("fields") if isinstance(spec.get("fields"), list) else []
    for sub in [spec, *(s for s in subs if isinstance(s, dict))]:
        if "pattern" in sub:
            sub["pattern"] = data.draw(st.sampled_from(SAFE_PATTERNS))
    return spec


@st.composite
def any_specs(draw: st.DrawFn, type_name: str) -> dict[str, Any]:
    """A spec of ``type_name`` with anything in its options, or a valid spec with some changed."""
    if draw(st.booleans()):
        spec = draw(st.dictionaries(st.sampled_from(OPTION_NAMES) | st.text(max_size=8),
                                    json_values, max_size=8))
        for option in draw(st.lists(st.sampled_from(TYPE_OPTIONS.get(type_name) or ["text"]),
                                    max_size=3)):
            spec[option] = draw(json_values)
        spec["key"] = "f" if draw(st.integers(0, 4)) else draw(json_values)
        spec["type"] = type_name
        if draw(st.integers(0, 4)):
            spec["label"] = {"ja": "項目", "en": "Item"}
        return spec
    spec = draw(S.TYPE_STRATEGIES[type_name].specs("f"))
    for _ in range(draw(st.integers(1, 3))):
        target = spec
        if isinstance(spec.get("fields"), list) and spec["fields"] and draw(st.booleans()):
            target = draw(st.sampled_from(spec["fields"]))
            if not isinstance(target, dict):
                continue
        own = TYPE_OPTIONS.get(str(target.get("type")))
        option = draw(st.sampled_from(own if own and draw(st.booleans()) else OPTION_NAMES))
        if option in ("key", "type") and target is spec:
            continue
        if draw(st.integers(0, 3)) == 0:
            target.pop(option, None)
        else:
            target[option] = draw(json_values)
    return spec


@pytest.mark.parametrize("type_name", TYPES)
@FUZZ
@given(data=st.data())
def test_spec_problems_never_fails_on_any_spec(type_name, data):
    spec = safe_pattern(data.draw(any_specs(type_name), label="spec"), data)
    cls = registry.type_of(type_name)
    for language in ("ja", "en"):
        with translation.override(language):
            problems = cls.spec_problems(spec)
            assert isinstance(problems, list)
            assert all(isinstance(p, str) and p.strip() for p in problems), problems
            definition_problems = check_definition(one_field_definition(spec))
            assert all(isinstance(p, str) and p.strip() for p in definition_problems)


def accepted_field(spec: dict[str, Any]) -> FieldType | None:
    """The field of a one-field form made of ``spec``, if the definition checker accepts it."""
    if check_definition(one_field_definition(spec)):
        return None
    form = FormSpec(one_field_definition(spec))
    return form.field(spec["key"]) or registry.build(spec)


@pytest.mark.parametrize("type_name", TYPES)
@FUZZ
@given(data=st.data())
def test_a_spec_the_checker_accepts_makes_a_field_that_fails_only_with_field_errors(
    type_name, data
):
    """What the checker accepts can be published; residents' input must then never crash it."""
    spec = safe_pattern(data.draw(any_specs(type_name), label="spec"), data)
    field = accepted_field(spec)
    if field is None:
        return
    post, files = data.draw(garbage_posts(spec), label="post")
    field_errors(field, post, files, data.draw(COMMANDS, label="command"))
    field_errors(field, MultiValueDict(), MultiValueDict(), "")
    shows(field, None)


@pytest.mark.parametrize("type_name", TYPES)
@FUZZ
@given(data=st.data())
def test_a_spec_the_checker_accepts_gives_messages_that_are_text(type_name, data):
    spec = safe_pattern(data.draw(any_specs(type_name), label="spec"), data)
    field = accepted_field(spec)
    if field is None:
        return
    post, files = data.draw(garbage_posts(spec), label="post")
    try:
        errors = field_errors(field, post, files, data.draw(COMMANDS, label="command"))
        errors += field_errors(field, MultiValueDict(), MultiValueDict(), "")
    except Exception:  # a crash is the previous test's finding; this one is about messages
        return
    for exc, _language in errors:
        assert isinstance(exc.message, str) and exc.message.strip(), repr(exc.message)
