"""The details a resident gives when booking (or joining a waitlist)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from madoguchi.jp import kana as jp_kana
from madoguchi.jp import phone as jp_phone
from madoguchi.jp import wareki as jp_wareki
from madoguchi.jp.errors import JPValueError

from .models import Service
from .services import Person

MAX_NAME = 50
MAX_ID = 2**62  # larger ids cannot exist (and SQLite cannot even compare them)


class DetailsForm(forms.Form):
    """Name, furigana, birth date, sex, phone and e-mail, with Japanese input folded."""

    family_name = forms.CharField(label=gettext_lazy("Family name"), max_length=MAX_NAME)
    given_name = forms.CharField(label=gettext_lazy("Given name"), max_length=MAX_NAME)
    family_kana = forms.CharField(label=gettext_lazy("Family name (furigana)"),
                                  max_length=MAX_NAME)
    given_kana = forms.CharField(label=gettext_lazy("Given name (furigana)"), max_length=MAX_NAME)
    birth_date = forms.CharField(label=gettext_lazy("Date of birth"), max_length=40)
    sex = forms.ChoiceField(
        label=gettext_lazy("Sex"),
        choices=[("female", gettext_lazy("Female")), ("male", gettext_lazy("Male"))],
    )
    phone = forms.CharField(label=gettext_lazy("Phone number"), max_length=30)
    email = forms.EmailField(label=gettext_lazy("E-mail address"), max_length=254,
                             required=False)
    request_token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    REQUIRED_MESSAGES = {
        "family_name": gettext_lazy("Enter your family name."),
        "given_name": gettext_lazy("Enter your given name."),
        "family_kana": gettext_lazy("Enter your family name in katakana."),
        "given_kana": gettext_lazy("Enter your given name in katakana."),
        "birth_date": gettext_lazy("Enter your date of birth."),
        "sex": gettext_lazy("Choose your sex."),
        "phone": gettext_lazy("Enter a phone number we can call on the day."),
        "request_token": gettext_lazy("The form has expired. Please try again."),
    }

    def __init__(self, *args: Any, service: Service, email_required: bool = True,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.service = service
        self.fields["email"].required = email_required
        self.fields["email"].error_messages["invalid"] = _(
            "Enter the e-mail address like name@example.jp.")
        for name, field in self.fields.items():
            field.error_messages["required"] = self.REQUIRED_MESSAGES.get(
                name, _("Enter your e-mail address so we can send the confirmation."))
        self.fields["sex"].error_messages["invalid_choice"] = _("Choose your sex.")

    def _kana(self, name: str) -> str:
        value = jp_kana.normalize_furigana(self.cleaned_data[name].strip())
        if not jp_kana.is_furigana(value):
            raise ValidationError(_("Write the furigana in katakana or hiragana."))
        return value

    def clean_family_name(self) -> str:
        return " ".join(self.cleaned_data["family_name"].split())

    def clean_given_name(self) -> str:
        return " ".join(self.cleaned_data["given_name"].split())

    def clean_family_kana(self) -> str:
        return self._kana("family_kana")

    def clean_given_kana(self) -> str:
        return self._kana("given_kana")

    def clean_birth_date(self) -> dt.date:
        try:
            value = jp_wareki.parse_date(self.cleaned_data["birth_date"])
        except JPValueError as exc:
            raise ValidationError(_("Enter the date like 1970-05-01 or 昭和45年5月1日 and check "
                                    "it exists.")) from exc
        if value > timezone.localdate() or value.year < 1900:
            raise ValidationError(_("Check the year of your date of birth."))
        return value

    def clean_phone(self) -> str:
        try:
            return jp_phone.normalize_phone(self.cleaned_data["phone"])
        except JPValueError as exc:
            raise ValidationError(_("Enter the phone number like 090-1234-5678.")) from exc

    def person(self) -> Person:
        data = self.cleaned_data
        return Person(
            family_name=data["family_name"], given_name=data["given_name"],
            family_kana=data["family_kana"], given_kana=data["given_kana"],
            birth_date=data["birth_date"], sex=data["sex"], phone=data["phone"],
            email=data.get("email") or "",
        )

    def error_list(self) -> list[dict[str, str]]:
        """Errors for the summary box: each links to its input."""
        out = []
        for name, errors in self.errors.items():
            target = "id_sex_0" if name == "sex" else f"id_{name}"
            if name == "__all__" or name == "request_token":
                target = "id_family_name"
            out.extend({"input_id": target, "message": str(e)} for e in errors)
        return out


class ChangeForm(forms.Form):
    """The new time a resident picks for their booking (a slot id)."""

    slot = forms.IntegerField(min_value=1, max_value=MAX_ID, error_messages={
        code: gettext_lazy("Choose the new time.")
        for code in ("required", "invalid", "min_value", "max_value")})


class WaitlistActionForm(forms.Form):
    """Accept the seat on offer, or leave the waiting list."""

    action = forms.ChoiceField(choices=[("accept", "accept"), ("leave", "leave")])
