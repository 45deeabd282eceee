"""The ふりがな switch for residents, and the city's reading dictionary for staff.

The dictionary is shared by the whole site, so department heads and administrators keep it;
every change is recorded in the audit log.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from madoguchi.core import audit
from madoguchi.jp.furigana import to_hiragana
from madoguchi.jp.kana import half_to_full_kana
from madoguchi.staff.models import StaffMember
from madoguchi.staff.permissions import role_required

from .models import RubyReading
from .ruby import COOKIE, OFF, ON, forget_dictionary

DICTIONARY_ROLES = (StaffMember.Role.HEAD, StaffMember.Role.ADMIN)
ONE_YEAR = 365 * 24 * 3600


@require_POST
def switch(request: HttpRequest) -> HttpResponse:
    """Turn ふりがな on or off for this browser and go back to the page."""
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    # "Off" is kept explicitly: やさしい日本語 pages have ふりがな on when there is no cookie.
    value = ON if request.POST.get("ruby") == "on" else OFF
    response.set_cookie(COOKIE, value, max_age=ONE_YEAR, samesite="Lax", httponly=True,
                        secure=request.is_secure())
    return response


class ReadingForm(forms.Form):
    """A word and its reading; saving a word already listed corrects its reading."""

    word = forms.CharField(
        label=gettext_lazy("Word"), max_length=50,
        help_text=gettext_lazy("As written on the pages, e.g. 緑ヶ丘"),
    )
    reading = forms.CharField(
        label=gettext_lazy("Reading (hiragana)"), max_length=100,
        help_text=gettext_lazy("e.g. みどりがおか (katakana is turned into hiragana)"),
    )

    def clean_word(self) -> str:
        word = self.cleaned_data["word"].strip()
        if not word:
            raise forms.ValidationError(_("Enter the word."))
        return word

    def clean_reading(self) -> str:
        reading = to_hiragana(half_to_full_kana(self.cleaned_data["reading"].strip()))
        if not reading or any(not ("\u3041" <= c <= "\u3096" or c == "ー") for c in reading):
            raise forms.ValidationError(_("Write the reading in hiragana only."))
        return reading


@role_required(*DICTIONARY_ROLES)
def dictionary(request: HttpRequest) -> HttpResponse:
    """The city's readings, and a form to add or correct one."""
    form = ReadingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        word, reading = form.cleaned_data["word"], form.cleaned_data["reading"]
        entry, created = RubyReading.objects.update_or_create(
            word=word, defaults={"reading": reading}
        )
        audit.record(request, "ruby.reading.save", target_type="ruby_reading",
                     target_id=str(entry.pk), details={"word": word, "reading": reading})
        forget_dictionary()
        messages.success(request, _("Saved the reading of %(word)s.") % {"word": word})
        return redirect("catalog_ruby:dictionary")
    status = 422 if form.errors else 200
    return render(request, "catalog/staff/ruby_dictionary.html",
                  {"form": form, "entries": RubyReading.objects.all()}, status=status)


@role_required(*DICTIONARY_ROLES)
@require_POST
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(RubyReading, pk=pk)
    audit.record(request, "ruby.reading.delete", target_type="ruby_reading",
                 target_id=str(entry.pk), details={"word": entry.word})
    entry.delete()
    forget_dictionary()
    messages.success(request, _("Removed the reading of %(word)s.") % {"word": entry.word})
    return redirect("catalog_ruby:dictionary")
