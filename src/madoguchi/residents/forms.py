"""Resident account forms: sign-up, asking for a password reset, setting a new password."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from madoguchi.core.models import User


def new_password_field(label: str) -> forms.CharField:
    """A new password, with the rule residents are told."""
    return forms.CharField(
        label=label,
        strip=False,
        max_length=200,
        help_text=_("At least 10 characters. Do not use only numbers or a common word."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Enter a password.")},
    )


def repeated_password_field(label: str) -> forms.CharField:
    """The new password typed again."""
    return forms.CharField(
        label=label,
        strip=False,
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Enter the same password again.")},
    )


def email_field(help_text: str) -> forms.EmailField:
    """A resident's e-mail address, with the messages residents are shown."""
    return forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        help_text=help_text,
        error_messages={
            "required": _("Enter your e-mail address."),
            "invalid": _("Enter an e-mail address in the form name@example.jp."),
        },
    )


class SignUpForm(forms.Form):
    email = email_field(
        _("We send your receipt number and updates about your application here.")
    )
    password = new_password_field(_("Password"))
    password_again = repeated_password_field(_("Password (again)"))

    def clean_email(self) -> str:
        # Whether the address has an account is never said here (see services.request_sign_up).
        return self.cleaned_data["email"].strip().lower()

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


class PasswordResetRequestForm(forms.Form):
    email = email_field(_("The address you signed up with."))

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class ResidentSetPasswordForm(SetPasswordForm):
    """Django's form for the reset link, with the sign-up form's words and rules."""

    error_messages = {
        "password_mismatch": _("The two passwords are different. Enter them again."),
    }
    new_password1 = new_password_field(_("New password"))
    new_password2 = repeated_password_field(_("New password (again)"))

    def clean(self) -> dict[str, Any]:
        self.validate_passwords("new_password1", "new_password2")
        if not self.has_error("new_password2"):
            self.validate_password_for_user(self.user, "new_password1")
        return forms.Form.clean(self)
