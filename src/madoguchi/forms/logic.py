"""Conditions on answers, stored as JSON Logic (https://jsonlogic.com), and the builder's phrasing.

Only a small, safe subset is evaluated: ``var``, ``==``, ``!=``, ``in``, ``<``, ``<=``, ``>``,
``>=``, ``and``, ``or``, ``!`` and ``!!``. Anything else is refused by :func:`problems` before a
form is published, and evaluates to ``False`` if it ever reaches :func:`evaluate`.

The builder offers four phrasings, each one JSON Logic rule::

    is        {"==": [{"var": "k"}, "v"]}
    is not    {"!=": [{"var": "k"}, "v"]}
    contains  {"in": ["v", {"var": "k"}]}        (text contains, or one of several choices)
    is before {"<": [{"var": "k"}, "2010-04-02"]} (dates are ISO strings; numbers compare too)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

OPERATORS = frozenset({"var", "==", "!=", "in", "<", "<=", ">", ">=", "and", "or", "!", "!!"})
MAX_DEPTH = 12

# The builder's phrasings: name → JSON Logic operator.
PHRASES = ("is", "is_not", "contains", "before")


@dataclass(frozen=True)
class Condition:
    """One builder condition: [field] [is / is not / contains / is before] [value]."""

    field: str
    phrase: str
    value: Any

    def to_logic(self) -> dict[str, Any]:
        var = {"var": self.field}
        if self.phrase == "is":
            return {"==": [var, self.value]}
        if self.phrase == "is_not":
            return {"!=": [var, self.value]}
        if self.phrase == "contains":
            return {"in": [self.value, var]}
        if self.phrase == "before":
            return {"<": [var, self.value]}
        raise ValueError(f"unknown phrase {self.phrase!r}")

    @classmethod
    def from_logic(cls, rule: Any) -> Condition | None:
        """The builder phrasing of ``rule``, or ``None`` when it is not one of the four."""
        if not isinstance(rule, Mapping) or len(rule) != 1:
            return None
        ((operator, args),) = rule.items()
        if not isinstance(args, list) or len(args) != 2:
            return None
        left, right = args
        if operator in ("==", "!=", "<") and _is_var(left) and not isinstance(right, dict):
            phrase = {"==": "is", "!=": "is_not", "<": "before"}[operator]
            return cls(left["var"], phrase, right)
        if operator == "in" and _is_var(right) and not isinstance(left, dict):
            return cls(right["var"], "contains", left)
        return None


def _is_var(value: Any) -> bool:
    return isinstance(value, Mapping) and set(value) == {"var"} and isinstance(value["var"], str)


def evaluate(rule: Any, answers: Mapping[str, Any]) -> bool:
    """Whether ``rule`` holds for ``answers``; malformed rules are simply false."""
    try:
        return bool(_eval(rule, answers, 0))
    except (TypeError, ValueError, KeyError, IndexError, RecursionError):
        return False


def _eval(rule: Any, answers: Mapping[str, Any], depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise ValueError("condition nested too deeply")
    if isinstance(rule, list):
        return [_eval(item, answers, depth + 1) for item in rule]
    if not isinstance(rule, Mapping):
        return rule
    if len(rule) != 1:
        raise ValueError("a rule has exactly one operator")
    ((operator, args),) = rule.items()
    if operator == "var":
        name = args[0] if isinstance(args, list) and args else args
        return answers.get(name) if isinstance(name, str) else None
    if not isinstance(args, list):
        args = [args]
    if operator == "and":
        return all(_eval(a, answers, depth + 1) for a in args)
    if operator == "or":
        return any(_eval(a, answers, depth + 1) for a in args)
    values = [_eval(a, answers, depth + 1) for a in args]
    if operator == "!":
        return not _truthy(values[0])
    if operator == "!!":
        return _truthy(values[0])
    left, right = values[0], values[1]
    if operator == "==":
        return _same(left, right)
    if operator == "!=":
        return not _same(left, right)
    if operator == "in":
        return _contains(right, left)
    if operator in ("<", "<=", ">", ">="):
        return _compare(operator, left, right)
    raise ValueError(f"unsupported operator {operator!r}")


def _truthy(value: Any) -> bool:
    return value not in (None, "", [], {}, False, 0)


def _same(left: Any, right: Any) -> bool:
    # Several choices (checkboxes) "are" one value when exactly that one is ticked.
    if isinstance(left, list) and not isinstance(right, list):
        return len(left) == 1 and _same(left[0], right)
    # Choice values are strings; a builder may have typed a number for them.
    if isinstance(left, bool) or isinstance(right, bool):
        return left is right or (left in ("yes", True) and right in ("yes", True))
    if isinstance(left, int | float) and isinstance(right, str):
        return str(left) == right
    if isinstance(right, int | float) and isinstance(left, str):
        return left == str(right)
    return left == right


def _contains(container: Any, item: Any) -> bool:
    if item is None:
        return False
    if isinstance(container, str):
        return str(item) in container
    if isinstance(container, list):
        return any(_same(element, item) for element in container)
    return False


def _compare(operator: str, left: Any, right: Any) -> bool:
    both_numbers = all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in (left, right)
    )
    both_text = isinstance(left, str) and isinstance(right, str)
    if not (both_numbers or both_text) or left == "" or right == "":
        return False  # an unanswered date is neither before nor after anything
    if operator == "<":
        return left < right
    if operator == "<=":
        return left <= right
    if operator == ">":
        return left > right
    return left >= right


def variables(rule: Any, depth: int = 0) -> Iterator[str]:
    """Every field key that ``rule`` reads."""
    if depth > MAX_DEPTH:
        return
    if isinstance(rule, list):
        for item in rule:
            yield from variables(item, depth + 1)
    elif isinstance(rule, Mapping):
        for operator, args in rule.items():
            if operator == "var":
                name = args[0] if isinstance(args, list) and args else args
                if isinstance(name, str):
                    yield name
            else:
                yield from variables(args, depth + 1)


def problems(rule: Any, depth: int = 0) -> list[str]:
    """Structural problems of a rule (operators outside the supported subset, bad shapes).

    Returned as operator names / short tags; the definition checker turns them into messages.
    """
    if depth > MAX_DEPTH:
        return ["depth"]
    if isinstance(rule, list):
        return [p for item in rule for p in problems(item, depth + 1)]
    if not isinstance(rule, Mapping):
        return []
    if len(rule) != 1:
        return ["shape"]
    ((operator, args),) = rule.items()
    if operator not in OPERATORS:
        return [str(operator)[:40]]
    if operator == "var":
        name = args[0] if isinstance(args, list) and args else args
        return [] if isinstance(name, str) else ["shape"]
    if operator in ("==", "!=", "in", "<", "<=", ">", ">=") and not (
        isinstance(args, list) and len(args) == 2
    ):
        return ["shape"]
    return problems(args, depth + 1)
