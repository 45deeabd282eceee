"""The JSON Logic project's own tests (data/jsonlogic-tests.json, see data/README.md), run
through the real evaluator for every case whose operators it supports.

A case either gives exactly the published answer, or ``problems`` refuses its rule so that it
can never be published; nothing is evaluated in some third way.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

import pytest

from madoguchi.core.jsonlogic import OPERATORS, apply, evaluate, problems

SUITE = Path(__file__).parent / "data" / "jsonlogic-tests.json"
SUITE_SHA256 = "e232d649656ed4dee6f0c1658ff9fa01b9d999b3377950b02bcb011df7fdf01c"
CASES = [entry for entry in json.loads(SUITE.read_text()) if isinstance(entry, list)]

# Applicable cases the evaluator refuses at publish time instead: a ``var`` that names no
# field reads the whole answers object, which is never a meaningful condition.
REFUSED = [{"var": ""}, {"var": None}, {"var": []}]


def operators(rule: object, found: set[str] | None = None) -> set[str]:
    """Every operator a rule uses (an object with one key is an operation)."""
    found = set() if found is None else found
    if isinstance(rule, list):
        for item in rule:
            operators(item, found)
    elif isinstance(rule, dict) and len(rule) == 1:
        ((name, args),) = rule.items()
        found.add(name)
        operators(args, found)
    return found


APPLICABLE = [case for case in CASES if operators(case[0]) <= OPERATORS]


def js_truthy(value: object) -> bool:
    """JSON Logic's truthiness, written out independently: JavaScript's, but [] is false."""
    if value is None or value is False or value == "" or value == []:
        return False
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value != 0 and not math.isnan(value)
    return True


def same_json(got: object, expected: object) -> bool:
    """Equal as JSON values: 1 is not true, 1 and 1.0 are the same number."""
    if isinstance(expected, list):
        return isinstance(got, list) and len(got) == len(expected) and all(
            same_json(g, e) for g, e in zip(got, expected, strict=True))
    if isinstance(expected, dict):
        return isinstance(got, dict) and got.keys() == expected.keys() and all(
            same_json(got[k], expected[k]) for k in expected)
    if isinstance(expected, int | float) and not isinstance(expected, bool):
        return isinstance(got, int | float) and not isinstance(got, bool) and got == expected
    return type(got) is type(expected) and got == expected


def test_the_vendored_suite_is_the_published_file():
    assert hashlib.sha256(SUITE.read_bytes()).hexdigest() == SUITE_SHA256
    assert len(CASES) == 275


def test_the_applicable_cases_cover_every_supported_operator():
    used = set().union(*(operators(case[0]) for case in APPLICABLE))
    assert used == OPERATORS
    assert len(APPLICABLE) == 108


@pytest.mark.parametrize(("rule", "data", "expected"), APPLICABLE,
                         ids=[json.dumps(c[:2], ensure_ascii=False) for c in APPLICABLE])
def test_published_case(rule, data, expected):
    if rule in REFUSED:
        assert problems(rule) == ["var"]
        return
    assert problems(rule) == []
    assert same_json(apply(rule, data), expected)
    assert evaluate(rule, data) is js_truthy(expected)


def test_the_refused_cases_are_in_the_suite():
    assert all(any(case[0] == rule for case in APPLICABLE) for rule in REFUSED)


@pytest.mark.parametrize(("rule", "data", "expected"), [
    # The cases of the issue: a number typed as text, var with a default or a dotted path,
    # data that is not an object.
    ({">=": [{"var": "age"}, 18]}, {"age": "25"}, True),
    ({"<": [{"var": "age"}, 18]}, {"age": "9"}, True),
    ({"==": [{"var": ["relationship", "father"]}, "father"]}, {}, True),
    ({"==": [{"var": "applicant_name.family"}, "髙﨑"]},
     {"applicant_name": {"family": "髙﨑", "given": "𠮷男"}}, True),
    ({"==": [{"var": "children.1.grade"}, 2]}, {"children": [{"grade": 1}, {"grade": "2"}]}, True),
    ({"==": [{"var": "a"}, None]}, None, True),
    ({"!!": {"var": "a"}}, ["x"], False),
    ({"==": [{"var": "0"}, "x"]}, ["x"], True),
])
def test_the_reported_differences(rule, data, expected):
    assert problems(rule) == []
    assert evaluate(rule, data) is expected
