"""docs/plugins.md holds the field-type reference as the registered types declare it today."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

from django.core.management import call_command

from madoguchi.forms.fields import registry
from madoguchi.forms.fields.options import FieldOption, OptionKind
from madoguchi.forms.fields.reference import BEGIN, END, reference_table
from madoguchi.forms.fields.simple import TextField

DOCS = Path(__file__).resolve().parents[4] / "docs" / "plugins.md"


def documented_reference() -> str:
    text = DOCS.read_text(encoding="utf-8")
    assert BEGIN in text and END in text, "docs/plugins.md lost its reference markers"
    return BEGIN + text.split(BEGIN, 1)[1].split(END, 1)[0] + END


def test_the_documentation_holds_the_current_reference():
    out = StringIO()
    call_command("field_type_reference", stdout=out)
    assert out.getvalue().strip() == documented_reference(), (
        "Run `manage.py field_type_reference` and paste its output into docs/plugins.md.")


def test_every_registered_type_and_declared_option_is_in_it():
    table = reference_table(registry.items())
    for type_name, field_type in registry.items():
        row = next(line for line in table.splitlines() if line.startswith(f"| `{type_name}` |"))
        for option in field_type.spec_options:
            assert f"`{option.name}` ({option.kind.value}" in row


def test_a_new_option_changes_the_reference():
    class Toy(TextField):
        type_name = "toy_reference"
        spec_options = (FieldOption("stars", OptionKind.COUNT, default=3),)
        palette = ()

    with registry.temporary("toy_reference", Toy):
        table = reference_table(registry.items())
    assert "| `toy_reference` | `stars` (count; default 3) | — |" in table
