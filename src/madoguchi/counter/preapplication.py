"""The resident's pre-application (スマート申請): reads and writes.

At home the resident chooses life events, answers the navigator's questions and then the
questions of the forms that apply (the counter's interview, each concept asked once). The
answers are sealed; the resident gets a short code (and a QR code of the staff page's address
with that code, never the data). At the counter a clerk types or scans the code at the visit's
identify step: the visit takes the life events as its plan and the answers as the interview's
prefill. Wrong codes are audited and limited per clerk and hour.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from madoguchi.core import audit, crypto
from madoguchi.core.models import AuditEvent
from madoguchi.forms import selectors as form_selectors
from madoguchi.staff.models import StaffMember
from madoguchi.tickets.services import client_digest

from . import selectors
from .interview import Question, Source, build_questions
from .models import PreApplication, Visit, VisitEvent

# No 0/O, 1/I/L or U/V look-alikes: read aloud or typed from a phone without doubt.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
CODE_LENGTH = 8
DAYS = 14
PER_HOUR = 10  # pre-applications started from one address in an hour
WRONG_CODES_PER_HOUR = 10  # wrong codes one clerk may type in an hour
MAX_INPUT = 300  # a scanned address is longer than a code
SALT = "madoguchi.counter.preapplication"
# The counter asks for these with the card or paper in hand, not at home.
NOT_AT_HOME = frozenset({"file", "my_number"})
WRONG_CODE = "counter.preapp_wrong_code"


class PreApplicationRefused(Exception):
    """A pre-application cannot be started or opened; ``message`` says why, for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, f"COUNTER_PREAPPLICATION_{name}", default))


def days() -> int:
    """How many days a pre-application can be opened (``COUNTER_PREAPPLICATION_DAYS``)."""
    return _setting("DAYS", DAYS)


# --- codes and tokens --------------------------------------------------------------------------
def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _i in range(CODE_LENGTH))


def display_code(code: str) -> str:
    """``K7M2QX9P`` → ``K7M2-QX9P``."""
    return f"{code[:4]}-{code[4:]}"


def normalize_code(text: str) -> str | None:
    """The code in what a clerk typed or a scanner sent (the code, with or without hyphen,
    full-width, lower case, or the staff page's address ending with it); None if there is none."""
    value = unicodedata.normalize("NFKC", str(text)[:MAX_INPUT]).strip().rstrip("/")
    value = value.rsplit("/", 1)[-1].upper()
    value = "".join(c for c in value if c not in "- \u30fc")
    if len(value) != CODE_LENGTH or any(c not in ALPHABET for c in value):
        return None
    return value


def code_digest(code: str) -> str:
    """The keyed hash that finds a code's row (the code is not stored in clear)."""
    return hmac.new(settings.SECRET_KEY.encode(), f"preapp:{code}".encode(),
                    hashlib.sha256).hexdigest()


def token_of(pre: PreApplication) -> str:
    """The resident's signed address of their pre-application's pages."""
    return signing.TimestampSigner(salt=SALT).sign(str(pre.public_id))


def by_token(token: str) -> PreApplication | None:
    """The unexpired pre-application a valid token names, else None."""
    try:
        public_id = signing.TimestampSigner(salt=SALT).unsign(
            str(token)[:200], max_age=days() * 86400)
    except signing.BadSignature:
        return None
    try:
        return PreApplication.objects.filter(public_id=public_id,
                                             expires_at__gt=timezone.now()).first()
    except (ValueError, TypeError):
        return None


# --- reads -------------------------------------------------------------------------------------
def data(pre: PreApplication) -> dict[str, Any]:
    """The sealed data: ``code``, ``plan`` (events with their navigator answers), ``raw``
    (inputs by question name), ``answers`` (by form slug) and ``values`` (by concept key)."""
    if not pre.sealed:
        return {}
    value = crypto.unseal(pre.sealed, context=str(pre.public_id))
    return value if isinstance(value, dict) else {}


def sources(pre_data: Mapping[str, Any], today: dt.date) -> list[Source]:
    """The forms of the procedures the chosen life events bring that can be filed now."""
    found = []
    for slug in selectors.plan(dict(pre_data), today).fileable():
        version = form_selectors.live_version(slug)
        if version is not None:
            found.append(Source(slug=slug, version=version, spec=form_selectors.spec_of(version)))
    return found


def resident_questions(sources_: Sequence[Source]) -> list[Question]:
    """The interview's questions a resident answers at home (no uploads, no My Number)."""
    return [q for q in build_questions(sources_) if q.field.type_name not in NOT_AT_HOME]


def concept_values(questions: Sequence[Question], answers: Mapping[str, Mapping[str, Any]]
                   ) -> dict[str, Any]:
    """Concept key → value, from the first form that the concept's question filled."""
    values: dict[str, Any] = {}
    for question in questions:
        if question.concept is None:
            continue
        for slug, key in question.targets:
            if key in answers.get(slug, {}):
                values[question.concept.key] = answers[slug][key]
                break
    return values


def prefill(questions: Sequence[Question], visit_data: Mapping[str, Any]) -> dict[str, Any]:
    """Raw inputs of the counter interview from the pre-application the visit took: a concept
    question from the resident's value of that concept, any other from the form field's answer."""
    taken = visit_data.get("preapp") or {}
    values, answers = taken.get("values", {}), taken.get("answers", {})
    raw: dict[str, Any] = {}
    for question in questions:
        if question.concept is not None and question.concept.key in values:
            raw[question.name] = question.field.raw_from_value(values[question.concept.key])
            continue
        for slug, key in question.targets:
            if key in answers.get(slug, {}):
                raw[question.name] = question.field.raw_from_value(answers[slug][key])
                break
    return raw


# --- the resident's writes ---------------------------------------------------------------------
def _seal(pre: PreApplication, values: dict[str, Any]) -> None:
    current = data(pre)
    current.update(values)
    pre.sealed = crypto.seal(current, context=str(pre.public_id))


def start(request: HttpRequest, events: Sequence[str], *, now: dt.datetime | None = None
          ) -> PreApplication:
    """A new draft for the chosen life events, within the per-address hourly limit (expired
    pre-applications are deleted on the way)."""
    now = now or timezone.now()
    digest = client_digest(request)
    if digest and PreApplication.objects.filter(
            client_digest=digest, created_at__gte=now - dt.timedelta(hours=1)
    ).count() >= _setting("PER_HOUR", PER_HOUR):
        raise PreApplicationRefused(_("Too many pre-applications were started from this "
                                      "connection. Please try again in an hour."))
    user = request.user
    resident = user if user.is_authenticated and getattr(user, "is_resident", False) else None
    with transaction.atomic():
        PreApplication.objects.filter(expires_at__lte=now).delete()
        code = new_code()
        while PreApplication.objects.filter(code_digest=code_digest(code)).exists():
            code = new_code()
        pre = PreApplication(code_digest=code_digest(code), client_digest=digest,
                             resident=resident, created_at=now,
                             expires_at=now + dt.timedelta(days=days()))
        pre.sealed = crypto.seal({"code": code, "events": list(events)},
                                 context=str(pre.public_id))
        pre.save()
    audit.record(request, "counter.preapp_started", target_type="counter.preapplication",
                 target_id=str(pre.public_id), details={"events": list(events)})
    return pre


def save_plan(pre: PreApplication, events: list[dict[str, Any]],
              typed: Sequence[dict[str, Any]] = ()) -> None:
    """The life events with their navigator answers and the household members who move or
    apply with the resident, typed once (the forms' answers start over)."""
    with transaction.atomic():
        pre = PreApplication.objects.select_for_update().get(pk=pre.pk)
        _seal(pre, {"plan": {"events": events, "members": [], "typed": list(typed)},
                    "raw": {}, "answers": {}, "values": {}})
        pre.completed_at = None
        pre.save(update_fields=["sealed", "completed_at"])


def complete(request: HttpRequest, pre: PreApplication, raw: dict[str, Any],
             answers: dict[str, dict[str, Any]], values: dict[str, Any]) -> None:
    """The forms' answers: the pre-application can now be opened at the counter."""
    with transaction.atomic():
        pre = PreApplication.objects.select_for_update().get(pk=pre.pk)
        _seal(pre, {"raw": raw, "answers": answers, "values": values})
        pre.completed_at = timezone.now()
        pre.save(update_fields=["sealed", "completed_at"])
    audit.record(request, "counter.preapp_completed", target_type="counter.preapplication",
                 target_id=str(pre.public_id), details={"forms": sorted(answers)})


# --- the clerk's opening -----------------------------------------------------------------------
def _wrong(request: HttpRequest, visit: Visit, reason: str) -> None:
    audit.record(request, WRONG_CODE, target_type="counter.visit",
                 target_id=str(visit.public_id), details={"reason": reason})


def open_for_visit(request: HttpRequest, staff: StaffMember, visit: Visit, text: str
                   ) -> PreApplication:
    """The visit takes the pre-application whose code ``text`` holds: its life events become
    the visit's plan and its answers the interview's prefill (audited). A visit takes one
    pre-application, once. Raises :class:`PreApplicationRefused` with the clerk's message."""
    since = timezone.now() - dt.timedelta(hours=1)
    if AuditEvent.objects.filter(actor=staff.user, action=WRONG_CODE, at__gte=since
                                 ).count() >= _setting("WRONG_CODES_PER_HOUR",
                                                       WRONG_CODES_PER_HOUR):
        raise PreApplicationRefused(_("Too many wrong codes were typed in the last hour. "
                                      "Identify the resident another way."))
    code = normalize_code(text)
    if code is None:
        _wrong(request, visit, "malformed")
        raise PreApplicationRefused(_("This is not a pre-application code. A code has 8 "
                                      "letters and digits, like K7M2-QX9P."))
    pre = PreApplication.objects.filter(code_digest=code_digest(code),
                                        completed_at__isnull=False).first()
    if pre is None:
        _wrong(request, visit, "unknown")
        raise PreApplicationRefused(_("No pre-application has this code. Check the code "
                                      "with the resident."))
    if pre.expires_at <= timezone.now():
        _wrong(request, visit, "expired")
        raise PreApplicationRefused(_("This pre-application has expired. Ask the resident "
                                      "the questions at the counter."))
    with transaction.atomic():
        visit = Visit.objects.select_for_update().get(pk=visit.pk)
        pre = PreApplication.objects.select_for_update().get(pk=pre.pk)
        current = selectors.data(visit)
        if current.get("preapp"):
            raise PreApplicationRefused(_("This visit has already taken a pre-application."))
        if visit.state != Visit.State.OPEN:
            raise PreApplicationRefused(_("This visit was already sent."))
        found = data(pre)
        current["preapp"] = {"id": str(pre.public_id), "values": found.get("values", {}),
                             "answers": found.get("answers", {})}
        if not current.get("plan") and found.get("plan"):
            current["plan"] = found["plan"]
        visit.sealed = crypto.seal(current, context=str(visit.public_id))
        visit.save(update_fields=["sealed"])
        pre.opened_by_visits = [*pre.opened_by_visits, str(visit.public_id)]
        pre.save(update_fields=["opened_by_visits"])
        events = [e["slug"] for e in found.get("plan", {}).get("events", [])]
        VisitEvent.objects.create(visit=visit, kind=VisitEvent.Kind.PREAPP, actor=staff.user,
                                  department_id=staff.department_id,
                                  details={"events": events,
                                           "forms": sorted(found.get("answers", {})),
                                           "made_at": pre.completed_at.isoformat()
                                           if pre.completed_at else ""})
        audit.record(request, "counter.preapp_opened", target_type="counter.visit",
                     target_id=str(visit.public_id),
                     details={"preapplication": str(pre.public_id), "events": events})
    return pre
