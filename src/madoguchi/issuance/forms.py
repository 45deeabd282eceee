"""The upload form of the public verification page."""

from __future__ import annotations

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from .verify import MAX_UPLOAD_BYTES

TOO_LARGE_MESSAGE = _("The file is larger than 10 MB. Choose the PDF of the document.")


class VerifyUploadForm(forms.Form):
    file = forms.FileField(
        label=_("The document's PDF file"),
        help_text=_("The PDF you received (10 MB or less). It is checked and not kept."),
        error_messages={
            "required": _("Choose the PDF file to check."),
            "empty": _("The file is empty. Choose the PDF file of the document."),
            "invalid": _("Choose the PDF file to check."),
        },
    )

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(TOO_LARGE_MESSAGE)
        return upload
