"""Resident sign-up form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from madoguchi.core.models import User


class SignUpForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        help_text=_("We send your receipt number and updates about your application here."),
        error_messages={
            "required": _("Enter your e-mail address."),
            "invalid": _("Enter an e-mail address in the form name@example.jp."),
        },
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=200,
        help_text=_("At least 10 characters. Do not use only numbers or a common word."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Enter a password.")},
    )
    password_again = forms.CharField(
        label=_("Password (again)"),
        strip=False,
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Enter the same password again.")},
    )

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email=email).exists():
            raise ValidationError(
                _("An account with this e-mail address already exists. Sign in instead.")
            )
        return email

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        password, again = data.get("password"), data.get("password_again")
        if password and again and password != again:
            self.add_error(
                "password_again", _("The two passwords are different. Enter them again.")
            )
        elif password:
            try:
                password_validation.validate_password(password, User(email=data.get("email", "")))
            except ValidationError as exc:
                self.add_error("password", exc)
        return data
