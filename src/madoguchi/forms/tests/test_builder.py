"""The builder's pure edits and the reading of the edit-field and condition inputs."""

from __future__ import annotations

import copy

import pytest
from django.http import QueryDict
from django.utils import translation

from madoguchi.core.jsonlogic import Condition
from madoguchi.forms import builder
from madoguchi.forms.builder import EditRefused
from madoguchi.forms.builder.conditions import (
    condition_targets,
    condition_text,
    read_condition,
)
from madoguchi.forms.builder.settings import read_settings
from madoguchi.forms.definition import FormSpec, check_definition


def label(ja: str, en: str | None = None) -> dict[str, str]:
    return {"ja": ja, "en": en or ja}


def sample() -> dict:
    """Two pages, a choice with a field that depends on it, and a date and a number."""
    return {
        "title": label("試しのフォーム", "Trial form"),
        "applicant_field": "name",
        "contact_field": "email",
        "pages": [
            {"key": "first", "title": label("一ページ目", "First"), "fields": [
                {"key": "name", "type": "name", "label": label("氏名", "Name"), "required": True},
                {"key": "relationship", "type": "choice", "label": label("続柄", "Relationship"),
                 "options": [{"value": "father", "label": label("父", "Father")},
                             {"value": "mother", "label": label("母", "Mother")}]},
                {"key": "email", "type": "email", "label": label("メール", "E-mail")},
            ]},
            {"key": "second", "title": label("二ページ目", "Second"),
             "show_if": {"==": [{"var": "relationship"}, "father"]}, "fields": [
                 {"key": "birth", "type": "date", "label": label("生年月日", "Birth date"),
                  "show_if": {"<": [{"var": "relationship"}, "z"]}},
                 {"key": "count", "type": "number", "label": label("人数", "Count"),
                  "require_if": {"and": [{"==": [{"var": "relationship"}, "father"]},
                                         {"!!": {"var": "birth"}}]}},
                 {"key": "agree", "type": "consent", "label": label("同意します", "I agree")},
             ]},
        ],
    }


def field_keys(definition: dict) -> dict[str, list[str]]:
    return {p["key"]: [f["key"] for f in p["fields"]] for p in definition["pages"]}


@pytest.fixture
def original():
    definition = sample()
    before = copy.deepcopy(definition)
    yield definition
    assert definition == before, "an edit changed its input"


def test_sample_is_a_valid_definition():
    assert check_definition(sample()) == []


# --- pages --------------------------------------------------------------------------------------
def test_new_definition_is_publishable():
    definition = builder.new_definition("新しいフォーム")
    assert definition["title"] == {"ja": "新しいフォーム"}  # English is not copied
    assert builder.new_definition("題", " Title ")["title"] == {"ja": "題", "en": "Title"}
    assert check_definition(definition) == []
    assert FormSpec(definition).pages[0].key == "page_1"


def test_add_page(original):
    result, summary, key = builder.add_page(original)
    assert key == "page_1"
    assert [p["key"] for p in result["pages"]] == ["first", "second", "page_1"]
    assert result["pages"][-1]["fields"] == []
    assert summary
    again, _summary, second_key = builder.add_page(result)
    assert second_key == "page_2"
    assert check_definition(again) == []


def test_add_page_stops_at_the_limit():
    definition = builder.new_definition("多い")
    for _number in range(builder.MAX_PAGES - 1):
        definition, _summary, _key = builder.add_page(definition)
    assert len(definition["pages"]) == builder.MAX_PAGES
    with pytest.raises(EditRefused):
        builder.add_page(definition)


def test_update_page(original):
    result, _summary = builder.update_page(original, "second", title_ja=" 二 ", title_en="",
                                           intro_ja="説明", intro_en="")
    page = result["pages"][1]
    assert page["title"] == {"ja": "二"}
    assert page["intro"] == {"ja": "説明"}
    assert page["show_if"] == original["pages"][1]["show_if"]
    cleared, _summary = builder.update_page(result, "second", title_ja="二", title_en="Two",
                                            intro_ja=" ", intro_en="")
    assert "intro" not in cleared["pages"][1]
    assert "intro" in result["pages"][1]  # the previous result is untouched too


def test_remove_page(original):
    result, _summary = builder.remove_page(original, "first")
    assert [p["key"] for p in result["pages"]] == ["second"]


def test_the_last_page_cannot_be_removed():
    with pytest.raises(EditRefused):
        builder.remove_page(builder.new_definition("一つだけ"), "page_1")


def test_unknown_page_is_refused(original):
    for edit in (lambda: builder.remove_page(original, "nope"),
                 lambda: builder.move_page(original, "nope", 1),
                 lambda: builder.add_field(original, "nope", "text"),
                 lambda: builder.update_page(original, "nope", title_ja="x", title_en="",
                                             intro_ja="", intro_en="")):
        with pytest.raises(EditRefused):
            edit()


@pytest.mark.parametrize(("key", "offset", "order"), [
    ("second", -1, ["second", "first"]),
    ("first", 1, ["second", "first"]),
    ("first", -1, ["first", "second"]),
    ("second", 1, ["first", "second"]),
    ("first", 10, ["second", "first"]),
])
def test_move_page(original, key, offset, order):
    result, _summary = builder.move_page(original, key, offset)
    assert [p["key"] for p in result["pages"]] == order


# --- fields -------------------------------------------------------------------------------------
@pytest.mark.parametrize("entry", builder.PALETTE)
def test_every_palette_entry_can_be_added_and_published(entry):
    definition = builder.new_definition("フォーム")
    result, summary, key = builder.add_field(definition, "page_1", entry)
    assert summary
    spec = result["pages"][0]["fields"][-1]
    assert spec["key"] == key
    assert check_definition(result) == [], entry
    assert definition["pages"][0]["fields"] == []


def test_added_fields_get_unique_keys(original):
    result, _summary, first = builder.add_field(original, "first", "text")
    result, _summary, second = builder.add_field(result, "first", "textarea")
    result, _summary, third = builder.add_field(result, "second", "checkboxes")
    assert (first, second, third) == ("text_1", "text_2", "choice_1")
    assert result["pages"][0]["fields"][-1]["multiline"] is True
    assert result["pages"][1]["fields"][-1]["widget"] == "checkboxes"
    assert len(set(builder.all_field_keys(result))) == len(builder.all_field_keys(result))


def test_unknown_palette_entry_is_refused(original):
    with pytest.raises(EditRefused):
        builder.add_field(original, "first", "signature")
    with pytest.raises(EditRefused):
        builder.add_field(original, "first", "")


def test_add_field_stops_at_the_limit():
    definition = builder.new_definition("多い")
    definition["pages"][0]["fields"] = [
        {"key": f"f_{n}", "type": "text", "label": label("x")} for n in range(builder.MAX_FIELDS)
    ]
    with pytest.raises(EditRefused):
        builder.add_field(definition, "page_1", "text")


def test_remove_field_keeps_the_conditions_that_point_at_it(original):
    result, _summary = builder.remove_field(original, "relationship")
    assert field_keys(result)["first"] == ["name", "email"]
    assert result["pages"][1]["show_if"] == original["pages"][1]["show_if"]
    with translation.override("en"):
        problems = " | ".join(check_definition(result))
    assert "“relationship”, which does not exist" in problems


def test_remove_unknown_field_is_refused(original):
    with pytest.raises(EditRefused):
        builder.remove_field(original, "nope")


@pytest.mark.parametrize(("key", "offset", "layout"), [
    ("relationship", -1, {"first": ["relationship", "name", "email"],
                          "second": ["birth", "count", "agree"]}),
    ("relationship", 1, {"first": ["name", "email", "relationship"],
                         "second": ["birth", "count", "agree"]}),
    # Past the last field of a page: the first field of the next page.
    ("email", 1, {"first": ["name", "relationship"],
                  "second": ["email", "birth", "count", "agree"]}),
    # Before the first field of a page: the last field of the previous page.
    ("birth", -1, {"first": ["name", "relationship", "email", "birth"],
                   "second": ["count", "agree"]}),
    # At the very start or end of the form nothing moves.
    ("name", -1, {"first": ["name", "relationship", "email"],
                  "second": ["birth", "count", "agree"]}),
    ("agree", 1, {"first": ["name", "relationship", "email"],
                  "second": ["birth", "count", "agree"]}),
])
def test_move_field(original, key, offset, layout):
    result, summary = builder.move_field(original, key, offset)
    assert field_keys(result) == layout
    assert summary


def test_move_field_into_an_empty_page():
    definition, _summary, page_key = builder.add_page(sample())
    result, _summary = builder.move_field(definition, "agree", 1)
    assert field_keys(result)[page_key] == ["agree"]
    back, _summary = builder.move_field(result, "agree", -1)
    assert field_keys(back)["second"] == ["birth", "count", "agree"]


def test_reorder(original):
    layout = {"first": ["email", "name"], "second": ["agree", "relationship", "count", "birth"]}
    result, _summary = builder.reorder(original, layout)
    assert field_keys(result) == layout
    # The field specs are moved whole.
    moved = next(f for f in result["pages"][1]["fields"] if f["key"] == "relationship")
    assert moved == original["pages"][0]["fields"][1]


def test_reorder_may_leave_a_page_empty(original):
    layout = {"first": ["name", "relationship", "email", "birth", "count", "agree"]}
    result, _summary = builder.reorder(original, layout)
    assert field_keys(result) == {**layout, "second": []}


@pytest.mark.parametrize("layout", [
    {"first": ["name", "relationship"], "second": ["birth", "count", "agree"]},  # email lost
    {"first": ["name", "relationship", "email", "email"],
     "second": ["birth", "count", "agree"]},  # twice
    {"first": ["name", "relationship", "email"],
     "second": ["birth", "count", "agree", "intruder"]},
    {"first": ["name", "relationship", "email"], "third": ["birth", "count", "agree"]},
    {"first": ["name", "relationship", "email", "birth", "count", "agree"], "ghost": []},
    {},
])
def test_reorder_with_a_bad_layout_is_refused(original, layout):
    with pytest.raises(EditRefused):
        builder.reorder(original, layout)


def test_update_field_changes_and_removes_options(original):
    result, summary = builder.update_field(
        original, "email", {"label": label("連絡先", "Contact"), "required": True,
                            "confirm": None, "hint": None})
    spec = result["pages"][0]["fields"][2]
    assert spec == {"key": "email", "type": "email", "label": label("連絡先", "Contact"),
                    "required": True}
    assert summary


def test_update_field_key_rename_follows_conditions_and_settings(original):
    result, _summary = builder.update_field(original, "relationship", {"key": "zokugara"})
    assert field_keys(result)["first"] == ["name", "zokugara", "email"]
    second = result["pages"][1]
    assert second["show_if"] == {"==": [{"var": "zokugara"}, "father"]}
    assert second["fields"][0]["show_if"] == {"<": [{"var": "zokugara"}, "z"]}
    assert second["fields"][1]["require_if"] == {"and": [
        {"==": [{"var": "zokugara"}, "father"]}, {"!!": {"var": "birth"}}]}
    assert check_definition(result) == []
    renamed, _summary = builder.update_field(result, "email", {"key": "mail"})
    assert renamed["contact_field"] == "mail"
    renamed, _summary = builder.update_field(renamed, "name", {"key": "full_name"})
    assert renamed["applicant_field"] == "full_name"
    assert check_definition(renamed) == []


def test_update_field_key_rename_leaves_literal_values_alone():
    definition = sample()
    definition["pages"][1]["show_if"] = {"==": [{"var": "relationship"}, "relationship"]}
    result, _summary = builder.update_field(definition, "relationship", {"key": "rel"})
    assert result["pages"][1]["show_if"] == {"==": [{"var": "rel"}, "relationship"]}


@pytest.mark.parametrize("key", ["Name", "1abc", "with-dash", "", "a" * 41, "名前", "email"])
def test_update_field_refuses_a_bad_or_taken_key(original, key):
    with pytest.raises(EditRefused):
        builder.update_field(original, "relationship", {"key": key})


def test_update_unknown_field_is_refused(original):
    with pytest.raises(EditRefused):
        builder.update_field(original, "nope", {"required": True})


def test_set_condition_on_a_field_and_a_page(original):
    condition = Condition("relationship", "is", "mother")
    result, summary = builder.set_condition(original, field_key="email", condition=condition)
    assert result["pages"][0]["fields"][2]["show_if"] == {"==": [{"var": "relationship"},
                                                                 "mother"]}
    assert summary
    result, _summary = builder.set_condition(result, field_key="email", kind="require_if",
                                             condition=Condition("relationship", "is_not",
                                                                 "father"))
    assert result["pages"][0]["fields"][2]["require_if"] == {"!=": [{"var": "relationship"},
                                                                    "father"]}
    result, _summary = builder.set_condition(result, page_key="second",
                                             condition=Condition("relationship", "contains", "m"))
    assert result["pages"][1]["show_if"] == {"in": ["m", {"var": "relationship"}]}


def test_clear_a_condition(original):
    result, _summary = builder.set_condition(original, page_key="second", condition=None)
    assert "show_if" not in result["pages"][1]
    result, _summary = builder.set_condition(result, field_key="count", kind="require_if",
                                             condition=None)
    assert "require_if" not in result["pages"][1]["fields"][1]
    # Clearing what is not set is fine.
    again, _summary = builder.set_condition(result, field_key="name", condition=None)
    assert again == result


@pytest.mark.parametrize("kwargs", [
    {"page_key": "second", "kind": "require_if"},  # pages are shown or not, never required
    {"page_key": "second", "field_key": "email"},
    {},
    {"field_key": "email", "kind": "hide_if"},
    {"field_key": "nope"},
    {"page_key": "nope"},
])
def test_set_condition_refuses_what_cannot_be_set(original, kwargs):
    with pytest.raises(EditRefused):
        builder.set_condition(original, condition=Condition("relationship", "is", "father"),
                              **kwargs)


def test_set_settings(original):
    result, summary = builder.set_settings(original, title_ja=" 新しい題 ", title_en="",
                                           access="anyone", applicant_field="",
                                           contact_field="email")
    assert result["title"] == {"ja": "新しい題"}
    assert result["access"] == "anyone"
    assert "applicant_field" not in result
    assert result["contact_field"] == "email"
    assert summary
    assert check_definition(result) == []


def test_a_form_for_anyone_without_an_email_contact_cannot_be_published(original):
    result, _summary = builder.set_settings(original, title_ja="題", title_en="Title",
                                            access="anyone", applicant_field="name",
                                            contact_field="")
    with translation.override("en"):
        assert any("needs an e-mail field" in p for p in check_definition(result))


def test_edits_chain_without_touching_earlier_results():
    first = builder.new_definition("連鎖")
    snapshot = copy.deepcopy(first)
    second, _summary, key = builder.add_field(first, "page_1", "choice")
    third, _summary = builder.update_field(second, key, {"required": None})
    fourth, _summary, _page = builder.add_page(third)
    assert first == snapshot
    assert second["pages"][0]["fields"][0]["required"] is True
    assert "required" not in third["pages"][0]["fields"][0]
    assert len(third["pages"]) == 1 and len(fourth["pages"]) == 2


# --- read_settings ------------------------------------------------------------------------------
def qd(**values) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, value in values.items():
        data[key] = value
    return data


def spec_of(definition: dict, key: str) -> dict:
    return builder.find_field(definition, key)[1]


def test_read_settings_of_a_text_field():
    spec = {"key": "note", "type": "text", "label": label("備考")}
    changes, errors = read_settings(spec, qd(label_ja=" 備考欄 ", label_en="", hint_ja="",
                                             hint_en="", required="on", multiline="on",
                                             min_length="１", max_length="２，０００"))
    assert errors == []
    assert changes["label"] == {"ja": "備考欄"}
    assert changes["hint"] is None
    assert changes["required"] is True
    assert changes["multiline"] is True
    assert changes["sensitive"] is None
    assert (changes["min_length"], changes["max_length"]) == (1, 2000)


@pytest.mark.parametrize(("name", "value"), [
    ("min_length", "abc"), ("max_length", "1.5"), ("max_length", "0"), ("max_length", "2001"),
    ("min_length", "十"),
])
def test_read_settings_bad_numbers_give_messages(name, value):
    spec = {"key": "note", "type": "text", "label": label("備考")}
    _changes, errors = read_settings(spec, qd(label_ja="備考", **{name: value}))
    assert len(errors) == 1


def test_read_settings_of_a_number_field():
    spec = {"key": "count", "type": "number", "label": label("人数")}
    changes, errors = read_settings(spec, qd(label_ja="人数", unit_ja="人", min="-1",
                                             max="1,000"))
    assert errors == []
    assert changes["unit"] == {"ja": "人", "en": "人"}
    assert (changes["min"], changes["max"]) == (-1, 1000)
    changes, errors = read_settings(spec, qd(label_ja="人数", min="いち", max="1e3"))
    assert len(errors) == 2
    assert changes["min"] is None and changes["max"] is None


def test_read_settings_requires_a_label():
    spec = {"key": "note", "type": "text", "label": label("備考")}
    changes, errors = read_settings(spec, qd(label_ja="  ", label_en=""))
    assert len(errors) == 1
    assert "label" not in changes
    changes, errors = read_settings(spec, qd(label_ja="", label_en="Note"))
    assert errors == []
    assert changes["label"] == {"en": "Note"}


def test_read_settings_removes_nul_characters():
    spec = {"key": "note", "type": "text", "label": label("備考")}
    changes, errors = read_settings(spec, qd(label_ja="備\x00考", hint_ja="\x00"))
    assert errors == []
    assert changes["label"]["ja"] == "備考"
    assert changes["hint"] is None


@pytest.mark.parametrize(("chosen", "stored"), [
    ({"date_limit": "none"}, (None, None)),
    ({"date_limit": "past"}, (None, "today")),
    ({"date_limit": "future"}, ("today", None)),
    ({"date_limit": "age", "date_age": "18"}, (None, "-18y")),
    ({"date_limit": "age", "date_age": "２０"}, (None, "-20y")),
    ({"date_limit": "custom", "min_kind": "today", "max_kind": "days_ahead",
      "max_number": "300"}, ("today", "+300d")),
    ({"date_limit": "custom", "min_kind": "years_ago", "min_number": "19"}, ("-19y", None)),
    ({"date_limit": "custom", "min_kind": "date", "min_date": "令和8年4月1日",
      "max_kind": "months_ahead", "max_number": "６"}, ("2026-04-01", "+6m")),
    ({"date_limit": "custom", "max_kind": "date", "max_date": "H22.4.2"}, (None, "2010-04-02")),
    # Inputs of other choices are ignored (without JavaScript every input is on the page).
    ({"date_limit": "past", "date_age": "x", "min_kind": "date", "min_date": "?"},
     (None, "today")),
])
def test_read_settings_date_limits_in_words(chosen, stored):
    spec = {"key": "birth", "type": "date", "label": label("生年月日")}
    changes, errors = read_settings(spec, qd(label_ja="生年月日", **chosen))
    assert errors == []
    assert (changes["min"], changes["max"]) == stored


@pytest.mark.parametrize("chosen", [
    {},
    {"date_limit": "-18y"},
    {"date_limit": "age", "date_age": ""},
    {"date_limit": "age", "date_age": "0"},
    {"date_limit": "age", "date_age": "十八"},
    {"date_limit": "custom"},
    {"date_limit": "custom", "min_kind": "days_ago"},
    {"date_limit": "custom", "min_kind": "days_ago", "min_number": "-3"},
    {"date_limit": "custom", "min_kind": "date", "min_date": "令和99年"},
    {"date_limit": "custom", "min_kind": "tomorrow"},
    {"date_limit": "custom", "min_kind": "today", "max_kind": "days_ago", "max_number": "1"},
])
def test_read_settings_bad_date_limits_give_one_message(chosen):
    spec = {"key": "birth", "type": "date", "label": label("生年月日")}
    _changes, errors = read_settings(spec, qd(label_ja="生年月日", **chosen))
    assert len(errors) == 1, errors


def test_read_settings_options_keep_the_values_of_unchanged_labels():
    spec = spec_of(sample(), "relationship")
    changes, errors = read_settings(spec, qd(
        label_ja="続柄", widget="checkboxes",
        options="祖父母 / Grandparent\n母 / Mother\n\n父 / Father\n父 / Father again\n"))
    assert errors == []
    assert changes["widget"] == "checkboxes"
    values = [o["value"] for o in changes["options"]]
    assert values[1:3] == ["mother", "father"]
    assert len(set(values)) == 4  # the repeated 父 gets a value of its own
    assert changes["options"][0]["label"] == {"ja": "祖父母", "en": "Grandparent"}
    updated = {**spec, **{k: v for k, v in changes.items() if v is not None}}
    assert not check_definition({"title": label("t"), "pages": [
        {"key": "p", "title": label("p"), "fields": [updated]}]})


def test_read_settings_new_option_values_do_not_clash_with_old_ones():
    spec = {"key": "c", "type": "choice", "label": label("c"),
            "options": [{"value": "o1", "label": label("一")},
                        {"value": "o2", "label": label("二")}]}
    changes, errors = read_settings(spec, qd(label_ja="c", options="三\n一\n二"))
    assert errors == []
    assert [o["value"] for o in changes["options"]] == ["o3", "o1", "o2"]
    assert changes["widget"] is None


def test_read_settings_a_choice_needs_options():
    spec = spec_of(sample(), "relationship")
    _changes, errors = read_settings(spec, qd(label_ja="続柄", options=" \n \n"))
    assert len(errors) == 1


def test_read_settings_of_a_file_field():
    spec = {"key": "doc", "type": "file", "label": label("書類")}
    changes, errors = read_settings(spec, qd(label_ja="書類", accept_pdf="on", max_size_mb="5",
                                             max_files="2"))
    assert errors == []
    assert changes["accept"] == ["pdf"]
    assert (changes["max_size_mb"], changes["max_files"]) == (5, 2)
    _changes, errors = read_settings(spec, qd(label_ja="書類"))
    assert len(errors) == 1


def test_read_settings_of_guidance_only_reads_texts():
    spec = {"key": "g", "type": "guidance", "label": label("案内"), "text": label("x")}
    changes, errors = read_settings(spec, qd(label_ja="案内", text_ja="説明", required="on"))
    assert errors == []
    assert changes == {"label": {"ja": "案内"}, "text": {"ja": "説明"}}


# --- read_condition -----------------------------------------------------------------------------
def targets_for(definition: dict, field_key: str) -> list[tuple[str, str]]:
    page, _spec = builder.find_field(definition, field_key)
    return condition_targets(definition, page_key=page["key"], field_key=field_key)


def test_condition_targets_are_earlier_fields():
    definition = sample()
    assert [k for k, _label in targets_for(definition, "email")] == ["name", "relationship"]
    assert [k for k, _label in targets_for(definition, "agree")] == [
        "name", "relationship", "email", "birth", "count"]
    assert condition_targets(definition, page_key="first", field_key=None) == []
    assert [k for k, _label in condition_targets(definition, page_key="second",
                                                 field_key=None)] == [
        "name", "relationship", "email"]


def read(definition: dict, field_key: str, **values):
    return read_condition(definition, qd(**{f"show_if_{k}": v for k, v in values.items()}),
                          "show_if", targets_for(definition, field_key))


@pytest.mark.parametrize("typed", ["父", "Father", "father"])
def test_read_condition_option_label_becomes_its_value(typed):
    condition, errors = read(sample(), "email", field="relationship", phrase="is", value=typed)
    assert errors == []
    assert condition == Condition("relationship", "is", "father")


def test_read_condition_unknown_option_gives_a_message():
    condition, errors = read(sample(), "email", field="relationship", phrase="is", value="祖父")
    assert condition is None
    assert len(errors) == 1


@pytest.mark.parametrize(("typed", "iso"), [
    ("平成22年4月2日", "2010-04-02"), ("2010-04-02", "2010-04-02"), ("H22.4.2", "2010-04-02"),
    ("令和元年5月1日", "2019-05-01"),
])
def test_read_condition_wareki_date_becomes_iso(typed, iso):
    condition, errors = read(sample(), "count", field="birth", phrase="before", value=typed)
    assert errors == []
    assert condition == Condition("birth", "before", iso)


def test_read_condition_bad_date_gives_a_message():
    condition, errors = read(sample(), "count", field="birth", phrase="before", value="来年")
    assert condition is None
    assert len(errors) == 1


def test_read_condition_number():
    condition, errors = read(sample(), "agree", field="count", phrase="is", value="１，０００")
    assert errors == []
    assert condition == Condition("count", "is", 1000)
    condition, errors = read(sample(), "agree", field="count", phrase="is", value="たくさん")
    assert condition is None
    assert len(errors) == 1


def test_read_condition_consent_is_true():
    definition = sample()
    definition["pages"][1]["fields"].append({"key": "after", "type": "text",
                                             "label": label("後")})
    condition, errors = read(definition, "after", field="agree", phrase="is", value="")
    assert errors == []
    assert condition == Condition("agree", "is", True)


def test_read_condition_without_a_field_is_no_condition():
    assert read(sample(), "email", field="", phrase="is", value="父") == (None, [])
    assert read_condition(sample(), qd(), "show_if", targets_for(sample(), "email")) == (None, [])


def test_read_condition_on_a_field_that_is_not_offered_gives_a_message():
    # "birth" is on a later page than "email"; "email" itself is not above itself.
    for field in ("birth", "email", "nope"):
        condition, errors = read(sample(), "email", field=field, phrase="is", value="x")
        assert condition is None
        assert len(errors) == 1, field


@pytest.mark.parametrize("phrase", ["", "after", "==", None])
def test_read_condition_unknown_comparison_gives_a_message(phrase):
    values = {"field": "name", "value": "x"}
    if phrase is not None:
        values["phrase"] = phrase
    condition, errors = read(sample(), "email", **values)
    assert condition is None
    assert len(errors) == 1


def test_read_condition_needs_a_value_except_for_is_not():
    condition, errors = read(sample(), "email", field="name", phrase="contains", value=" ")
    assert condition is None
    assert len(errors) == 1
    condition, errors = read(sample(), "email", field="name", phrase="is_not", value="")
    assert errors == []
    assert condition == Condition("name", "is_not", "")


def test_condition_text_names_the_field_and_option():
    definition = sample()
    with translation.override("en"):
        text = condition_text({"==": [{"var": "relationship"}, "father"]}, definition)
        assert "Relationship" in text and "Father" in text
        assert "nope" in condition_text({"==": [{"var": "nope"}, 1]}, definition)
        assert condition_text({"or": []}, definition)


def test_is_on_a_checkboxes_field_holds_when_only_that_option_is_ticked():
    """Checkboxes answer a list. The builder offers "is 赤" for them; the browser script
    (conditions.js: String(["red"]) === "red") shows the dependent field when only 赤 is ticked,
    so the server must agree, or the answer the resident typed there is silently dropped."""
    from madoguchi.core.jsonlogic import evaluate

    definition = sample()
    definition["pages"][0]["fields"].insert(2, {
        "key": "colours", "type": "choice", "widget": "checkboxes", "label": label("色"),
        "options": [{"value": "red", "label": label("赤", "Red")},
                    {"value": "blue", "label": label("青", "Blue")}]})
    condition, errors = read(definition, "email", field="colours", phrase="is", value="赤")
    assert errors == []
    spec = FormSpec(definition)
    _raw, clean, errors = spec.validate_page(spec.page("first"), QueryDict("colours=red"))
    assert clean["colours"] == ["red"]
    assert evaluate(condition.to_logic(), {"colours": clean["colours"]})
