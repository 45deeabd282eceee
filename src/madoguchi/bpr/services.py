"""Writes of BPR worksheets: steps of each view, "replaced by" links, versions and evidence.

Every change of the steps is saved as a new :class:`WorksheetVersion` (a JSON snapshot of all
steps, its author and a note) and bumps ``Worksheet.version``. Evidence entries are only ever
appended; a step that has evidence cannot be deleted.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from madoguchi.catalog.models import Procedure
from madoguchi.core.models import User
from madoguchi.forms.fields.upload import sniff_content_type

from .models import Evidence, Step, View, Worksheet, WorksheetVersion

# Evidence attachments: PDF or images only, found by their bytes, at most this size.
ATTACHMENT_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
MAX_STEPS_PER_VIEW = 200
STEP_FIELDS = ("actor", "action", "medium", "minutes_per_case", "cases_per_year", "problems",
               "parties", "status")


class WorksheetError(ValidationError):
    """A change refused, with a message for staff."""


@dataclass(frozen=True)
class StepData:
    """The contents of one row; ``replaced_by`` is the order of a to-be step (as-is rows only)."""

    actor: str
    action: str
    medium: str
    minutes_per_case: Decimal
    cases_per_year: int
    problems: str = ""
    parties: str = ""
    status: str = "not_started"
    replaced_by: int | None = None

    @classmethod
    def of(cls, step: Step) -> StepData:
        return cls(**{name: getattr(step, name) for name in STEP_FIELDS},
                   replaced_by=step.replaced_by.order if step.replaced_by is not None else None)


def snapshot(worksheet: Worksheet) -> dict[str, Any]:
    """All steps of both views as JSON (decimals as strings, links as to-be orders)."""
    views: dict[str, list[dict[str, Any]]] = {View.AS_IS: [], View.TO_BE: []}
    for step in worksheet.steps.select_related("replaced_by").order_by("view", "order"):
        views[step.view].append({
            "order": step.order, "actor": step.actor, "action": step.action,
            "medium": step.medium, "minutes_per_case": str(step.minutes_per_case),
            "cases_per_year": step.cases_per_year, "problems": step.problems,
            "parties": step.parties, "status": step.status,
            "replaced_by": step.replaced_by.order if step.replaced_by is not None else None,
        })
    return {"views": views}


def record_version(worksheet: Worksheet, *, author: User | None,
                   note: str = "") -> WorksheetVersion:
    """Save the worksheet's current steps as its next version."""
    locked = Worksheet.objects.select_for_update().get(pk=worksheet.pk)
    locked.version += 1
    locked.save(update_fields=["version", "updated_at"])
    worksheet.version = locked.version
    return WorksheetVersion.objects.create(worksheet=locked, number=locked.version,
                                           snapshot=snapshot(locked), author=author,
                                           note=note[:200])


@transaction.atomic
def create_worksheet(procedure: Procedure, *, author: User | None) -> Worksheet:
    """The procedure's worksheet, created empty (version 1) when it has none."""
    worksheet, created = Worksheet.objects.get_or_create(procedure=procedure)
    if created:
        record_version(worksheet, author=author, note=_("Worksheet created"))
    return worksheet


def _validate(worksheet: Worksheet, view: str, data: StepData) -> Step | None:
    """Check a row's values; returns the to-be step it is replaced by, if any."""
    step = Step(worksheet=worksheet, view=view, order=1,
                **{name: getattr(data, name) for name in STEP_FIELDS})
    try:
        step.full_clean(exclude=["worksheet", "order", "replaced_by"], validate_unique=False,
                        validate_constraints=False)
    except ValidationError as exc:
        raise WorksheetError(exc.messages) from exc
    if data.replaced_by is None:
        return None
    if view != View.AS_IS:
        raise WorksheetError(_("Only an as-is step can be replaced, by a to-be step."))
    target = worksheet.steps.filter(view=View.TO_BE, order=data.replaced_by).first()
    if target is None:
        raise WorksheetError(_("There is no to-be step number %(order)s.")
                             % {"order": data.replaced_by})
    return target


def _apply(step: Step, data: StepData, target: Step | None) -> None:
    for name in STEP_FIELDS:
        setattr(step, name, getattr(data, name))
    step.replaced_by = target


@transaction.atomic
def add_step(worksheet: Worksheet, view: str, data: StepData, *, author: User | None) -> Step:
    """Append a row at the end of ``view``."""
    if view not in View.values:
        raise WorksheetError(_("Unknown view."))
    target = _validate(worksheet, view, data)
    steps = worksheet.steps.filter(view=view)
    if steps.count() >= MAX_STEPS_PER_VIEW:
        raise WorksheetError(_("A view has at most %(n)s steps.") % {"n": MAX_STEPS_PER_VIEW})
    order = (steps.aggregate(m=Max("order"))["m"] or 0) + 1
    step = Step(worksheet=worksheet, view=view, order=order)
    _apply(step, data, target)
    step.save()
    record_version(worksheet, author=author,
                   note=_("Step %(order)s added (%(view)s)") % {"order": order,
                                                                 "view": step.get_view_display()})
    return step


@transaction.atomic
def update_step(step: Step, data: StepData, *, author: User | None) -> Step:
    """Change a row's contents (its order stays)."""
    target = _validate(step.worksheet, step.view, data)
    _apply(step, data, target)
    step.save()
    record_version(step.worksheet, author=author,
                   note=_("Step %(order)s changed (%(view)s)")
                   % {"order": step.order, "view": step.get_view_display()})
    return step


@transaction.atomic
def delete_step(step: Step, *, author: User | None) -> None:
    """Remove a row without evidence; the rows after it move up by one."""
    if step.evidence.exists():
        raise WorksheetError(_("This step has evidence entries and cannot be deleted: the "
                               "evidence log is kept. Change the step instead."))
    worksheet, view, order = step.worksheet, step.view, step.order
    label = step.get_view_display()
    step.delete()
    for later in worksheet.steps.filter(view=view, order__gt=order).order_by("order"):
        later.order -= 1
        later.save(update_fields=["order"])
    record_version(worksheet, author=author,
                   note=_("Step %(order)s deleted (%(view)s)") % {"order": order, "view": label})


@transaction.atomic
def move_step(step: Step, offset: int, *, author: User | None) -> bool:
    """Swap a row with the one above (``offset`` -1) or below (+1); False at either end."""
    if offset not in (-1, 1):
        raise WorksheetError(_("A step moves one place up or down."))
    other = step.worksheet.steps.filter(view=step.view, order=step.order + offset).first()
    if other is None:
        return False
    mine, theirs = step.order, other.order
    step.order = 0  # free while the two swap (orders start at 1)
    step.save(update_fields=["order"])
    other.order = mine
    other.save(update_fields=["order"])
    step.order = theirs
    step.save(update_fields=["order"])
    record_version(step.worksheet, author=author,
                   note=_("Step %(order)s moved to %(to)s (%(view)s)")
                   % {"order": mine, "to": theirs, "view": step.get_view_display()})
    return True


@transaction.atomic
def link_replaced_by(step: Step, target: Step | None, *, author: User | None) -> Step:
    """Say which to-be step of the same worksheet replaces an as-is step (None unlinks)."""
    step.replaced_by = target
    try:
        step.clean()
    except ValidationError as exc:
        raise WorksheetError(exc.messages) from exc
    step.save(update_fields=["replaced_by"])
    record_version(step.worksheet, author=author,
                   note=_("Step %(order)s linked to to-be step %(to)s")
                   % {"order": step.order, "to": target.order if target else "—"})
    return step


@transaction.atomic
def replace_steps(worksheet: Worksheet, views: Mapping[str, Iterable[tuple[int, StepData]]],
                  *, author: User | None, note: str) -> WorksheetVersion:
    """Make the steps of both views exactly ``views`` (view → (order, row) pairs).

    A step whose (view, order) stays is changed in place, so its evidence stays with it; a step
    that would disappear while it has evidence is refused (nothing changes).
    """
    wanted = {view: dict(rows) for view, rows in views.items()}
    existing = {(s.view, s.order): s for s in worksheet.steps.all()}
    kept = [s for key, s in existing.items() if key[1] in wanted.get(key[0], {})]
    removed = [s for key, s in existing.items() if key[1] not in wanted.get(key[0], {})]
    with_evidence = [s for s in removed if s.evidence.exists()]
    if with_evidence:
        raise WorksheetError([
            _("%(view)s step %(order)s has evidence entries and cannot be removed.")
            % {"view": s.get_view_display(), "order": s.order} for s in with_evidence])
    for step in removed:
        step.delete()
    kept_by_key = {(s.view, s.order): s for s in kept}
    saved: dict[tuple[str, int], Step] = {}
    # To-be first, so as-is rows can point at them.
    for view in (View.TO_BE, View.AS_IS):
        for order, data in sorted(wanted.get(view, {}).items()):
            step = kept_by_key.get((view, order)) or Step(worksheet=worksheet, view=view,
                                                          order=order)
            target = None
            if data.replaced_by is not None:
                target = saved.get((View.TO_BE, data.replaced_by))
                if view != View.AS_IS or target is None:
                    raise WorksheetError(_("There is no to-be step number %(order)s.")
                                         % {"order": data.replaced_by})
            _apply(step, data, target)
            step.save()
            saved[(view, order)] = step
    return record_version(worksheet, author=author, note=note)


def _stored_name(content_type: str) -> str:
    return f"{uuid.uuid4().hex}.{ATTACHMENT_TYPES[content_type]}"


@transaction.atomic
def add_evidence(step: Step, *, date: Any, who: str, agreed: str, author: User,
                 attachment: UploadedFile[bytes] | None = None) -> Evidence:
    """Append an entry to a step's evidence log (PDF, JPEG or PNG attachment, 10 MB at most)."""
    entry = Evidence(step=step, date=date, who=who.strip(), agreed=agreed.strip(),
                     author=author)
    if attachment is not None:
        if attachment.size is None or attachment.size > ATTACHMENT_MAX_BYTES:
            raise WorksheetError(_("The attachment is larger than 10 MB."))
        attachment.seek(0)
        content_type = sniff_content_type(attachment.read(64))
        attachment.seek(0)
        if content_type not in ATTACHMENT_TYPES:
            raise WorksheetError(_("Attach a PDF, JPEG or PNG file."))
        entry.attachment_name = (attachment.name or "")[-200:]
        entry.attachment_type = content_type
        entry.attachment.save(_stored_name(content_type), attachment, save=False)
    try:
        entry.full_clean(exclude=["step", "author", "attachment"])
    except ValidationError as exc:
        if entry.attachment:
            entry.attachment.delete(save=False)
        raise WorksheetError(exc.messages) from exc
    entry.save()
    return entry


@dataclass(frozen=True)
class ImportResult:
    """An import's outcome: the new version, or the problems (and nothing changed)."""

    version: WorksheetVersion | None
    problems: list[str]


def import_workbook(worksheet: Worksheet, upload: UploadedFile[bytes], *,
                    author: User | None) -> ImportResult:
    """Replace both views' steps with an uploaded .xlsx; any bad cell changes nothing."""
    from . import excel  # excel reads StepData from this module

    parsed = excel.parse_workbook(upload.name or "", upload, upload.size)
    if parsed.problems:
        return ImportResult(None, parsed.problems)
    try:
        version = replace_steps(worksheet, parsed.views, author=author,
                                note=_("Imported from Excel (%(name)s)")
                                % {"name": (upload.name or "")[-120:]})
    except WorksheetError as exc:
        return ImportResult(None, exc.messages)
    return ImportResult(version, [])
