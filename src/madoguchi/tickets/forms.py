"""Forms of the ticket pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Counter, Purpose


class OnlineTicketForm(forms.Form):
    """Taking an online ticket: an e-mail address is optional (notice when the turn is near)."""

    email = forms.EmailField(
        label=_("E-mail address (optional)"), required=False, max_length=254,
        help_text=_("We send one e-mail when your turn is a few numbers away."),
    )


class TransferForm(forms.Form):
    """Where a clerk sends a ticket: a counter or a department (one of them)."""

    counter = forms.ModelChoiceField(queryset=Counter.objects.all(), required=False,
                                     label=_("To counter"))
    department = forms.ModelChoiceField(queryset=Purpose.objects.none(), required=False,
                                        label=_("To department"))

    def __init__(self, *args: object, departments: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if (data.get("counter") is None) == (data.get("department") is None):
            raise forms.ValidationError(
                _("Choose either a counter or a department to transfer to."))
        return data
