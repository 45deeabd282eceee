"""Forms of the FAQ app. Messages say what to do, in plain words."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import ANSWER_MAX, MESSAGE_MAX, QUESTION_MAX, SUBJECT_MAX
from .services import clean_text

UNKNOWN_DEPARTMENT = "unknown"

StrOrPromise = str | Promise  # a text or a lazily translated one


class CleanCharField(forms.CharField):
    """A text field that drops control characters (NUL breaks PostgreSQL) before validating."""

    def to_python(self, value: Any) -> str:
        return clean_text(value, 100_000) if value not in self.empty_values else ""


def text_field(label: StrOrPromise, max_length: int, too_long: StrOrPromise, *,
               required: StrOrPromise | None = None,
               help_text: StrOrPromise = "") -> CleanCharField:
    """A :class:`CleanCharField` with what to say when the text is too long and, for a field
    that must be filled in, when it is empty (``required``)."""
    errors: dict[str, StrOrPromise] = {"max_length": too_long}
    if required is not None:
        errors["required"] = required
    return CleanCharField(label=label, max_length=max_length, required=required is not None,
                          help_text=help_text, error_messages=errors)


class InquiryForm(forms.Form):
    department = forms.ChoiceField(
        label=_("Which department should answer?"),
        help_text=_("If you are not sure, choose “I don't know”: the Resident Services "
                    "Department will pass it on."),
        error_messages={"required": _("Choose a department, or “I don't know”."),
                        "invalid_choice": _("Choose a department, or “I don't know”.")},
    )
    subject = text_field(
        _("Subject"), SUBJECT_MAX,
        _("Write the subject in %(limit_value)d characters or fewer."),
        required=_("Enter a subject."),
        help_text=_("In a few words, for example “Child allowance after moving in”."),
    )
    body = text_field(
        _("Your question"), MESSAGE_MAX,
        _("Write your question in %(limit_value)d characters or fewer."),
        required=_("Write your question."),
        help_text=_("Do not write your My Number (個人番号) or bank account number."),
    )

    def __init__(self, *args: Any, departments: list[Any], general: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.departments = {d.code: d for d in departments}
        if general is not None:
            self.fields["department"].help_text = _(
                "If you are not sure, choose “I don't know”: we send your inquiry to the "
                "department its words point to, or else to the general counter, %(department)s, "
                "who will pass it on.") % {"department": general}
        self.fields["department"].choices = [
            *[(d.code, str(d)) for d in departments],
            (UNKNOWN_DEPARTMENT, _("I don't know")),
        ]


class ReplyForm(forms.Form):
    body = text_field(_("Message"), MESSAGE_MAX,
                      _("Write the message in %(limit_value)d characters or fewer."),
                      required=_("Write a message."))


QUESTION_TOO_LONG = _("Write the question in %(limit_value)d characters or fewer.")
ANSWER_TOO_LONG = _("Write the answer in %(limit_value)d characters or fewer.")


class EntryForm(forms.Form):
    question_ja = text_field(_("Question (Japanese)"), QUESTION_MAX, QUESTION_TOO_LONG,
                             required=_("Enter the question in Japanese."))
    answer_ja = text_field(_("Answer (Japanese)"), ANSWER_MAX, ANSWER_TOO_LONG)
    question_en = text_field(_("Question (English)"), QUESTION_MAX, QUESTION_TOO_LONG)
    answer_en = text_field(_("Answer (English)"), ANSWER_MAX, ANSWER_TOO_LONG)
    keywords = text_field(
        _("Other words residents may use"), 400,
        _("Write %(limit_value)d characters or fewer."),
        help_text=_("Separate them with commas, for example: 引っ越し, 住所変更"),
    )
    procedure = forms.ChoiceField(label=_("Related procedure"), required=False,
                                  error_messages={"invalid_choice": _("Choose a procedure "
                                                                      "from the list.")})
    sort = forms.IntegerField(
        label=_("Order in the list"), min_value=0, max_value=9999, initial=100,
        help_text=_("Smaller numbers come first."),
        error_messages={"required": _("Enter a number from 0 to 9999."),
                        "invalid": _("Enter a number from 0 to 9999."),
                        "min_value": _("Enter a number from 0 to 9999."),
                        "max_value": _("Enter a number from 0 to 9999.")},
    )
    is_published = forms.BooleanField(label=_("Publish (residents can find it)"),
                                      required=False)

    def __init__(self, *args: Any, procedures: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.procedures = {str(p.pk): p for p in procedures}
        self.fields["procedure"].choices = [("", _("None")),
                                            *[(str(p.pk), str(p)) for p in procedures]]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("is_published") and not data.get("answer_ja"):
            self.add_error("answer_ja", _("Write the answer in Japanese before publishing."))
        return data
