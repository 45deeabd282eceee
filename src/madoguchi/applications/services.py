"""Writes: turning a finished draft into an application, and moving it through its statuses."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from madoguchi.core import crypto, languages, metrics
from madoguchi.core.models import User
from madoguchi.core.tasks import enqueue_with_transaction
from madoguchi.forms.definition import FormSpec
from madoguchi.forms.fields import FieldError
from madoguchi.forms.models import FormVersion
from madoguchi.jp.names import furigana_search_key, name_search_key
from madoguchi.jp.receipt import make_receipt_number
from madoguchi.residents import selectors as resident_selectors
from madoguchi.residents.services import NOT_CONFIRMED

from . import tasks
from .decisions import approved_by_own_step, decided_by_own_step
from .models import (
    MANUAL_TARGETS,
    REASON_REQUIRED,
    Application,
    Channel,
    CorrectionRequest,
    Draft,
    Status,
    StatusEvent,
    Workflow,
)


class SubmissionRefused(Exception):
    """The answers cannot become an application; ``errors`` maps field keys to messages."""

    def __init__(self, errors: dict[str, str], message: str = "") -> None:
        super().__init__(", ".join(errors))
        self.errors = errors
        self.message = message  # for the resident, when a field's submit hook refused


class TransitionRefused(Exception):
    """The requested status change is not allowed from the current status."""


def _applicant_name(spec: FormSpec, answers: dict[str, Any]) -> str:
    key = spec.definition.get("applicant_field", "")
    value = answers.get(key) or {}
    if not isinstance(value, dict):
        return str(value).strip()
    return f"{value.get('family', '')} {value.get('given', '')}".strip()


def _applicant_furigana(spec: FormSpec, answers: dict[str, Any]) -> str:
    value = answers.get(spec.definition.get("applicant_field", ""))
    if not isinstance(value, dict):
        return ""
    return f"{value.get('family_kana') or ''}{value.get('given_kana') or ''}"


def _contact_email(spec: FormSpec, answers: dict[str, Any], user: User | None) -> str:
    """Where the receipt goes: the account's address, or the form's contact field."""
    if user is not None:
        return user.email
    value = answers.get(spec.definition.get("contact_field", ""))
    return value if isinstance(value, str) else ""


def submit_application(
    *,
    user: User | None,
    version: FormVersion,
    answers: dict[str, Any],
    token: uuid.UUID,
    spec: FormSpec | None = None,
    channel: str = Channel.ONLINE,
    actor: User | None = None,
    identity_verification: dict[str, Any] | None = None,
    language: str | None = None,
    draft: Draft | None = None,
) -> Application:
    """Store the answers as one application with a receipt number.

    ``language`` is the resident language the form was filled in (default: the active one; at
    the counter Japanese, the clerk's form). Answers are language-neutral (choice values, ISO
    dates), so this only records what the resident read, for the clerk and the notices.

    ``identity_verification`` records which identity provider verified the locked identity
    fields (a form that needs a card-based sign-in). ``draft``, the saved draft the answers
    come from, is deleted in the same transaction: the application and its draft never both
    exist, nor neither.

    The submission token is unique: a repeated submit (double click, resent POST) returns the
    application the first submit created instead of making a second one. ``user`` is ``None``
    for a form anyone may use; the receipt then goes to the form's contact e-mail field. A
    resident who has not confirmed their e-mail address yet is refused (drafts are kept).

    At the counter (``channel="counter"``) a clerk, ``actor``, files the answers of a resident
    who has no account here: ``user`` is ``None`` for any form, and the receipt e-mail goes to
    the form's contact field when it has one. Called inside the caller's transaction, the
    application is created or refused with it.
    """
    if user is not None and user.is_resident and not resident_selectors.email_confirmed(user):
        raise SubmissionRefused({"__all__": "the e-mail address is not confirmed"},
                                message=str(NOT_CONFIRMED))
    spec = spec or FormSpec(version.definition)
    if spec.access == "counter" and channel != Channel.COUNTER:
        raise SubmissionRefused({"__all__": "this form is filed at the counter only"})
    errors = spec.revalidate(answers)
    if errors:
        raise SubmissionRefused(errors)
    procedure = version.form.procedure
    if procedure is None:
        raise SubmissionRefused({"__all__": "the form is not linked to a procedure"})
    sensitive_keys = spec.sensitive_keys()
    plain = {k: v for k, v in answers.items() if k not in sensitive_keys}
    sensitive = {k: v for k, v in answers.items() if k in sensitive_keys}
    name = _applicant_name(spec, answers)
    contact_email = _contact_email(spec, answers, user)
    at_counter = channel == Channel.COUNTER
    if user is None and not at_counter and (spec.access != "anyone" or not contact_email):
        raise SubmissionRefused({"__all__": "this form needs a signed-in resident"})
    public_id = uuid.uuid4()
    now = timezone.now()
    applied_in = application_language(language, channel)
    try:
        with transaction.atomic():
            application = Application.objects.create(
                public_id=public_id,
                submission_token=token,
                form_version=version,
                procedure=procedure,
                department_id=procedure.department_id,
                applicant=user,
                applicant_name=name[:120],
                applicant_name_key=name_search_key(name)[:120],
                applicant_kana_key=furigana_search_key(
                    _applicant_furigana(spec, answers), name)[:120],
                contact_email=contact_email,
                answers=plain,
                identity_verification=identity_verification or {},
                sealed_answers=(
                    crypto.seal(sensitive, context=str(public_id)) if sensitive else ""
                ),
                channel=channel,
                language=applied_in,
                submitted_at=now,
                updated_at=now,
            )
            application.receipt_number = make_receipt_number(
                timezone.localtime(now).year, application.pk
            )
            application.save(update_fields=["receipt_number"])
            StatusEvent.objects.create(
                application=application, from_status="", to_status=Status.RECEIVED,
                actor=actor or user, at=now,
            )
            _run_submit_hooks(spec, application, answers, user)
            if user is not None or contact_email:
                enqueue_with_transaction(tasks.send_receipt_email, application_id=application.pk)
            metrics.count_on_commit(metrics.APPLICATIONS_SUBMITTED, channel=str(channel))
            _delete_draft(draft)
    except IntegrityError:
        # The token was used before: a repeated or racing submit of the same draft.
        existing = Application.objects.filter(submission_token=token).first()
        if existing is None:
            raise
        if existing.applicant_id != (user.pk if user is not None else None):
            raise SubmissionRefused({"__all__": "token belongs to another applicant"}) from None
        _delete_draft(draft)
        return existing
    return application


def application_language(language: str | None, channel: str = Channel.ONLINE) -> str:
    """The resident language to record on an application: ``language`` if it is one of
    :mod:`core.languages`; else the active language for the resident's own channels (web, LINE),
    Japanese at the counter and on paper (the clerk's form)."""
    if language is None and channel in (Channel.ONLINE, Channel.LINE):
        language = translation.get_language()
    return languages.normalize(language) or languages.BASE_LANGUAGE


def _delete_draft(draft: Draft | None) -> None:
    if draft is not None and draft.pk is not None:
        Draft.objects.filter(pk=draft.pk).delete()


def _run_submit_hooks(spec: FormSpec, application: Application, answers: dict[str, Any],
                      user: User | None) -> None:
    """Let each answered field act on the new application (inside its transaction)."""
    for field in spec.fields():
        if answers.get(field.key) is None:
            continue
        try:
            field.on_submit(application, answers[field.key], answers=answers, user=user)
        except FieldError as exc:
            raise SubmissionRefused({field.key: exc.message}, message=exc.message) from None


def all_answers(application: Application) -> dict[str, Any]:
    """Plain and decrypted sensitive answers together (callers audit-log the access)."""
    answers = dict(application.answers)
    if application.sealed_answers:
        answers.update(
            crypto.unseal(application.sealed_answers, context=str(application.public_id))
        )
    return answers


def issuable_kinds(application: Application) -> list[str]:
    """The notices that may be issued for the case now (決定 / 交付決定 once approved, 却下
    once rejected)."""
    if application.status == Status.APPROVED:
        return ["decision", "grant"]
    if application.status == Status.REJECTED:
        return ["rejection"]
    return []


def manual_transitions(application: Application) -> list[str]:
    """The statuses a staff member may set with the status buttons now."""
    targets = [s for s in application.allowed_transitions if s in MANUAL_TARGETS]
    if _needs_approval(application):
        targets = [s for s in targets if s not in (Status.APPROVED, Status.REJECTED)]
    elif approved_by_own_step(application):
        targets = [s for s in targets if s != Status.APPROVED]
    return targets


def _needs_approval(application: Application) -> bool:
    """Whether 承認 / 却下 are taken by the procedure's own step (an approval route), not by
    the status buttons (see :mod:`.decisions`)."""
    return decided_by_own_step(application.procedure_id)


def set_workflow(*, procedure_id: int, transitions: dict[str, list[str]],
                 actor: User | None) -> Workflow:
    """Replace a procedure's own status machine."""
    workflow, _created = Workflow.objects.update_or_create(
        procedure_id=procedure_id,
        defaults={"transitions": transitions, "updated_by": actor, "updated_at": timezone.now()},
    )
    return workflow


def change_status(
    *, application: Application, to_status: str, actor: User | None, reason: str = "",
    step: str = "", notify: bool = True,
) -> StatusEvent:
    """Move an application to ``to_status`` if the status machine allows it; notify the resident.

    Staff set :data:`MANUAL_TARGETS` directly. The other statuses belong to a step, named by
    ``step``: "correction" (差戻し and the resubmission), "approval" (決裁 and its decisions),
    "issuance" (交付), "fee" (承認 stating the fee to pay). A procedure with an approval route
    is decided only through it; a case whose approval must state something (an app's
    :data:`~.decisions.approval_checks`) is approved only through that app's step.
    ``notify=False`` when the calling step sends the resident a notice of its own that tells
    the change (one message per step, not two).
    """
    reason = reason.replace("\x00", "").strip()  # PostgreSQL text cannot hold NUL
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if to_status not in locked.allowed_transitions:
            raise TransitionRefused(f"{locked.status} → {to_status} is not allowed")
        if not step and to_status not in MANUAL_TARGETS:
            raise TransitionRefused(f"{to_status} is set by its own step")
        if (step != "approval" and to_status in (Status.APPROVED, Status.REJECTED)
                and _needs_approval(locked)):
            raise TransitionRefused("this procedure is decided through its approval route")
        if not step and to_status == Status.APPROVED and approved_by_own_step(locked):
            raise TransitionRefused("this case is approved with the step that states the fee")
        if to_status in REASON_REQUIRED and not reason:
            raise TransitionRefused("a reason is required")
        now = timezone.now()
        event = StatusEvent.objects.create(
            application=locked, from_status=locked.status, to_status=to_status, actor=actor,
            reason=reason, at=now,
        )
        locked.status = to_status
        locked.status_reason = reason if to_status in REASON_REQUIRED else locked.status_reason
        locked.updated_at = now
        locked.save(update_fields=["status", "status_reason", "updated_at"])
        if notify:
            enqueue_with_transaction(tasks.send_status_email, event_id=event.pk)
    application.refresh_from_db()
    return event


def _store_answers(application: Application, answers: dict[str, Any], spec: FormSpec) -> None:
    sensitive_keys = spec.sensitive_keys()
    application.answers = {k: v for k, v in answers.items() if k not in sensitive_keys}
    sensitive = {k: v for k, v in answers.items() if k in sensitive_keys}
    application.sealed_answers = (
        crypto.seal(sensitive, context=str(application.public_id)) if sensitive else ""
    )


def request_correction(
    *, application: Application, fields: list[str], message: str, actor: User
) -> CorrectionRequest:
    """差戻し: ask the resident to correct ``fields`` and say why; the resident is e-mailed."""
    spec = FormSpec(application.form_version.definition)
    known = {f.key for f in spec.fields()}
    fields = [key for key in dict.fromkeys(fields) if key in known]
    message = message.replace("\x00", "").strip()
    if not fields:
        raise TransitionRefused("choose the answers to correct")
    if not message:
        raise TransitionRefused("a reason is required")
    with transaction.atomic():
        change_status(application=application, to_status=Status.RETURNED, actor=actor,
                      reason=message, step="correction")
        number = application.corrections.count() + 1
        return CorrectionRequest.objects.create(
            application=application, round=number, fields=fields, message=message,
            requested_by=actor,
        )


def open_correction(application: Application) -> CorrectionRequest | None:
    """The correction the resident has not answered yet, if the application is returned."""
    if application.status != Status.RETURNED:
        return None
    return application.corrections.filter(resubmitted_at__isnull=True).order_by("-round").first()


def resubmit_correction(
    *, application: Application, correction: CorrectionRequest, clean: dict[str, Any],
    user: User,
) -> None:
    """Store the corrected answers (only the fields asked for) and send the case back to review.

    The round keeps what changed; sensitive values are kept masked in it.
    """
    spec = FormSpec(application.form_version.definition)
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        answers = all_answers(locked)
        changes = []
        for key in correction.fields:
            field = spec.field(key)
            if field is None or key not in clean:
                continue
            show = field.mask if field.is_sensitive else field.display
            changes.append({"key": key, "label": field.label,
                            "before": show(answers.get(key)), "after": show(clean[key])})
            answers[key] = clean[key]
        errors = spec.revalidate(spec.prune(answers))
        if errors:
            raise SubmissionRefused(errors)
        _store_answers(locked, spec.prune(answers), spec)
        locked.save(update_fields=["answers", "sealed_answers"])
        CorrectionRequest.objects.filter(pk=correction.pk).update(
            resubmitted_at=timezone.now(), changes=changes
        )
        change_status(application=locked, to_status=Status.UNDER_REVIEW, actor=user,
                      step="correction")
    application.refresh_from_db()
