"""Forms of the staff reservation pages: every value a clerk posts is read through one of them.

Junk input (a non-numeric id, '²', a NUL character, an unknown choice) makes the form invalid
with a message the clerk can act on; it never reaches the database as it came.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from madoguchi.applications.export_views import JapaneseDateField
from madoguchi.core.i18n import localized
from madoguchi.jp.width import to_ascii

from .. import exports
from ..forms import DetailsForm
from ..models import Service, Slot
from .services import MAX_CAPACITY, MAX_REASON

MAX_PERIOD_DAYS = 732
MAX_CANCEL_REASON = 200
_TIME = re.compile(r"(\d{1,2})[:：時](\d{2})分?")


class OneLineTextField(forms.CharField):
    """Free text folded to one line: NUL characters dropped, runs of white space made one
    space, cut at ``keep`` characters (a note for the log, not something to refuse)."""

    def __init__(self, *, keep: int, **kwargs: Any) -> None:
        self.keep = keep
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        text = str(value or "")[:2 * self.keep].replace("\x00", "")
        return " ".join(text.split())[:self.keep]


# --- one booking --------------------------------------------------------------------------

class CheckInForm(forms.Form):
    """Came, did not come, or undo the mark."""

    action = forms.ChoiceField(
        choices=[("attended", "attended"), ("no_show", "no_show"), ("undo", "undo")],
        error_messages={"required": gettext_lazy("Choose came or did not come."),
                        "invalid_choice": gettext_lazy("Choose came or did not come.")})


class CancelForm(forms.Form):
    """The reason a clerk gives for cancelling (optional; kept in the booking and the log)."""

    reason = OneLineTextField(keep=MAX_CANCEL_REASON)


class MoveForm(forms.Form):
    """The new time, one of the open slots offered on the page."""

    slot = forms.TypedChoiceField(coerce=int, error_messages={
        "required": gettext_lazy("Choose the new time."),
        "invalid_choice": gettext_lazy("Choose the new time.")})

    def __init__(self, *args: Any, targets: list[Slot], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.targets = {slot.pk: slot for slot in targets}
        self.fields["slot"].choices = [(str(pk), str(pk)) for pk in self.targets]

    def target(self) -> Slot:
        """The chosen slot (call after ``is_valid``)."""
        return self.targets[self.cleaned_data["slot"]]


class PhoneBookingForm(DetailsForm):
    """The caller's details, as the clerk types them; birth date and sex only when the
    service needs them (age or sex rules, once a year), e-mail optional."""

    REQUIRED_MESSAGES = {
        "family_name": gettext_lazy("Enter the caller's family name."),
        "given_name": gettext_lazy("Enter the caller's given name."),
        "family_kana": gettext_lazy("Enter the family name in katakana."),
        "given_kana": gettext_lazy("Enter the given name in katakana."),
        "birth_date": gettext_lazy("Enter the date of birth: this service has age rules."),
        "sex": gettext_lazy("Choose the sex: this service is for women or men only."),
        "phone": gettext_lazy("Enter a phone number the city can call back."),
        "request_token": gettext_lazy("The form has expired. Please try again."),
    }

    def __init__(self, *args: Any, service: Service, **kwargs: Any) -> None:
        super().__init__(*args, service=service, email_required=False, **kwargs)
        self.fields["birth_date"].required = (service.min_age is not None
                                              or service.max_age is not None
                                              or service.one_per_fiscal_year)
        self.fields["sex"].required = service.sex != Service.SexRule.ANY

    def clean_birth_date(self) -> dt.date | None:  # type: ignore[override]
        if not self.cleaned_data.get("birth_date"):
            return None
        return super().clean_birth_date()


def new_request_token() -> str:
    """The token of a fresh phone booking form (a second POST of it books nothing more)."""
    return f"staff:{secrets.token_urlsafe(24)}"


# --- closing ------------------------------------------------------------------------------

class ReasonForm(forms.Form):
    reason = forms.CharField(
        max_length=MAX_REASON,
        error_messages={
            "required": gettext_lazy("Enter the reason. It is sent to the people booked."),
            "max_length": gettext_lazy("Write the reason in at most %(limit_value)d "
                                       "characters."),
        })


class CloseDayForm(forms.Form):
    venue = forms.ChoiceField(error_messages={
        "required": gettext_lazy("Choose the venue."),
        "invalid_choice": gettext_lazy("Choose the venue.")})
    day = JapaneseDateField(error_messages={
        "required": gettext_lazy("Enter the day like 2026-12-04 or 令和8年12月4日."),
        "invalid": gettext_lazy("Enter the day like 2026-12-04 or 令和8年12月4日.")})
    reason = ReasonForm.base_fields["reason"]

    def __init__(self, *args: Any, venues: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["venue"].choices = [("", _("Choose")), *((v.code, str(v)) for v in venues)]

    def clean_day(self) -> dt.date:
        day = self.cleaned_data["day"]
        if day < timezone.localdate():
            raise forms.ValidationError(_("Choose today or a later day."))
        return day


# --- extra sessions -----------------------------------------------------------------------

class TimeOfDayField(forms.Field):
    """A time typed as 9:00, 09:00, ９：００ or 9時00分."""

    def to_python(self, value: Any) -> dt.time | None:  # type: ignore[override]
        text = to_ascii(str(value or "")).strip()
        if not text:
            return None
        match = _TIME.fullmatch(text) if len(text) <= 20 else None
        if match is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        hour, minute = int(match[1]), int(match[2])
        if hour > 23 or minute > 59:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return dt.time(hour, minute)


class ExtraSessionForm(forms.Form):
    service = forms.ChoiceField(error_messages={
        "required": gettext_lazy("Choose the service."),
        "invalid_choice": gettext_lazy("Choose the service.")})
    room = forms.ChoiceField(error_messages={
        "required": gettext_lazy("Choose the room."),
        "invalid_choice": gettext_lazy("Choose the room.")})
    day = JapaneseDateField(label=gettext_lazy("Day"), error_messages={
        "required": gettext_lazy("Enter the day like 2026-12-04 or 令和8年12月4日."),
        "invalid": gettext_lazy("Enter the day like 2026-12-04 or 令和8年12月4日.")})
    start = TimeOfDayField(label=gettext_lazy("Start time"), error_messages={
        "required": gettext_lazy("Enter the start time like 13:00."),
        "invalid": gettext_lazy("Enter the start time like 13:00.")})
    end = TimeOfDayField(label=gettext_lazy("End time"), error_messages={
        "required": gettext_lazy("Enter the end time like 16:00."),
        "invalid": gettext_lazy("Enter the end time like 16:00.")})
    capacity = forms.IntegerField(label=gettext_lazy("Places per slot"), required=False,
                                  min_value=1,
                                  max_value=MAX_CAPACITY, error_messages={
        "invalid": gettext_lazy("Enter the places per slot as a number."),
        "min_value": gettext_lazy("Enter between 1 and %(limit_value)s places."),
        "max_value": gettext_lazy("Enter between 1 and %(limit_value)s places.")})

    def __init__(self, *args: Any, services: list[Service], rooms: list[Any],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rooms = {str(r.pk): r for r in rooms}
        self.fields["service"].choices = [("", _("Choose")),
                                          *((s.code, localized(s.name)) for s in services)]
        self.fields["room"].choices = [("", _("Choose")), *((str(r.pk), str(r)) for r in rooms)]

    def clean_capacity(self) -> int | None:
        return self.cleaned_data.get("capacity")

    def chosen_room(self) -> Any:
        """The chosen room (call after ``is_valid``)."""
        return self.rooms[self.cleaned_data["room"]]


# --- export and utilisation ---------------------------------------------------------------

class PeriodForm(forms.Form):
    start = JapaneseDateField(error_messages={
        "required": gettext_lazy("Enter the first day like 2026-12-01 or 令和8年12月1日."),
        "invalid": gettext_lazy("Enter the first day like 2026-12-01 or 令和8年12月1日.")})
    end = JapaneseDateField(error_messages={
        "required": gettext_lazy("Enter the last day like 2026-12-31 or 令和8年12月31日."),
        "invalid": gettext_lazy("Enter the last day like 2026-12-31 or 令和8年12月31日.")})

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("The last day must be the same as or after the first day."))
        elif start and end and (end - start).days > MAX_PERIOD_DAYS:
            self.add_error("end", _("Choose a period of at most two years."))
        return data


class ExportForm(PeriodForm):
    service = forms.ChoiceField(required=False, error_messages={
        "invalid_choice": gettext_lazy("Choose the service from the list.")})
    format = forms.ChoiceField(choices=exports.FORMATS, error_messages={
        "required": gettext_lazy("Choose the file format."),
        "invalid_choice": gettext_lazy("Choose the file format.")})
    include_cancelled = forms.BooleanField(required=False)

    def __init__(self, *args: Any, services: list[Service], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", _("All services of the department")),
                                          *((s.code, localized(s.name)) for s in services)]
