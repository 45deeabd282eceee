"""Forms of the staff sign-in's second step."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .services import DIGITS, normalise_code


class CodeForm(forms.Form):
    """The 6-digit code of an authenticator app (full-width digits and spaces accepted)."""

    code = forms.CharField(
        label=_("Code from your authenticator app"),
        help_text=_("6 digits, for example 123456. A new code appears every 30 seconds."),
        max_length=20,
        error_messages={"required": _("Enter the 6-digit code from your authenticator app.")},
    )

    def clean_code(self) -> str:
        code = normalise_code(self.cleaned_data["code"])
        if len(code) != DIGITS or not code.isascii() or not code.isdigit():
            raise forms.ValidationError(
                _("Enter the code as 6 digits, for example 123456."), code="format"
            )
        return code
