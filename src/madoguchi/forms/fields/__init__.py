"""The field types of a form and their registry.

:mod:`.base` holds the :class:`FieldType` contract and the registry; the built-in types live in
:mod:`.simple`, :mod:`.dates` and :mod:`.choice` (registered when this package is imported) and in
:mod:`.address`, :mod:`.finance`, :mod:`.group` and :mod:`.upload` (registered in the app's
``ready()``). What other apps import is re-exported here.
"""

from .base import (
    MAX_CHECKED,
    MAX_INPUT_LENGTH,
    CompositeField,
    FieldError,
    FieldRegistry,
    FieldType,
    int_option,
    join_list,
    jp_error,
    registry,
    spec_name,
    whole_number,
)
from .choice import ChoiceField, ConsentField
from .dates import DATE_BOUND, MAX_YEARS_AHEAD, DateField, resolve_date_bound
from .simple import (
    EmailField,
    GuidanceField,
    KanaField,
    NameField,
    NumberField,
    PhoneField,
    PostalCodeField,
    TextField,
)

__all__ = [
    "DATE_BOUND", "MAX_CHECKED", "MAX_INPUT_LENGTH", "MAX_YEARS_AHEAD", "ChoiceField",
    "CompositeField", "ConsentField", "DateField", "EmailField", "FieldError", "FieldRegistry",
    "FieldType", "GuidanceField", "KanaField", "NameField", "NumberField", "PhoneField",
    "PostalCodeField", "TextField", "int_option", "jp_error", "join_list", "registry",
    "resolve_date_bound", "spec_name", "whole_number",
]
