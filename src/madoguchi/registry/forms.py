"""The counter's look-up form: who is looked for, and why."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from madoguchi.jp.errors import JPValueError
from madoguchi.jp.names import is_kana_key, kana_search_key
from madoguchi.jp.wareki import parse_date

from .plugins import ResidentQuery
from .services import MAX_PURPOSE_LENGTH


class LookUpForm(forms.Form):
    name = forms.CharField(label=_("Name or furigana"), required=False, max_length=100,
                           help_text=_("The whole name, or the family name alone. 髙 and 高, "
                                       "﨑 and 崎, hiragana and katakana find each other."))
    birth_date = forms.CharField(label=_("Date of birth"), required=False, max_length=30,
                                 help_text=_("For example 昭和55年4月1日 or 1980-04-01."))
    address = forms.CharField(label=_("Address"), required=False, max_length=200,
                              help_text=_("The whole address, or the town before the block "
                                          "number."))
    resident_code = forms.CharField(label=_("Resident record code (住民票コード)"),
                                    required=False, max_length=20)
    include_inactive = forms.BooleanField(label=_("Include people who moved out or died"),
                                          required=False)
    purpose = forms.CharField(label=_("Purpose of this look-up"), max_length=MAX_PURPOSE_LENGTH,
                              help_text=_("The visit or the procedure, for example the ticket "
                                          "number and 転入届. It is kept in the audit log."))

    def clean_birth_date(self) -> dt.date | None:
        text = self.cleaned_data["birth_date"].strip()
        if not text:
            return None
        try:
            return parse_date(text)
        except JPValueError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean_purpose(self) -> str:
        purpose = " ".join(str(self.cleaned_data["purpose"]).split())
        if not purpose:
            raise forms.ValidationError(_("Say why you look this person up."))
        return purpose

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and self.query().is_empty():
            raise forms.ValidationError(_("Enter a name, a date of birth, an address or a "
                                          "resident record code."))
        return cleaned

    def query(self) -> ResidentQuery:
        """The registry query of the form (a name in kana searches the furigana)."""
        data = self.cleaned_data
        name = str(data.get("name", "")).strip()
        kana = ""
        if name and is_kana_key(kana_search_key(name)):
            name, kana = "", name
        return ResidentQuery(name=name, kana=kana, birth_date=data.get("birth_date"),
                             address=str(data.get("address", "")).strip(),
                             resident_code=str(data.get("resident_code", "")).strip())
