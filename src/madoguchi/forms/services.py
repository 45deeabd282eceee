"""Writes for forms: drafts and their history, publishing, unpublishing, duplicating, linking."""

from __future__ import annotations

import copy
import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from madoguchi.catalog.models import Procedure
from madoguchi.core import textkeys
from madoguchi.core.models import User
from madoguchi.staff.models import Department

from .definition import DefinitionError, check_definition
from .models import FormDefinition, FormRevision, FormVersion
from .selectors import form_text_slots, translation_base

MAX_REVISIONS_KEPT = 200


def publish(form: FormDefinition, definition: dict[str, Any]) -> FormVersion:
    """Publish ``definition`` as the form's next version, unless it equals the live one."""
    problems = check_definition(definition)
    if problems:
        raise DefinitionError(problems)
    with transaction.atomic():
        FormDefinition.objects.select_for_update().filter(pk=form.pk).first()
        live = form.live_version
        if live is not None and live.definition == definition:
            if not form.is_open:
                form.is_open = True
                form.save(update_fields=["is_open"])
            return live
        number = (form.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = FormVersion.objects.create(
            form=form, number=number, definition=definition, published_at=timezone.now()
        )
        form.title = definition["title"]
        form.is_open = True
        form.save(update_fields=["title", "is_open"])
        return version


def publish_draft(form: FormDefinition, *, link_to: Procedure | None = None) -> FormVersion:
    """Publish the builder's draft; refused with the reasons when it is not a usable form.

    ``link_to`` first links the form to that procedure (the publish check offers it for a form
    not linked yet), in the same transaction: a refused draft leaves the link as it was.
    """
    with transaction.atomic():
        if link_to is not None:
            link_procedure(form, link_to)
        return publish(form, copy.deepcopy(form.draft))


def latest_revision_number(form: FormDefinition) -> int:
    """The number of the draft's newest revision (0 before the first)."""
    return form.revisions.aggregate(n=Max("number"))["n"] or 0


def unpublish(form: FormDefinition) -> None:
    """Stop taking applications; submitted ones keep their versions."""
    FormDefinition.objects.filter(pk=form.pk).update(is_open=False, updated_at=timezone.now())
    form.is_open = False


def _free_slug(base: str) -> str:
    base = slugify(base)[:40].strip("-") or "form"
    if not FormDefinition.objects.filter(slug=base).exists():
        return base
    while True:
        candidate = f"{base}-{secrets.token_hex(2)}"
        if not FormDefinition.objects.filter(slug=candidate).exists():
            return candidate


def create_form(
    *, department: Department, definition: dict[str, Any], actor: User | None,
    slug: str = "", summary: str = "", procedure: Procedure | None = None,
) -> FormDefinition:
    """A new form whose draft is ``definition`` (blank, from a template, imported, copied)."""
    for _attempt in range(5):
        try:
            with transaction.atomic():
                form = FormDefinition.objects.create(
                    slug=_free_slug(slug or f"form-{secrets.token_hex(3)}"),
                    department=department,
                    title=definition.get("title") or {"ja": "無題", "en": "Untitled"},
                    draft=definition,
                    procedure=procedure,
                )
                FormRevision.objects.create(
                    form=form, number=1, definition=definition, actor=actor,
                    summary=summary[:200] or _("Created the form."),
                )
                return form
        except IntegrityError:
            continue  # another form took the slug in the meantime
    raise RuntimeError("no free slug for the new form")


def save_draft(
    form: FormDefinition, definition: dict[str, Any], *, actor: User | None, summary: str
) -> FormRevision:
    """Store the builder's draft and record the change in its history."""
    with transaction.atomic():
        locked = FormDefinition.objects.select_for_update().get(pk=form.pk)
        number = (locked.revisions.aggregate(n=Max("number"))["n"] or 0) + 1
        now = timezone.now()
        FormDefinition.objects.filter(pk=form.pk).update(draft=definition, updated_at=now)
        revision = FormRevision.objects.create(
            form=form, number=number, definition=definition, summary=summary[:200], actor=actor,
            at=now,
        )
        stale = number - MAX_REVISIONS_KEPT
        if stale > 0:
            FormRevision.objects.filter(form=form, number__lte=stale).delete()
    form.draft = definition
    form.updated_at = now
    return revision


def duplicate(form: FormDefinition, *, actor: User | None) -> FormDefinition:
    """A new, unpublished form with a copy of the draft (not linked to any procedure)."""
    definition = copy.deepcopy(form.draft)
    title = definition.get("title") or {}
    definition["title"] = {"ja": f"{title.get('ja', '')}（コピー）"}
    if title.get("en"):
        definition["title"]["en"] = f"Copy of {title['en']}"
    return create_form(department=form.department, definition=definition, actor=actor,
                       slug=f"{form.slug}-copy",
                       summary=_("Copied from %(slug)s.") % {"slug": form.slug})


def link_procedure(form: FormDefinition, procedure: Procedure | None) -> None:
    """Serve ``procedure`` with this form (one form per procedure), or unlink it."""
    with transaction.atomic():
        if procedure is not None:
            FormDefinition.objects.filter(procedure=procedure).exclude(pk=form.pk).update(
                procedure=None
            )
        form.procedure = procedure
        form.save(update_fields=["procedure"])


def restore_revision(form: FormDefinition, revision: FormRevision, *, actor: User | None) -> None:
    save_draft(form, copy.deepcopy(revision.definition), actor=actor,
               summary=_("Went back to revision %(number)d.") % {"number": revision.number})


def apply_draft_translations(
    form: FormDefinition, changes: dict[str, dict[str, str]], *, actor: User | None,
    summary: str,
) -> tuple[set[str], FormRevision | None]:
    """Put translations (key → {language: text}, never Japanese) into the form's draft, saved
    as a new revision; returns the keys that changed and the revision (None when nothing did).
    Published versions stay as they are: publishing the draft makes the translations live."""
    with transaction.atomic():
        locked = FormDefinition.objects.select_for_update().get(pk=form.pk)
        definition, _base = translation_base(locked)
        slots = form_text_slots(definition)
        changed = textkeys.apply_translations(slots, changes)
        if not changed:
            return changed, None
        return changed, save_draft(form, definition, actor=actor, summary=summary)
