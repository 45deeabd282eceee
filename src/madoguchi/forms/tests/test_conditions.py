"""Conditions in form definitions: what stops publishing, and how a FormSpec applies them."""

from __future__ import annotations

import copy

import pytest
from django.http import QueryDict
from django.utils import translation

from madoguchi.forms.definition import DefinitionError, FormSpec, check_definition


def label(ja: str, en: str | None = None) -> dict[str, str]:
    return {"ja": ja, "en": en or ja}


def definition() -> dict:
    """Three pages: "about" asks who applies (and a detail only when "other"), "child" is only
    for parents, "end" always. A note on "about" is required only when "other" is chosen."""
    return {
        "title": label("条件のあるフォーム", "Form with conditions"),
        "pages": [
            {"key": "about", "title": label("あなたについて", "About you"), "fields": [
                {"key": "kind", "type": "choice", "required": True, "label": label("立場", "Role"),
                 "options": [{"value": "parent", "label": label("保護者", "Parent")},
                             {"value": "other", "label": label("その他", "Other")}]},
                {"key": "detail", "type": "text", "required": True,
                 "label": label("具体的に", "Details"),
                 "show_if": {"==": [{"var": "kind"}, "other"]}},
                {"key": "note", "type": "text", "label": label("備考", "Note"),
                 "require_if": {"==": [{"var": "kind"}, "other"]}},
            ]},
            {"key": "child", "title": label("お子さん", "Child"),
             "show_if": {"==": [{"var": "kind"}, "parent"]}, "fields": [
                 {"key": "child_name", "type": "text", "required": True,
                  "label": label("お子さんの名前", "Child's name")},
             ]},
            {"key": "end", "title": label("最後に", "Finally"), "fields": [
                {"key": "comment", "type": "text", "required": True,
                 "label": label("ご意見", "Comment")},
            ]},
        ],
    }


def english_problems(spec: dict) -> str:
    with translation.override("en"):
        found = check_definition(spec)
        assert found, "expected problems"
        with pytest.raises(DefinitionError):
            FormSpec(spec)
    return " | ".join(found)


def post(**values) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, value in values.items():
        if isinstance(value, list):
            data.setlist(key, value)
        else:
            data[key] = value
    return data


@pytest.fixture
def spec() -> FormSpec:
    return FormSpec(definition())


# --- check_definition ----------------------------------------------------------------------------
def test_the_definition_with_conditions_is_fine():
    assert check_definition(definition()) == []


def test_condition_on_a_deleted_field_is_reported_with_its_key():
    spec = definition()
    del spec["pages"][0]["fields"][0]  # "kind" is gone; three conditions point at it
    text = english_problems(spec)
    assert text.count("“kind”, which does not exist") == 3
    assert "Details" in text and "Note" in text and "Child" in text


def test_page_condition_on_a_field_of_the_same_page_cannot_be_reached():
    spec = definition()
    spec["pages"][1]["show_if"] = {"==": [{"var": "child_name"}, "x"]}
    text = english_problems(spec)
    assert "Nobody can reach page" in text
    assert "(child)" in text


def test_page_condition_on_a_field_of_a_later_page_cannot_be_reached():
    spec = definition()
    spec["pages"][1]["show_if"] = {"!!": {"var": "comment"}}
    text = english_problems(spec)
    assert "Nobody can reach page" in text
    assert "(comment)" in text


def test_page_condition_on_an_earlier_page_is_fine():
    spec = definition()
    spec["pages"][2]["show_if"] = {"!!": {"var": "child_name"}}
    assert check_definition(spec) == []


def test_field_condition_on_a_later_page_is_reported():
    spec = definition()
    spec["pages"][0]["fields"][2]["show_if"] = {"!!": {"var": "comment"}}
    text = english_problems(spec)
    assert "which is answered on a later page" in text
    assert "(comment)" in text


def test_field_condition_on_a_field_of_its_own_page_is_fine():
    assert "show_if" in definition()["pages"][0]["fields"][1]
    assert check_definition(definition()) == []


@pytest.mark.parametrize("phrase_rule", [
    {"==": [{"var": "kind"}, "grandparent"]},
    {"in": ["grandparent", {"var": "kind"}]},
])
def test_field_condition_on_a_value_that_is_not_an_option(phrase_rule):
    spec = definition()
    spec["pages"][0]["fields"][1]["show_if"] = phrase_rule
    text = english_problems(spec)
    assert "“grandparent”, which is not an option of" in text
    assert "(kind)" in text


def test_a_number_is_never_a_ticked_option():
    # Ticked options are texts and "in" compares list members with ===, so the number 1 can
    # never be among them; on a single choice "in" is a text test and 1 finds "1".
    spec = definition()
    kind = spec["pages"][0]["fields"][0]
    kind["options"].append({"value": "1", "label": label("一", "One")})
    spec["pages"][0]["fields"][1]["show_if"] = {"in": [1, {"var": "kind"}]}
    assert check_definition(spec) == []
    kind["multiple"] = True
    assert "“1”, which is not an option of" in english_problems(spec)
    spec["pages"][0]["fields"][1]["show_if"] = {"in": ["1", {"var": "kind"}]}
    assert check_definition(spec) == []


def test_page_condition_on_a_value_that_is_not_an_option_cannot_be_reached():
    spec = definition()
    spec["pages"][1]["show_if"] = {"==": [{"var": "kind"}, "Parent"]}  # a label, not the value
    text = english_problems(spec)
    assert "Nobody can reach page" in text
    assert "“Parent”" in text


def test_is_not_an_absent_option_is_allowed():
    spec = definition()
    spec["pages"][1]["show_if"] = {"!=": [{"var": "kind"}, "grandparent"]}
    assert check_definition(spec) == []


def test_numeric_option_value_matches_a_number_in_the_condition():
    spec = definition()
    spec["pages"][0]["fields"][0]["options"].append({"value": "3", "label": label("3")})
    spec["pages"][1]["show_if"] = {"==": [{"var": "kind"}, 3]}
    assert check_definition(spec) == []


@pytest.mark.parametrize("rule", [
    {"if": [{"var": "kind"}, True, False]},
    {"and": [{"==": [{"var": "kind"}, "other"]}, {"+": [1, 2]}]},
    {"==": [{"var": "kind"}]},
    {"==": [{"var": "kind"}, "other"], "!=": [{"var": "kind"}, "parent"]},
    {"var": {"x": 3}},
    {"var": ""},
])
def test_unsupported_or_malformed_condition_cannot_be_read(rule):
    spec = definition()
    spec["pages"][0]["fields"][2]["require_if"] = rule
    assert "(note) cannot be read" in english_problems(spec)


@pytest.mark.parametrize(("rule", "reason"), [
    ({"if": [{"var": "kind"}, True, False]}, "the operator “if” is not supported; use !, !!, "),
    ({"==": [{"var": "kind"}]}, "“==” takes exactly 2 values"),
    ({"!": [{"var": "kind"}, 1]}, "“!” takes exactly one value"),
    ({"var": ""}, "“var” must name the key of a field"),
    ({"==": [{"var": "kind"}, "other"], "!=": [{"var": "kind"}, "parent"]},
     "each part of a condition must be one operator with its values"),
])
def test_a_refused_condition_says_why(rule, reason):
    spec = definition()
    spec["pages"][0]["fields"][2]["require_if"] = rule
    assert f"(note) cannot be read: {reason}" in english_problems(spec)


def test_a_condition_on_a_number_key_names_a_missing_field():
    spec = definition()
    spec["pages"][0]["fields"][2]["require_if"] = {"var": 3}
    assert "refers to the field “3”, which does not exist" in english_problems(spec)


def test_a_condition_may_read_a_part_of_a_field_by_a_dotted_path():
    spec = definition()
    spec["pages"][0]["fields"][2]["require_if"] = {"==": [{"var": "kind.x"}, "other"]}
    assert check_definition(spec) == []


def test_unsupported_page_condition_cannot_be_read():
    spec = definition()
    spec["pages"][1]["show_if"] = {"regex": [{"var": "kind"}, ".*"]}
    assert "(child) cannot be read" in english_problems(spec)


# --- FormSpec: pages ----------------------------------------------------------------------------
def keys(pages) -> list[str]:
    return [p.key for p in pages]


def test_hidden_page_is_skipped_going_forward_and_back(spec):
    other = {"kind": "other", "detail": "祖父"}
    parent = {"kind": "parent"}
    assert spec.next_page("about", other).key == "end"
    assert spec.next_page("about", parent).key == "child"
    assert spec.previous_page("end", other).key == "about"
    assert spec.previous_page("end", parent).key == "child"
    assert spec.next_page("end", parent) is None
    assert spec.previous_page("about", parent) is None


def test_a_page_whose_condition_is_unanswered_is_hidden(spec):
    assert keys(spec.shown_pages({})) == ["about", "end"]
    assert spec.next_page("about").key == "end"
    assert spec.next_page("about", None).key == "end"


def test_missing_pages_leave_out_hidden_pages(spec):
    answers = {"kind": "other", "detail": "祖父", "note": "なし"}
    assert keys(spec.missing_pages(answers, ["about"])) == ["end"]
    assert keys(spec.missing_pages(answers, ["about", "end"])) == ["end"]  # comment missing
    assert keys(spec.missing_pages({**answers, "comment": "ok"}, ["about", "end"])) == []
    parent = {"kind": "parent"}
    assert keys(spec.missing_pages(parent, ["about"])) == ["child", "end"]


def test_missing_pages_ask_again_for_a_field_that_became_required(spec):
    # "about" was completed as a parent; changing to "other" makes the note required.
    answers = {"kind": "other", "detail": "祖父", "comment": "ok"}
    assert keys(spec.missing_pages(answers, ["about", "end"])) == ["about"]
    assert keys(spec.missing_pages({**answers, "note": "x"}, ["about", "end"])) == []


def test_missing_pages_ignore_a_hidden_required_field(spec):
    answers = {"kind": "parent", "child_name": "一郎", "comment": "ok"}  # no detail: hidden
    assert spec.missing_pages(answers, ["about", "child", "end"]) == []


def test_a_page_that_depends_on_a_field_of_a_hidden_page_is_hidden_too():
    """A stale answer on a page that no longer applies must not open a later page."""
    spec_dict = definition()
    spec_dict["pages"].insert(2, {
        "key": "siblings", "title": label("きょうだい", "Siblings"),
        "show_if": {"==": [{"var": "child_name"}, "一郎"]},
        "fields": [{"key": "sibling", "type": "text", "label": label("きょうだい")}],
    })
    spec = FormSpec(spec_dict)
    # Filled in as a parent first, then changed to "other": child_name is stale.
    answers = {"kind": "other", "detail": "祖父", "note": "x", "child_name": "一郎"}
    assert keys(spec.shown_pages(spec.prune(answers))) == ["about", "end"]
    assert keys(spec.shown_pages(answers)) == ["about", "end"]
    assert spec.next_page("about", answers).key == "end"
    assert keys(spec.missing_pages(answers, ["about"])) == ["end"]


# --- FormSpec: fields ---------------------------------------------------------------------------
def test_hidden_field_is_not_validated_even_when_required(spec):
    about = spec.page("about")
    raw, clean, errors = spec.validate_page(about, post(kind="parent", detail="", note=""))
    assert errors == {}
    assert "detail" not in clean
    assert clean["kind"] == "parent"
    assert raw["detail"] == ""


def test_hidden_field_is_not_validated_even_with_a_bad_value():
    spec_dict = definition()
    spec_dict["pages"][0]["fields"][1] |= {"max_length": 3}
    spec = FormSpec(spec_dict)
    _raw, clean, errors = spec.validate_page(spec.page("about"),
                                             post(kind="parent", detail="とても長い説明です"))
    assert errors == {}
    assert "detail" not in clean


def test_shown_field_is_validated(spec):
    _raw, clean, errors = spec.validate_page(spec.page("about"),
                                             post(kind="other", detail="", note="x"))
    assert set(errors) == {"detail"}
    _raw, clean, errors = spec.validate_page(spec.page("about"),
                                             post(kind="other", detail="祖父", note="x"))
    assert errors == {}
    assert clean == {"kind": "other", "detail": "祖父", "note": "x"}


def test_require_if_makes_a_field_required_only_when_it_holds(spec):
    about = spec.page("about")
    _raw, clean, errors = spec.validate_page(about, post(kind="other", detail="祖父", note=""))
    assert set(errors) == {"note"}
    _raw, clean, errors = spec.validate_page(about, post(kind="parent", note=""))
    assert errors == {}
    assert clean.get("note") is None


def test_same_page_condition_uses_the_posted_value_not_the_stored_one(spec):
    about = spec.page("about")
    # Stored "parent" from an earlier visit; now "other" is posted without a detail.
    _raw, _clean, errors = spec.validate_page(about, post(kind="other", detail="", note="x"),
                                              answers={"kind": "parent"})
    assert "detail" in errors
    # Stored "other"; now "parent" is posted: the detail no longer applies.
    _raw, clean, errors = spec.validate_page(about, post(kind="parent", detail="", note=""),
                                             answers={"kind": "other", "detail": "祖父"})
    assert errors == {}
    assert "detail" not in clean


def test_same_page_condition_with_an_invalid_choice_does_not_apply(spec):
    _raw, _clean, errors = spec.validate_page(spec.page("about"),
                                              post(kind="nonsense", detail="", note=""))
    assert set(errors) == {"kind"}  # detail and note do not apply to an invalid choice


def test_field_condition_on_an_earlier_page_uses_the_stored_answers():
    spec_dict = definition()
    spec_dict["pages"][2]["fields"].append(
        {"key": "reason", "type": "text", "required": True, "label": label("理由"),
         "show_if": {"==": [{"var": "kind"}, "other"]}})
    spec = FormSpec(spec_dict)
    end = spec.page("end")
    _raw, _clean, errors = spec.validate_page(end, post(comment="ok"), answers={"kind": "other"})
    assert set(errors) == {"reason"}
    _raw, clean, errors = spec.validate_page(end, post(comment="ok"), answers={"kind": "parent"})
    assert errors == {}
    assert "reason" not in clean


def test_prune_drops_hidden_fields_and_pages(spec):
    answers = {"kind": "parent", "detail": "祖父", "note": None, "child_name": "一郎",
               "comment": "ok"}
    assert spec.prune(answers) == {"kind": "parent", "note": None, "child_name": "一郎",
                                   "comment": "ok"}
    answers = {"kind": "other", "detail": "祖父", "note": "x", "child_name": "一郎",
               "comment": "ok"}
    assert spec.prune(answers) == {"kind": "other", "detail": "祖父", "note": "x",
                                   "comment": "ok"}


def test_prune_drops_unknown_keys_and_keeps_the_input(spec):
    answers = {"kind": "other", "detail": "祖父", "smuggled": "x"}
    before = copy.deepcopy(answers)
    assert spec.prune(answers) == {"kind": "other", "detail": "祖父"}
    assert answers == before


def test_prune_drops_a_field_whose_condition_depends_on_a_hidden_field():
    """Conditions chain: when "detail" no longer applies, a field shown only for one of its
    answers no longer applies either."""
    spec_dict = definition()
    spec_dict["pages"][0]["fields"][1] = {
        "key": "detail", "type": "choice", "label": label("続柄"),
        "show_if": {"==": [{"var": "kind"}, "other"]},
        "options": [{"value": "grandparent", "label": label("祖父母")},
                    {"value": "sibling", "label": label("兄弟姉妹")}],
    }
    spec_dict["pages"][2]["fields"].append(
        {"key": "grandparent_age", "type": "number", "label": label("年齢"),
         "show_if": {"==": [{"var": "detail"}, "grandparent"]}})
    spec = FormSpec(spec_dict)
    answers = {"kind": "parent", "detail": "grandparent", "child_name": "一郎",
               "comment": "ok", "grandparent_age": 70}
    pruned = spec.prune(answers)
    assert "detail" not in pruned
    assert "grandparent_age" not in pruned
    # The check page (built from the pruned answers) and the stored answers agree.
    shown = {item["key"] for page in spec.summary(pruned) for item in page["items"]}
    assert set(pruned) <= shown
    assert "grandparent_age" not in shown and "detail" not in shown


def test_prune_drops_a_field_whose_condition_depends_on_a_field_of_a_hidden_page():
    """The wizard's case: "child" was filled in as a parent, then the answer on "about" changed
    to "other". The child page no longer applies, so neither does a field shown only for the
    child's answer."""
    spec_dict = definition()
    spec_dict["pages"][2]["fields"].append(
        {"key": "school", "type": "text", "label": label("学校"),
         "show_if": {"==": [{"var": "child_name"}, "一郎"]}})
    spec = FormSpec(spec_dict)
    answers = {"kind": "other", "detail": "祖父", "note": "x", "child_name": "一郎",
               "comment": "ok", "school": "北小学校"}
    pruned = spec.prune(answers)
    assert "child_name" not in pruned
    assert "school" not in pruned
    shown = {item["key"] for page in spec.summary(pruned) for item in page["items"]}
    assert shown == set(pruned)


def test_revalidate_ignores_hidden_required_fields(spec):
    assert spec.revalidate({"kind": "parent", "child_name": "一郎", "comment": "ok"}) == {}
    errors = spec.revalidate({"kind": "other", "comment": "ok"})
    assert set(errors) == {"detail", "note"}


def test_summary_leaves_out_hidden_pages_and_fields(spec):
    answers = {"kind": "parent", "note": None, "child_name": "一郎", "comment": "ok"}
    summary = spec.summary(answers)
    assert [row["page"].key for row in summary] == ["about", "child", "end"]
    assert [item["key"] for item in summary[0]["items"]] == ["kind", "note"]
    answers = {"kind": "other", "detail": "祖父", "note": "x", "comment": "ok"}
    summary = spec.summary(answers)
    assert [row["page"].key for row in summary] == ["about", "end"]
    assert [item["key"] for item in summary[0]["items"]] == ["kind", "detail", "note"]
    with translation.override("en"):
        assert spec.summary(answers)[0]["items"][0]["value"] == "Other"
