"""Forms of the approval pages: what staff type is checked here, with messages they can act on."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from madoguchi.jp import wareki
from madoguchi.jp.errors import JPValueError
from madoguchi.staff.models import StaffMember

DATES_MESSAGE = _("Enter the first and last day, e.g. 2026-12-01 or 令和8年12月1日.")


def _date(value: Any) -> dt.date | None:
    """A day typed in 西暦 or 和暦; ``None`` when it is not one."""
    if not isinstance(value, str):
        return None
    try:
        return wareki.parse_date(value.replace("\x00", "")[:30])
    except JPValueError:
        return None


class _ColleagueField(forms.ModelChoiceField):
    """A colleague by id; a value with a NUL character is simply not one of the choices (Django
    would otherwise say that NUL is not allowed, which does not tell staff what to do)."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and "\x00" in value:
            raise forms.ValidationError(self.error_messages["invalid_choice"],
                                        code="invalid_choice")
        return super().to_python(value)


class DelegationForm(forms.Form):
    """Who decides one's approval steps (a colleague of the department), from which day to
    which day. Whether the days are in order is the service's rule."""

    delegate = _ColleagueField(
        queryset=StaffMember.objects.none(),
        error_messages={"required": _("Choose who decides for you."),
                        "invalid_choice": _("Choose who decides for you.")},
    )
    # Plain fields: both days are read in clean(), so that one message covers them.
    starts_on = forms.Field(required=False)
    ends_on = forms.Field(required=False)

    def __init__(self, *args: Any, colleagues: QuerySet[StaffMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["delegate"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = colleagues

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        starts_on, ends_on = _date(cleaned.get("starts_on")), _date(cleaned.get("ends_on"))
        if starts_on is None or ends_on is None:
            raise forms.ValidationError(DATES_MESSAGE)
        cleaned["starts_on"], cleaned["ends_on"] = starts_on, ends_on
        return cleaned

    def messages(self) -> list[str]:
        """Every error (the colleague's first), for the page's error summary."""
        return [str(e) for errors in self.errors.values() for e in errors]
