"""Plain HTML forms of the worksheet pages (they work without JavaScript)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .excel import MAX_CASES, MAX_MINUTES
from .models import Actor, Medium, Step, StepStatus, View, Worksheet
from .services import StepData


class StepForm(forms.Form):
    actor = forms.ChoiceField(label=_("Actor"), choices=Actor.choices)
    action = forms.CharField(label=_("Work done"), max_length=200)
    medium = forms.ChoiceField(label=_("Medium"), choices=Medium.choices)
    minutes_per_case = forms.DecimalField(
        label=_("Minutes per case"), min_value=Decimal("0"), max_value=MAX_MINUTES,
        decimal_places=1, max_digits=7)
    cases_per_year = forms.IntegerField(label=_("Cases per year"), min_value=0,
                                        max_value=MAX_CASES)
    problems = forms.CharField(label=_("Problems expected"), required=False, max_length=2000,
                               widget=forms.Textarea(attrs={"rows": 2}))
    parties = forms.CharField(label=_("Parties to coordinate"), required=False, max_length=200)
    status = forms.ChoiceField(label=_("Status"), choices=StepStatus.choices,
                               initial=StepStatus.NOT_STARTED)
    replaced_by = forms.TypedChoiceField(label=_("Replaced by (to-be step)"), required=False,
                                         coerce=int, empty_value=None)

    def __init__(self, *args: Any, worksheet: Worksheet, view: str,
                 step: Step | None = None, **kwargs: Any) -> None:
        if step is not None and "initial" not in kwargs:
            data = StepData.of(step)
            kwargs["initial"] = {name: getattr(data, name) for name in data.__dataclass_fields__}
        super().__init__(*args, **kwargs)
        self.view = view
        if view == View.AS_IS:
            targets = worksheet.steps.filter(view=View.TO_BE).order_by("order")
            self.fields["replaced_by"].choices = [("", _("(none)"))] + [
                (t.order, f"{t.order}. {t.action}") for t in targets]
        else:
            del self.fields["replaced_by"]

    def step_data(self) -> StepData:
        data = self.cleaned_data
        return StepData(actor=data["actor"], action=data["action"].strip(),
                        medium=data["medium"], minutes_per_case=data["minutes_per_case"],
                        cases_per_year=data["cases_per_year"],
                        problems=data["problems"].strip(), parties=data["parties"].strip(),
                        status=data["status"], replaced_by=data.get("replaced_by"))


class EvidenceForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    who = forms.CharField(label=_("Who (people or organisation met)"), max_length=200)
    agreed = forms.CharField(label=_("What was agreed"), max_length=4000,
                             widget=forms.Textarea(attrs={"rows": 3}))
    attachment = forms.FileField(label=_("Attachment (PDF, JPEG or PNG, at most 10 MB)"),
                                 required=False,
                                 widget=forms.ClearableFileInput(
                                     attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))


class ImportForm(forms.Form):
    workbook = forms.FileField(label=_("Excel workbook (.xlsx)"),
                               widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))
