"""The measured effect of a visit (書かない窓口): what the statistics and BPR pages will read.

Per visit: minutes from the ticket (or, for a walk-in, the start) to the end, forms produced,
interview answers the resident's data prefilled and kept vs typed (or changed) by the clerk,
and the keys the clerk pressed on the counter pages. The keys come from a small script on the
counter pages (``counter/keys.js``) that counts keydown events per page into a hidden input
``_keys`` posted with each form; a browser without JavaScript posts none, and a visit where no
page ever reported keys keeps ``clerk_keys`` unknown (``None``), never zero.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce

from .interview import Question
from .models import Visit

KEYS_FIELD = "_keys"
MAX_KEYS_PER_PAGE = 100_000  # a page's count beyond this is no clerk's typing: ignored


def posted_keys(raw: object) -> int | None:
    """The key count a page posted, or ``None`` when it posted none (no script) or nonsense."""
    if not isinstance(raw, str) or not raw.isascii() or not raw.isdigit() or len(raw) > 6:
        return None
    count = int(raw)
    return count if count <= MAX_KEYS_PER_PAGE else None


def add_keys(visit: Visit, raw: object) -> None:
    """Add the keys one counter page counted to the visit (nothing when the page had none)."""
    count = posted_keys(raw)
    if count is None:
        return
    Visit.objects.filter(pk=visit.pk).update(
        clerk_keys=Coalesce(F("clerk_keys"), Value(0)) + count)


@dataclass(frozen=True)
class FieldCounts:
    """Interview answers: prefilled and kept as they were, or typed (or changed) by the clerk."""

    prefilled: int
    typed: int


def field_counts(questions: Sequence[Question], prefilled: Mapping[str, Any],
                 raw: Mapping[str, Any]) -> FieldCounts:
    """Compare the interview's submitted raw inputs with the values it was prefilled with.

    An empty answer counts for neither; an answer equal to its prefilled value is prefilled; any
    other answer was typed (a prefilled address the clerk completed counts as typed).
    """
    kept = typed = 0
    for question in questions:
        value = raw.get(question.name)
        if value is None or question.field.is_empty(value):
            continue
        if question.name in prefilled and prefilled[question.name] == value:
            kept += 1
        else:
            typed += 1
    return FieldCounts(prefilled=kept, typed=typed)


def record_fields(visit: Visit, counts: FieldCounts) -> None:
    """The last saved interview's counts (saving it again replaces them)."""
    Visit.objects.filter(pk=visit.pk).update(fields_prefilled=counts.prefilled,
                                             fields_typed=counts.typed)


def record_sent(visit: Visit) -> None:
    """The forms the visit produced: one application each, as sent."""
    with transaction.atomic():
        sent = Visit.objects.select_for_update().get(pk=visit.pk)
        Visit.objects.filter(pk=visit.pk).update(forms_produced=len(sent.applications))


def minutes_of(visit: Visit) -> Decimal | None:
    """Minutes from the ticket's issue (the start for a walk-in) to the end, one decimal."""
    if visit.ended_at is None:
        return None
    ticket = visit.ticket
    began = ticket.issued_at if ticket is not None else visit.opened_at
    seconds = max((visit.ended_at - began).total_seconds(), 0.0)
    return Decimal(seconds / 60).quantize(Decimal("0.1"))


def record_end(visit: Visit) -> None:
    """At the end of the visit: its minutes (the end time as the end service stored it)."""
    with transaction.atomic():
        ended = Visit.objects.select_for_update(of=("self",)).select_related("ticket").get(
            pk=visit.pk)
        if ended.minutes is None and ended.ended_at is not None:
            Visit.objects.filter(pk=visit.pk).update(minutes=minutes_of(ended))
