"""Drafts: half-filled applications saved after every page, resumed later.

A signed-in resident's draft is found by account and form (one per form); an anonymous one by
the draft id kept in the session, or by a signed resume link sent by e-mail that expires.
Typed and clean values of sensitive fields are sealed (AES-GCM) and never stored in clear.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.core import signing
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from madoguchi.core import crypto, ratelimit
from madoguchi.core.models import User
from madoguchi.forms.definition import FormSpec
from madoguchi.forms.fields.upload import referenced_uploads
from madoguchi.forms.models import FormVersion

from . import retention
from .models import Application, Draft

SESSION_PREFIX = "draft:"
RESUME_SALT = "madoguchi.applications.resume"
RESUME_MAX_AGE = dt.timedelta(days=7)
RESIDENT_DRAFT_LIFETIME = dt.timedelta(days=90)


@dataclass
class DraftState:
    """A draft as the wizard works with it: everything decrypted, in plain dicts."""

    model: Draft
    raw: dict[str, Any] = field(default_factory=dict)
    answers: dict[str, Any] = field(default_factory=dict)
    done: list[str] = field(default_factory=list)

    @property
    def token(self) -> uuid.UUID:
        return self.model.submission_token


def _open(model: Draft) -> DraftState:
    raw, answers = dict(model.raw), dict(model.answers)
    if model.sealed:
        try:
            sealed = crypto.unseal(model.sealed, context=str(model.public_id))
        except crypto.DecryptionError:
            sealed = {}
        raw.update(sealed.get("raw", {}))
        answers.update(sealed.get("answers", {}))
    return DraftState(model, raw, answers, list(model.done_pages))


def _session_key(slug: str) -> str:
    return SESSION_PREFIX + slug


def find(user: User | None, session: SessionBase, version: FormVersion) -> DraftState | None:
    """The current draft of this form for this resident (account) or visitor (session)."""
    form_id = version.form_id
    if user is not None and user.is_authenticated:
        model = Draft.objects.filter(owner=user, form_id=form_id).first()
    else:
        draft_id = session.get(_session_key(version.form.slug))
        model = (
            Draft.objects.filter(public_id=draft_id, owner=None, form_id=form_id).first()
            if isinstance(draft_id, str) and _is_uuid(draft_id) else None
        )
    if model is None or model.expires_at < timezone.now():
        return None
    model.form = version.form  # the same row (filtered on it), already loaded
    if model.version_id != version.pk:
        # A newer version was published: keep what was typed, walk the pages again.
        model.version = version
        model.done_pages = []
    return _open(model)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def find_or_start(user: User | None, session: SessionBase, version: FormVersion) -> DraftState:
    """The current draft, or a new empty one (not stored until the first page is saved)."""
    state = find(user, session, version)
    if state is not None:
        return state
    owner = user if user is not None and user.is_authenticated else None
    model = Draft(form=version.form, version=version, owner=owner,
                  expires_at=timezone.now() + _lifetime(owner))
    return DraftState(model)


def _lifetime(owner: User | None) -> dt.timedelta:
    return RESIDENT_DRAFT_LIFETIME if owner is not None else RESUME_MAX_AGE


def _without_nul(value: Any) -> Any:
    """``value`` with NUL characters removed from every string (PostgreSQL's jsonb refuses
    them; what a resident typed is kept otherwise, to show it again)."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    return value


def save(state: DraftState, spec: FormSpec, session: SessionBase) -> None:
    """Store the draft after a page: sensitive values sealed, the rest as JSON."""
    model = state.model
    state.raw = _without_nul(state.raw)
    sensitive = spec.sensitive_keys()
    model.raw = {k: v for k, v in state.raw.items() if k not in sensitive}
    model.answers = {k: v for k, v in state.answers.items() if k not in sensitive}
    secret = {
        "raw": {k: v for k, v in state.raw.items() if k in sensitive},
        "answers": {k: v for k, v in state.answers.items() if k in sensitive},
    }
    model.sealed = (
        crypto.seal(secret, context=str(model.public_id))
        if secret["raw"] or secret["answers"] else ""
    )
    model.done_pages = list(state.done)
    model.updated_at = timezone.now()
    model.expires_at = model.updated_at + _lifetime(model.owner)
    if model.pk is None and model.owner_id is not None:
        try:
            with transaction.atomic():
                model.save()
        except IntegrityError:
            # The same resident started this form in another tab a moment ago: continue there.
            existing = Draft.objects.get(owner_id=model.owner_id, form_id=model.form_id)
            model.pk, model.public_id = existing.pk, existing.public_id
            model.submission_token = existing.submission_token
            model.sealed = (crypto.seal(secret, context=str(model.public_id))
                            if model.sealed else "")
            model.save()
    else:
        model.save()
    if model.owner_id is None:
        session[_session_key(model.form.slug)] = str(model.public_id)


def forget(state: DraftState, session: SessionBase) -> None:
    """Forget in this browser a draft that became an application (which deleted it)."""
    session.pop(_session_key(state.model.form.slug), None)


def discard_for_resident(user: User, public_id: uuid.UUID) -> None:
    """The resident deleted their draft: it goes with the files attached to it."""
    delete_drafts(Draft.objects.filter(owner=user, public_id=public_id))


def for_resident(user: User) -> list[Draft]:
    """Unfinished applications of a signed-in resident, for the my page."""
    return list(
        Draft.objects.filter(owner=user, expires_at__gt=timezone.now(), form__is_open=True)
        .select_related("form__procedure")
        .order_by("-updated_at")
    )


def may_send_resume_link(email: str, ip: str | None) -> ratelimit.Decision:
    """Whether another resume e-mail may go out (a few per address mailed and per client
    address, ``settings.RATE_LIMITS["resume"]``), so the page cannot be used to flood someone's
    mailbox. Records the attempt when it may."""
    return ratelimit.check("resume", ip=ip, key=email)


def resume_token(state: DraftState) -> str:
    """A signed, expiring token naming an anonymous draft (for the resume link)."""
    return signing.dumps(str(state.model.public_id), salt=RESUME_SALT)


def resume(token: str, session: SessionBase) -> Draft | None:
    """Attach the draft named by a resume link to this browser's session."""
    try:
        public_id = signing.loads(token, salt=RESUME_SALT,
                                  max_age=RESUME_MAX_AGE.total_seconds())
    except signing.BadSignature:
        return None
    if not isinstance(public_id, str) or not _is_uuid(public_id):
        return None
    model = (Draft.objects.filter(public_id=public_id, owner=None, expires_at__gt=timezone.now())
             .select_related("form").first())
    if model is not None:
        session[_session_key(model.form.slug)] = str(model.public_id)
    return model


def purge_expired(now: dt.datetime | None = None) -> int:
    """Delete drafts past their expiry at ``now`` (default: now), with the files attached to
    them; returns how many drafts."""
    return delete_drafts(Draft.objects.filter(expires_at__lt=now or timezone.now()))


def attached_files(model: Draft) -> set[str]:
    """The stored uploads a draft names: in its accepted answers and in the signed references
    of pages not yet accepted, sealed values included."""
    state = _open(model)
    return retention.stored_files(state.answers) | referenced_uploads(state.raw)


def _named_elsewhere(names: set[str]) -> set[str]:
    """Those of ``names`` that an application or a remaining draft still names (a reference
    presented again on another form): they must stay."""
    kept: set[str] = set()
    for name in sorted(names):
        for model, fields in ((Application, ("answers",)), (Draft, ("answers", "raw"))):
            if any(model.objects.annotate(text=Cast(field, TextField()))
                   .filter(text__contains=name).exists() for field in fields):
                kept.add(name)
                break
    return kept


def delete_drafts(drafts: QuerySet[Draft]) -> int:
    """Delete ``drafts`` and, once that commits, the files only they named (through the
    storage API, so on S3 too). Returns how many drafts were deleted."""
    with transaction.atomic():
        files: set[str] = set()
        for model in drafts.select_for_update().only("public_id", "raw", "answers", "sealed"):
            files |= attached_files(model)
        deleted, _by_model = drafts.delete()
        if files:
            gone = files - _named_elsewhere(files)
            transaction.on_commit(lambda: _delete_files(gone))
    return deleted


def _delete_files(names: set[str]) -> None:
    for name in sorted(names):
        default_storage.delete(name)
