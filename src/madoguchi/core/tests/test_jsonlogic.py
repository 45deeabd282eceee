"""Conditions: the JSON Logic subset, the builder's four phrasings and the structural checks.

The semantics are JSON Logic's own; test_jsonlogic_suite.py runs the project's published tests.
"""

from __future__ import annotations

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from madoguchi.core.jsonlogic import (
    MAX_DEPTH,
    OPERATORS,
    PHRASES,
    Condition,
    evaluate,
    explain,
    problems,
    variables,
)


def var(name):
    return {"var": name}


# --- evaluate: each operator ----------------------------------------------------------------------
@pytest.mark.parametrize(("answer", "expected"), [("father", True), ("mother", False),
                                                  (None, False)])
def test_equals_compares_the_answer(answer, expected):
    answers = {} if answer is None else {"relationship": answer}
    assert evaluate({"==": [var("relationship"), "father"]}, answers) is expected


def test_equals_matches_a_number_typed_as_text_both_ways():
    assert evaluate({"==": [var("grade"), "2"]}, {"grade": 2})
    assert evaluate({"==": [var("grade"), 2]}, {"grade": "2"})
    assert not evaluate({"==": [var("grade"), "3"]}, {"grade": 2})


def test_equals_true_matches_a_ticked_consent():
    # A consent box is stored as True; "yes" == true is false in JSON Logic (NaN == 1).
    assert evaluate({"==": [var("consent"), True]}, {"consent": True})
    assert not evaluate({"==": [var("consent"), True]}, {"consent": "yes"})
    assert not evaluate({"==": [var("consent"), True]}, {"consent": False})
    assert not evaluate({"==": [var("consent"), True]}, {"consent": "no"})
    assert not evaluate({"==": [var("consent"), True]}, {})


def test_not_equals():
    rule = {"!=": [var("relationship"), "father"]}
    assert evaluate(rule, {"relationship": "mother"})
    assert not evaluate(rule, {"relationship": "father"})
    assert evaluate({"!=": [var("grade"), "2"]}, {"grade": 3})
    assert not evaluate({"!=": [var("grade"), "2"]}, {"grade": 2})


def test_not_equals_holds_for_an_unanswered_field():
    assert evaluate({"!=": [var("relationship"), "father"]}, {})


def test_contains_on_text_is_a_substring_test():
    rule = {"in": ["北山", var("route")]}
    assert evaluate(rule, {"route": "北山停留所〜緑ヶ丘駅前"})
    assert not evaluate(rule, {"route": "南町停留所〜緑ヶ丘駅前"})
    assert evaluate({"in": [12, var("note")]}, {"note": "A12-3"})


def test_contains_on_a_list_is_one_of_the_checked_options():
    rule = {"in": ["bus", var("transport")]}
    assert evaluate(rule, {"transport": ["train", "bus"]})
    assert not evaluate(rule, {"transport": ["train"]})
    assert not evaluate(rule, {"transport": []})
    # A list member must be the same value (===): the number 1 is not the option "1".
    assert not evaluate({"in": [1, var("choices")]}, {"choices": ["1", "2"]})
    assert evaluate({"in": [1, var("choices")]}, {"choices": [1, 2]})


def test_contains_needs_a_value_and_a_text_or_list():
    assert not evaluate({"in": [None, var("route")]}, {"route": "北山"})
    assert not evaluate({"in": ["北", var("route")]}, {})
    assert not evaluate({"in": ["a", var("x")]}, {"x": {"a": 1}})
    assert not evaluate({"in": ["1", var("x")]}, {"x": 12})


@pytest.mark.parametrize(("birth", "expected"), [
    ("2009-04-01", True), ("2010-04-01", True), ("2010-04-02", False), ("2012-01-01", False),
])
def test_before_with_iso_dates(birth, expected):
    rule = {"<": [var("birth_date"), "2010-04-02"]}
    assert evaluate(rule, {"birth_date": birth}) is expected


@pytest.mark.parametrize("answers", [{}, {"birth_date": None}])
def test_an_unanswered_date_is_neither_before_nor_after(answers):
    # An optional field left empty is stored as None (FieldType.validate), never "".
    for operator in ("<", "<=", ">", ">="):
        assert not evaluate({operator: [var("birth_date"), "2010-04-02"]}, answers), operator


def test_comparisons_of_numbers():
    answers = {"children": 3}
    assert evaluate({"<": [var("children"), 4]}, answers)
    assert not evaluate({"<": [var("children"), 3]}, answers)
    assert evaluate({"<=": [var("children"), 3]}, answers)
    assert evaluate({">": [var("children"), 2.5]}, answers)
    assert not evaluate({">": [var("children"), 3]}, answers)
    assert evaluate({">=": [var("children"), 3]}, answers)


def test_comparisons_convert_numbers_typed_as_text():
    assert evaluate({"<": [var("n"), "10"]}, {"n": 3})
    assert evaluate({"<": [var("n"), 10]}, {"n": "3"})
    assert evaluate({">=": [var("age"), 18]}, {"age": "25"})
    assert not evaluate({"<": [var("n"), "10"]}, {"n": "3"})  # two texts compare as text
    assert not evaluate({"<": [var("n"), 10]}, {"n": "三"})  # not a number: neither side
    assert not evaluate({">=": [var("n"), 10]}, {"n": "三"})


def test_between_takes_three_values():
    assert evaluate({"<": [1, var("n"), 10]}, {"n": 5})
    assert not evaluate({"<": [1, var("n"), 10]}, {"n": 10})
    assert evaluate({"<=": [1, var("n"), 10]}, {"n": 10})


def test_and_or_not():
    father = {"==": [var("relationship"), "father"]}
    bus = {"in": ["bus", var("transport")]}
    answers = {"relationship": "father", "transport": ["train"]}
    assert not evaluate({"and": [father, bus]}, answers)
    assert evaluate({"or": [father, bus]}, answers)
    assert evaluate({"and": [father, {"!": bus}]}, answers)
    assert not evaluate({"!": father}, answers)
    assert evaluate({"!": [bus]}, answers)
    assert not evaluate({"and": []}, {})  # nothing to decide: null
    assert not evaluate({"or": []}, {})


@pytest.mark.parametrize(("value", "expected"), [
    ("text", True), (1, True), (["a"], True), (True, True), ({}, True), ("0", True),
    ("", False), (0, False), ([], False), (False, False), (None, False),
])
def test_double_negation_is_truthiness(value, expected):
    answers = {} if value is None else {"x": value}
    assert evaluate({"!!": var("x")}, answers) is expected
    assert evaluate({"!": var("x")}, answers) is (not expected)


def test_var_reads_the_list_form_a_default_and_a_dotted_path():
    assert evaluate({"==": [{"var": ["grade"]}, "2"]}, {"grade": "2"})
    assert evaluate({"==": [{"var": ["grade", 1]}, 1]}, {})
    assert not evaluate({"==": [{"var": ["grade", 1]}, 1]}, {"grade": 2})
    assert evaluate({"==": [{"var": "name.family"}, "山田"]}, {"name": {"family": "山田"}})
    assert not evaluate({"!!": {"var": "name.given"}}, {"name": {"family": "山田"}})
    assert evaluate({"==": [{"var": 5}, "2"]}, {"5": "2"})  # a number names the key "5"


def test_var_without_a_name_reads_all_the_data_and_is_refused():
    assert evaluate({"!!": {"var": []}}, {"": "x"})
    assert evaluate({"!!": {"var": None}}, {})  # an object, even empty, is true
    assert problems({"var": None}) == problems({"var": [""]}) == ["var"]


def test_literal_rules():
    assert evaluate(True, {})
    assert not evaluate(False, {})
    assert not evaluate(None, {})
    assert evaluate("yes", {})
    assert not evaluate("", {})


# --- refused rules: problems() names them; evaluate never raises ---------------------------------
@pytest.mark.parametrize(("rule", "tag"), [
    ({"==": [var("a")]}, "arity:=="),
    ({"==": []}, "arity:=="),
    ({"==": "a"}, "arity:=="),
    ({"<": [var("a")]}, "arity:<"),
    ({"in": "a"}, "arity:in"),
    ({"==": [var("a"), "x"], "!=": [var("a"), "y"]}, "shape"),
    ({}, "shape"),
    ({"if": [True, True, False]}, "if"),
    ({"+": [1, 2]}, "+"),
    ({"some": [var("a"), {"==": [var(""), 1]}]}, "some"),
    ({"!": []}, "arity:!"),
    ({"!!": []}, "arity:!!"),
    ({"var": "a", "extra": 1}, "shape"),
    ({"and": [True, {"bogus": 1}]}, "bogus"),
    ({"or": [False, {"==": [1]}]}, "arity:=="),
    ({"==": [{"==": [var("a")]}, True]}, "arity:=="),
])
def test_malformed_rules_are_refused_and_never_raise(rule, tag):
    assert problems(rule) == [tag]
    assert explain(tag)
    assert evaluate(rule, {"a": "x"}) in (True, False)


@pytest.mark.parametrize("rule", [
    {"if": [True, True, False]}, {"+": [1, 2]}, {"and": [True, {"bogus": 1}]},
    {"!": {"log": [1]}},
])
def test_unsupported_operators_are_false(rule):
    assert evaluate(rule, {}) is False


@translation.override("en")
def test_explain_gives_a_reason_for_each_tag():
    assert "“if” is not supported" in explain("if")
    assert "exactly 2 values" in explain("arity:==")
    assert "exactly one value" in explain("arity:!")
    assert "2 or 3 values" in explain("arity:<")
    assert "12 levels" in explain("depth")
    assert "key of a field" in explain("var")
    with translation.override("ja"):
        assert explain("arity:==") == "「==」の値はちょうど2個です"


def nested_not(levels: int, inner):
    rule = inner
    for _level in range(levels):
        rule = {"!!": rule}
    return rule


def test_depth_limit():
    shallow = nested_not(4, {"==": [var("a"), "x"]})
    assert evaluate(shallow, {"a": "x"})
    deep = nested_not(MAX_DEPTH + 5, {"==": [var("a"), "x"]})
    assert evaluate(deep, {"a": "x"}) is False


def test_very_deep_rule_does_not_recurse_forever():
    rule: object = var("a")
    for _level in range(5000):
        rule = {"!!": rule}
    assert evaluate(rule, {"a": 1}) is False
    rule_list: object = "x"
    for _level in range(5000):
        rule_list = [rule_list]
    assert evaluate({"in": ["x", rule_list]}, {}) is False
    assert problems(rule) == ["depth"]
    assert list(variables(rule)) == []


def test_answers_are_not_changed():
    answers = {"a": ["x"], "b": {"c": 1}}
    evaluate({"and": [{"in": ["x", var("a")]}, {"!!": var("b")}]}, answers)
    assert answers == {"a": ["x"], "b": {"c": 1}}


# --- the builder's phrasings ----------------------------------------------------------------------
@pytest.mark.parametrize(("phrase", "value", "logic"), [
    ("is", "father", {"==": [var("relationship"), "father"]}),
    ("is_not", "father", {"!=": [var("relationship"), "father"]}),
    ("contains", "father", {"in": ["father", var("relationship")]}),
    ("before", "2010-04-02", {"<": [var("relationship"), "2010-04-02"]}),
])
def test_condition_to_logic(phrase, value, logic):
    assert Condition("relationship", phrase, value).to_logic() == logic


@pytest.mark.parametrize("phrase", PHRASES)
@pytest.mark.parametrize("value", ["father", "2010-04-02", 3, True, "", "父"])
def test_condition_round_trip(phrase, value):
    condition = Condition("relationship", phrase, value)
    assert Condition.from_logic(condition.to_logic()) == condition


def test_unknown_phrase_cannot_become_logic():
    with pytest.raises(ValueError):
        Condition("a", "after", "2010-04-02").to_logic()


@pytest.mark.parametrize("rule", [
    None, "text", 1, [], {},
    {"and": [{"==": [var("a"), 1]}, {"==": [var("b"), 2]}]},
    {"<=": [var("a"), "2010-04-02"]},
    {">": [var("a"), 1]},
    {"==": [var("a"), 1, 2]},
    {"==": [var("a")]},
    {"==": ["x", var("a")]},  # the value on the wrong side
    {"==": [var("a"), var("b")]},
    {"==": [var("a"), {"x": 1}]},
    {"in": [var("a"), "text"]},
    {"in": [{"x": 1}, var("a")]},
    {"==": [{"var": 1}, "x"]},
    {"==": [{"var": "a", "x": 1}, "x"]},
    {"==": [var("a"), "x"], "!=": [var("a"), "y"]},
    {"==": "x"},
])
def test_from_logic_is_none_for_other_rules(rule):
    assert Condition.from_logic(rule) is None


# --- variables() and problems() -------------------------------------------------------------------
def test_variables_lists_every_field_read():
    rule = {"and": [
        {"==": [var("relationship"), "father"]},
        {"or": [{"in": ["bus", {"var": ["transport", []]}]}, {"!": var("consent")}]},
        {"<": [var("birth_date"), "2010-04-02"]},
    ]}
    assert list(variables(rule)) == ["relationship", "transport", "consent", "birth_date"]


def test_variables_ignores_literals_and_reads_number_names_as_keys():
    assert list(variables({"==": [{"var": 5}, "var"]})) == ["5"]
    assert list(variables({"==": [{"var": "name.family"}, "x"]})) == ["name"]
    assert list(variables({"var": ["a", {"var": "b"}]})) == ["a", "b"]
    assert list(variables("var")) == []
    assert list(variables(None)) == []
    assert list(variables({"==": [{"var": []}, 1]})) == []


def test_variables_of_a_rule_with_an_unsupported_operator_are_still_listed():
    assert list(variables({"if": [var("a"), var("b"), 1]})) == ["a", "b"]


@pytest.mark.parametrize("rule", [
    {"==": [var("a"), "x"]},
    {"and": [{"in": ["x", var("a")]}, {"!": {"<": [var("d"), "2010-04-02"]}}]},
    {"!!": var("a")},
    {"or": []},
    True,
    "x",
])
def test_no_problems_in_supported_rules(rule):
    assert problems(rule) == []


@pytest.mark.parametrize(("rule", "expected"), [
    ({"if": [True, 1, 2]}, ["if"]),
    ({"and": [{"==": [var("a"), 1]}, {"+": [1, 2]}]}, ["+"]),
    ({"==": [var("a"), 1, 2]}, ["arity:=="]),
    ({"==": var("a")}, ["arity:=="]),
    ({"<": []}, ["arity:<"]),
    ({"<": [1, var("a"), 3, 4]}, ["arity:<"]),
    ({"var": {"x": 1}}, ["var"]),
    ({"var": ["a", 1, 2]}, ["arity:var"]),
    ({"==": [var("a"), 1], "!=": [var("a"), 2]}, ["shape"]),
    ({}, ["shape"]),
])
def test_problems_name_the_structural_faults(rule, expected):
    assert problems(rule) == expected


def test_problems_cut_long_operator_names():
    found = problems({"x" * 500: []})
    assert found == ["x" * 40]


def test_problems_report_a_rule_nested_too_deeply():
    assert problems(nested_not(MAX_DEPTH + 2, var("a"))) == ["depth"]
    assert problems(nested_not(3, var("a"))) == []


def test_every_operator_of_the_subset_is_accepted():
    for operator in OPERATORS - {"var"}:
        args = [var("a"), 1] if operator not in ("!", "!!") else [var("a")]
        assert problems({operator: args}) == [], operator
        evaluate({operator: args}, {"a": 1})


# --- fuzzing --------------------------------------------------------------------------------------
json_scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10)
    | st.sampled_from(["a", "b", "", "2010-04-02", "yes"])
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(
        st.sampled_from([*sorted(OPERATORS), "if", "a", "+", ""]) | st.text(max_size=5),
        children, max_size=3,
    ),
    max_leaves=30,
)
answers_strategy = st.dictionaries(st.sampled_from(["a", "b", "c", ""]) | st.text(max_size=4),
                                   json_values, max_size=4)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rule=json_values, answers=answers_strategy)
def test_evaluate_never_raises_on_arbitrary_json(rule, answers):
    assert evaluate(rule, answers) in (True, False)
    assert isinstance(problems(rule), list)
    assert all(isinstance(name, str) for name in variables(rule))


@settings(max_examples=200, deadline=None)
@given(
    field=st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True),
    phrase=st.sampled_from(PHRASES),
    value=json_scalars,
)
def test_round_trip_for_any_scalar_value(field, phrase, value):
    condition = Condition(field, phrase, value)
    assert Condition.from_logic(condition.to_logic()) == condition
    assert problems(condition.to_logic()) == []
    assert list(variables(condition.to_logic())) == [field]
