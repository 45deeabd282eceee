"""Conditions on a form's answers: JSON Logic, evaluated by :mod:`madoguchi.core.jsonlogic`.

The evaluator, its structural checks and the builder's four phrasings are not specific to forms
(the catalog's navigator evaluates the same rules), so they live in core. Forms code reads them
through this module.
"""

from madoguchi.core.jsonlogic import (
    MAX_DEPTH,
    OPERATORS,
    PHRASES,
    Condition,
    LogicError,
    apply,
    evaluate,
    explain,
    problems,
    truthy,
    variables,
)

__all__ = ["MAX_DEPTH", "OPERATORS", "PHRASES", "Condition", "LogicError", "apply", "evaluate",
           "explain", "problems", "truthy", "variables"]
