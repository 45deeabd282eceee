"""Conditions on answers, stored as JSON Logic (https://jsonlogic.com), and four plain phrasings.

Forms (show a field, require it) and the navigator (which procedures a life event lists) keep
their conditions in this one format and evaluate them here.

Only a small, safe subset of operators is evaluated: ``var``, ``==``, ``!=``, ``in``, ``<``,
``<=``, ``>``, ``>=``, ``and``, ``or``, ``!`` and ``!!``. Within it the semantics are JSON
Logic's own (the reference implementation json-logic-js, checked against the project's
published test suite in ``core/tests/data/jsonlogic-tests.json``): JavaScript truthiness except
that an empty list is false, ``==`` is JavaScript's loose equality (``1 == "1"``), comparisons
convert numeric strings (``"25" >= 18``), ``in`` is a substring or a strict list member test,
``and``/``or`` answer with the deciding value, ``var`` takes a default and a dotted path
(``"applicant_name.family"``, list indexes too) and any data, not only an object.

Anything outside the subset, and shapes that would only work by accident (``==`` with three
values, a ``var`` without a field key), is refused by :func:`problems` before a form is
published, with a reason (:func:`explain`); such a rule is never evaluated in some other way:
if it ever reaches :func:`evaluate`, it is false.

The form builder (and the navigator's rule editor, through :class:`Condition`) offers four
phrasings, each one JSON Logic rule::

    is        {"==": [{"var": "k"}, "v"]}
    is not    {"!=": [{"var": "k"}, "v"]}
    contains  {"in": ["v", {"var": "k"}]}        (text contains, or one of several choices)
    is before {"<": [{"var": "k"}, "2010-04-02"]} (dates are ISO strings; numbers compare too)
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

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


class LogicError(ValueError):
    """A rule that cannot be evaluated: an operator outside the subset, or nested too deeply."""


# --- JavaScript values, as JSON Logic sees them ------------------------------------------------
# JSON null, true/false, numbers, strings, arrays and objects arrive as None, bool, int/float,
# str, list and dict. These helpers follow the ECMAScript abstract operations that
# json-logic-js relies on (ToNumber, ToString, ToPrimitive, ==, ===, <).

_MISSING = object()
_JS_SPACE = " \t\n\v\f\r\u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff" + "".join(
    chr(cp) for cp in range(0x2000, 0x200B)
)
_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_RADIX = {"0x": 16, "0X": 16, "0o": 8, "0O": 8, "0b": 2, "0B": 2}
_RADIX_DIGITS = {16: re.compile(r"[0-9a-fA-F]+"), 8: re.compile(r"[0-7]+"),
                 2: re.compile(r"[01]+")}
_ARRAY_INDEX = re.compile(r"0|[1-9][0-9]*", re.ASCII)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_object(value: Any) -> bool:
    return isinstance(value, Mapping | list | tuple)


def _float(value: int | float) -> float:
    try:
        return float(value)
    except OverflowError:  # an integer beyond double range is ±Infinity in JavaScript
        return math.inf if value > 0 else -math.inf


def _string_to_number(text: str) -> float:
    """ECMAScript StringToNumber: trimmed decimal, Infinity, 0x/0o/0b; "" is 0; else NaN."""
    text = text.strip(_JS_SPACE)
    if not text:
        return 0.0
    if text in ("Infinity", "+Infinity"):
        return math.inf
    if text == "-Infinity":
        return -math.inf
    radix = _RADIX.get(text[:2])
    if radix is not None:
        digits = text[2:]
        return _float(int(digits, radix)) if _RADIX_DIGITS[radix].fullmatch(digits) else math.nan
    if _DECIMAL.fullmatch(text):
        return float(text)  # overflows to ±inf itself, as JavaScript does
    return math.nan


def _to_primitive(value: Any) -> Any:
    """ToPrimitive: an array becomes its joined text, any other object "[object Object]"."""
    if isinstance(value, list | tuple):
        return ",".join("" if item is None else _to_string(item) for item in value)
    if isinstance(value, Mapping):
        return "[object Object]"
    return value


def _to_number(value: Any) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if _is_number(value):
        return _float(value)
    if isinstance(value, str):
        return _string_to_number(value)
    if _is_object(value):
        return _to_number(_to_primitive(value))
    return math.nan


def _number_to_string(value: int | float) -> str:
    """ECMAScript Number::toString: 1.0 → "1", 1e21 → "1e+21", 1e-7 → "1e-7"."""
    number = _float(value)
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    if number == 0:
        return "0"
    sign = "-" if number < 0 else ""
    _sign, digit_tuple, exponent = Decimal(repr(abs(number))).as_tuple()
    digits = "".join(map(str, digit_tuple)).rstrip("0") or "0"
    exponent = int(exponent) + len(digit_tuple) - len(digits)
    k, n = len(digits), int(exponent) + len(digits)
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = f"{digits[:n]}.{digits[n:]}"
    elif -6 < n <= 0:
        text = "0." + "0" * -n + digits
    else:
        mantissa = digits if k == 1 else f"{digits[0]}.{digits[1:]}"
        text = f"{mantissa}e{'+' if n - 1 >= 0 else '-'}{abs(n - 1)}"
    return sign + text


def _to_string(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if _is_number(value):
        return _number_to_string(value)
    if isinstance(value, str):
        return value
    primitive = _to_primitive(value)
    return primitive if isinstance(primitive, str) else str(primitive)


def _js_falsy(value: Any) -> bool:
    """JavaScript's own falsiness (an empty array is true here)."""
    if value is None or value is False or value == "":
        return True
    return _is_number(value) and (value == 0 or math.isnan(value))


def truthy(value: Any) -> bool:
    """JSON Logic truthiness: JavaScript's, except that an empty list is false."""
    if isinstance(value, list | tuple) and not value:
        return False
    return not _js_falsy(value)


def _strict_equal(left: Any, right: Any) -> bool:
    """JavaScript ===: same type and value; objects only to themselves."""
    if _is_number(left) and _is_number(right):
        return _float(left) == _float(right)
    if _is_object(left) or _is_object(right):
        return left is right
    if type(left) is not type(right):
        return False
    return bool(left == right)


def loose_equal(left: Any, right: Any) -> bool:
    """JavaScript == (the Abstract Equality Comparison)."""
    if left is None or right is None:
        return left is None and right is None
    if _is_number(left) and _is_number(right):
        return _float(left) == _float(right)
    if isinstance(left, str) and isinstance(right, str):
        return left == right
    if isinstance(left, bool) and isinstance(right, bool):
        return left is right
    if _is_object(left) and _is_object(right):
        return left is right
    if isinstance(left, bool):
        return loose_equal(_to_number(left), right)
    if isinstance(right, bool):
        return loose_equal(left, _to_number(right))
    if _is_number(left) and isinstance(right, str):
        return _float(left) == _string_to_number(right)
    if isinstance(left, str) and _is_number(right):
        return _string_to_number(left) == _float(right)
    if _is_object(left):
        return loose_equal(_to_primitive(left), right)
    if _is_object(right):
        return loose_equal(left, _to_primitive(right))
    return False


def _utf16(text: str) -> bytes:
    return text.encode("utf-16-be", "surrogatepass")


def _less_than(left: Any, right: Any) -> bool | None:
    """JavaScript's Abstract Relational Comparison ``left < right``; None when undefined (NaN)."""
    left, right = _to_primitive(left), _to_primitive(right)
    if isinstance(left, str) and isinstance(right, str):
        return _utf16(left) < _utf16(right)  # code unit order, as JavaScript compares text
    x, y = _to_number(left), _to_number(right)
    if math.isnan(x) or math.isnan(y):
        return None
    return x < y


def _lt(a: Any, b: Any) -> bool:
    return _less_than(a, b) is True


def _le(a: Any, b: Any) -> bool:
    result = _less_than(b, a)
    return result is False  # a <= b is "not b < a", and false when undefined


def _contains(item: Any, container: Any) -> bool:
    """json-logic-js ``in``: substring of a text, or a strict (===) member of a list."""
    if _js_falsy(container):
        return False
    if isinstance(container, str):
        return _to_string(item) in container
    if isinstance(container, list | tuple):
        return any(_strict_equal(item, element) for element in container)
    return False


def _lookup(data: Any, key: str) -> Any:
    """``data[key]`` as JavaScript reads it, or _MISSING for undefined."""
    if isinstance(data, Mapping):
        return data.get(key, _MISSING)
    if isinstance(data, list | tuple | str):
        if isinstance(data, str):
            units = _utf16(data)
            if key == "length":
                return len(units) // 2
            if _ARRAY_INDEX.fullmatch(key) and int(key) < len(units) // 2:
                i = int(key) * 2
                return units[i : i + 2].decode("utf-16-be", "surrogatepass")
            return _MISSING
        if key == "length":
            return len(data)
        if _ARRAY_INDEX.fullmatch(key) and int(key) < len(data):
            return data[int(key)]
    return _MISSING


def _var(values: list[Any], data: Any) -> Any:
    name = values[0] if values else None
    default = values[1] if len(values) > 1 else None
    if name is None or name == "":
        return data
    for key in _to_string(name).split("."):
        if data is None:
            return default
        data = _lookup(data, key)
        if data is _MISSING:
            return default
    return data


# --- evaluation -------------------------------------------------------------------------------
def _is_rule(value: Any) -> bool:
    """A JSON Logic rule is an object with exactly one key (any other object is a value)."""
    return isinstance(value, Mapping) and len(value) == 1


def apply(rule: Any, data: Any = None) -> Any:
    """The JSON Logic value of ``rule`` for ``data`` (any JSON value: usually the answers).

    Raises LogicError for an operator outside the subset or a rule nested too deeply.
    """
    return _apply(rule, data, 0)


def _apply(rule: Any, data: Any, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise LogicError("condition nested too deeply")
    if isinstance(rule, list | tuple):
        return [_apply(item, data, depth + 1) for item in rule]
    if not _is_rule(rule):
        return rule
    ((operator, args),) = rule.items()
    if operator not in OPERATORS:
        raise LogicError(f"unsupported operator {str(operator)[:40]!r}")
    if not isinstance(args, list | tuple):
        args = [args]
    if operator in ("and", "or"):
        current: Any = None
        for arg in args:
            current = _apply(arg, data, depth + 1)
            if truthy(current) == (operator == "or"):
                return current
        return current
    values = [_apply(arg, data, depth + 1) for arg in args]
    if operator == "var":
        return _var(values, data)
    first = values[0] if values else None
    second = values[1] if len(values) > 1 else None
    if operator == "!":
        return not truthy(first)
    if operator == "!!":
        return truthy(first)
    if operator == "==":
        return loose_equal(first, second)
    if operator == "!=":
        return not loose_equal(first, second)
    if operator == "in":
        return _contains(first, second)
    if operator in ("<", "<="):
        compare = _lt if operator == "<" else _le
        if len(values) > 2:  # between: a < b < c
            return compare(first, second) and compare(second, values[2])
        return compare(first, second)
    if operator == ">":
        return _lt(second, first)
    return _le(second, first)  # >=


def evaluate(rule: Any, answers: Any) -> bool:
    """Whether ``rule`` holds for ``answers`` (JSON Logic truthiness of its value).

    Never raises: a rule :func:`problems` would refuse (an unsupported operator, too deep) is
    simply false.
    """
    try:
        return truthy(_apply(rule, answers, 0))
    except (LogicError, RecursionError, OverflowError, TypeError, ValueError):
        return False


# --- what a rule reads, and what is refused before publishing ------------------------------------
def variables(rule: Any, depth: int = 0) -> Iterator[str]:
    """The key of every field that ``rule`` reads (the first part of a dotted path)."""
    if depth > MAX_DEPTH:
        return
    if isinstance(rule, list | tuple):
        for item in rule:
            yield from variables(item, depth + 1)
    elif isinstance(rule, Mapping):
        for operator, args in rule.items():
            if operator == "var":
                name = args[0] if isinstance(args, list | tuple) and args else args
                if isinstance(name, str) and name:
                    yield name.split(".")[0]
                elif _is_number(name):
                    yield _to_string(name).split(".")[0]
                if isinstance(args, list | tuple):
                    yield from variables(list(args[1:]), depth + 1)
            else:
                yield from variables(args, depth + 1)


# How many values each operator takes, where a different number would only work by accident.
_ARITY = {"==": (2, 2), "!=": (2, 2), "in": (2, 2), ">": (2, 2), ">=": (2, 2),
          "<": (2, 3), "<=": (2, 3), "!": (1, 1), "!!": (1, 1), "var": (1, 2)}


def problems(rule: Any, depth: int = 0) -> list[str]:
    """Why ``rule`` cannot be published, as short tags (empty when it can).

    ``depth`` (nested too deeply), ``shape`` (an object that is not one operator),
    ``arity:<op>`` (wrong number of values), ``var`` (a var without a field key) or the name of
    an unsupported operator. :func:`explain` turns a tag into a sentence.
    """
    if depth > MAX_DEPTH:
        return ["depth"]
    if isinstance(rule, list | tuple):
        return [p for item in rule for p in problems(item, depth + 1)]
    if not isinstance(rule, Mapping):
        return []
    if len(rule) != 1:
        return ["shape"]
    ((operator, args),) = rule.items()
    if operator not in OPERATORS:
        return [str(operator)[:40]]
    values = list(args) if isinstance(args, list | tuple) else [args]
    if operator == "var":
        name: Any = values[0] if values else None
        if not ((isinstance(name, str) and name) or (_is_number(name) and name >= 0)):
            return ["var"]
    low, high = _ARITY.get(operator, (0, None))
    if len(values) < low or (high is not None and len(values) > high):
        return [f"arity:{operator}"]
    return problems(values, depth + 1)


def explain(tag: str) -> str:
    """A sentence (translated) for one tag of :func:`problems`."""
    if tag == "depth":
        return _("it is nested more than %(max)d levels deep") % {"max": MAX_DEPTH}
    if tag == "shape":
        return _("each part of a condition must be one operator with its values")
    if tag == "var":
        return _("“var” must name the key of a field")
    if tag.startswith("arity:"):
        operator = tag.removeprefix("arity:")
        low, high = _ARITY[operator]
        if low == high == 1:
            return _("“%(operator)s” takes exactly one value") % {"operator": operator}
        if low == high:
            return _("“%(operator)s” takes exactly %(count)d values") % {
                "operator": operator, "count": low}
        return _("“%(operator)s” takes %(low)d or %(high)d values") % {
            "operator": operator, "low": low, "high": high}
    return _("the operator “%(operator)s” is not supported; use %(supported)s") % {
        "operator": tag, "supported": ", ".join(sorted(OPERATORS))}
