"""Reads of the FAQ app: chat answers (through the site search), the staff lists and the
resident's own inquiries."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404

from madoguchi.core.search_sources import sources
from madoguchi.core.textkeys import TextSlot, text_slots
from madoguchi.search.selectors import folded_texts
from madoguchi.staff.models import Department

from .models import CHAT_TEXT_MAX, ChatQuestion, FaqEntry, Inquiry
from .question import find
from .relevance import ANSWER_THRESHOLD, analyse
from .services import clean_text

if TYPE_CHECKING:
    from madoguchi.core.models import User
    from madoguchi.staff.models import StaffMember

FAQ_KIND = "faq"
PROCEDURE_KIND = "procedure"
LINK_KINDS = (PROCEDURE_KIND, "life_event")  # shown as links under the answers
CHAT_FAQ_LIMIT = 5
CHAT_PROCEDURE_LIMIT = 3
CHAT_SEARCH_LIMIT = 30  # one search for every kind, then split by kind
# The department (code) that takes what no other fits: the general counter (総合窓口). Unset or
# unknown: the first department the city created.
GENERAL_COUNTER_SETTING = "MADOGUCHI_GENERAL_COUNTER"


@dataclass
class ChatAnswer:
    """What the chat shows for one question: FAQ entries relevant enough to answer it (best
    first) with their search hits, procedures as links, the department the question is for
    (``None``: none in particular), how relevant the best answer is, and, when nothing
    answers it, the general counter to call."""

    query: str
    entries: list[tuple[FaqEntry, Any]] = field(default_factory=list)
    procedures: list[Any] = field(default_factory=list)
    department_id: int | None = None
    relevance: float = 0.0
    general_counter: Department | None = None

    @cached_property
    def department(self) -> Department | None:
        """The department the question's words point to (read when it is shown)."""
        return _department(self.department_id)

    @property
    def entry_ids(self) -> list[int]:
        return [entry.pk for entry, _hit in self.entries]


def clean_query(value: Any) -> str:
    """A question as typed, made safe to search and store ("" when nothing usable is left)."""
    return " ".join(clean_text(value, CHAT_TEXT_MAX).split())


def _chat_kinds() -> list[str]:
    registered = sources()
    return [FAQ_KIND, *(k for k in LINK_KINDS if k in registered)]


def chat_answer(query: str, language: str = "ja") -> ChatAnswer:
    """The FAQ entries and procedures relevant to ``query`` (``relevance.ANSWER_THRESHOLD``),
    and the department its words point to.

    The site search finds the candidates; each is kept only when it covers enough of the
    question (``relevance``), so a question about EV chargers is not answered with the health
    centre's address because both mention a car park.
    """
    answer = ChatAnswer(query=query)
    if not query:
        return answer
    kinds = _chat_kinds()
    analysis = analyse(query, kinds=kinds)
    answer.department_id = analysis.department()
    if analysis.ceiling() < ANSWER_THRESHOLD:  # no document can answer it: no need to search
        answer.general_counter = general_counter()
        return answer
    hits = find(query, kinds=kinds, language=language, limit=CHAT_SEARCH_LIMIT,
                primary=FAQ_KIND, replace=analysis.replacements())
    texts = folded_texts((h.kind, h.key) for h in hits)
    scored = []
    for order, hit in enumerate(hits):
        folded = texts.get((hit.kind, hit.key))
        score = analysis.relevance(*folded) if folded else 0.0
        if score >= ANSWER_THRESHOLD:
            scored.append((-score, order, hit, score))
    scored.sort(key=lambda row: row[:2])
    relevant = [(hit, score) for _s, _o, hit, score in scored]
    faq_hits = [(h, s) for h, s in relevant if h.kind == FAQ_KIND and str(h.key).isdigit()]
    faq_hits = faq_hits[:CHAT_FAQ_LIMIT]
    entries = FaqEntry.objects.filter(
        pk__in=[int(h.key) for h, _s in faq_hits], is_published=True,
    ).select_related("department", "procedure")
    by_id = {e.pk: e for e in entries}
    answer.entries = [(by_id[int(h.key)], h) for h, _s in faq_hits if int(h.key) in by_id]
    answer.procedures = [h for h, _s in relevant if h.kind != FAQ_KIND][:CHAT_PROCEDURE_LIMIT]
    answer.relevance = max((s for h, s in faq_hits if int(h.key) in by_id), default=0.0)
    if not answer.entries:
        answer.general_counter = general_counter()
    return answer


def _department(department_id: int | None) -> Department | None:
    if department_id is None:
        return None
    return departments().filter(pk=department_id).first()


def route(text: str) -> Department | None:
    """The department ``text`` (a question, an inquiry) is for by its own words, or ``None``
    when no department fits well enough."""
    text = clean_query(text)
    if not text:
        return None
    return _department(analyse(text, kinds=_chat_kinds()).department())


def chat_question(public_id: Any) -> ChatQuestion | None:
    """A recorded chat question by its public id (``None`` for anything else)."""
    try:
        parsed = uuid.UUID(str(public_id)[:36])
    except (ValueError, TypeError):
        return None
    return ChatQuestion.objects.select_related("best_entry__department").filter(
        public_id=parsed).first()


MAX_ID = 2**63 - 1


def published_entry(pk: int) -> FaqEntry:
    if not 0 < pk <= MAX_ID:
        raise Http404
    entry = FaqEntry.objects.select_related("department", "procedure").filter(
        pk=pk, is_published=True).first()
    if entry is None:
        raise Http404
    return entry


def departments() -> QuerySet[Department]:
    return Department.objects.order_by("id")


def general_counter() -> Department | None:
    """The general counter (総合窓口): the department named by the ``MADOGUCHI_GENERAL_COUNTER``
    setting (a department code), else the first department the city created."""
    code = str(getattr(settings, GENERAL_COUNTER_SETTING, "") or "")
    found = departments().filter(code=code).first() if code else None
    return found or departments().first()


# --- Staff -------------------------------------------------------------------------------------


def entries_for_staff(staff: StaffMember) -> QuerySet[FaqEntry]:
    """The FAQ entries of the staff member's department."""
    return FaqEntry.objects.filter(department_id=staff.department_id).select_related(
        "updated_by", "procedure").order_by("sort", "id")


def entry_for_staff(staff: StaffMember, pk: int) -> FaqEntry:
    """One entry of the staff member's department; another department's entry is a 404."""
    if not 0 < pk <= MAX_ID:
        raise Http404
    entry = FaqEntry.objects.filter(pk=pk, department_id=staff.department_id).first()
    if entry is None:
        raise Http404
    return entry


def inquiries_for_staff(staff: StaffMember, status: str = "") -> QuerySet[Inquiry]:
    """Inquiries to the staff member's department, newest activity first."""
    qs = Inquiry.objects.filter(department_id=staff.department_id).select_related("resident")
    if status in Inquiry.Status.values:
        qs = qs.filter(status=status)
    return qs.annotate(message_count=Count("messages")).order_by("-updated_at", "-id")


def inquiry_counts(staff: StaffMember) -> dict[str, int]:
    rows = Inquiry.objects.filter(department_id=staff.department_id).values("status").annotate(
        n=Count("id"))
    counts = {value: 0 for value in Inquiry.Status.values}
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def inquiry_for_staff(staff: StaffMember, public_id: uuid.UUID) -> Inquiry:
    """One inquiry to the staff member's department; any other is a 404."""
    inquiry = Inquiry.objects.select_related("resident", "department").filter(
        public_id=public_id, department_id=staff.department_id).first()
    if inquiry is None:
        raise Http404
    return inquiry


def unanswered_questions(limit: int = 100) -> list[dict[str, Any]]:
    """Questions the FAQ did not answer (no match, or marked not helpful) and nobody has turned
    into an entry yet, grouped by their folded text, most asked first."""
    rows = (
        ChatQuestion.objects.filter(resolved=False)
        .filter(Q(match_count=0) | Q(helpful=False))
        .exclude(folded="")
        .values("folded")
        .annotate(n=Count("id"), last=Max("created_at"), sample=Max("id"),
                  not_helpful=Count("id", filter=Q(helpful=False)))
        .order_by("-n", "-last")[:limit]
    )
    rows = list(rows)
    samples = ChatQuestion.objects.in_bulk([r["sample"] for r in rows])
    return [{**r, "question": samples[r["sample"]]} for r in rows if r["sample"] in samples]


# --- Residents ---------------------------------------------------------------------------------


def inquiries_for_resident(user: User) -> QuerySet[Inquiry]:
    return Inquiry.objects.filter(resident=user).select_related("department").order_by(
        "-updated_at", "-id")


def inquiry_for_resident(user: User, public_id: uuid.UUID) -> Inquiry:
    """The resident's own inquiry; anyone else's is a 404."""
    inquiry = Inquiry.objects.select_related("department").filter(
        public_id=public_id, resident=user).first()
    if inquiry is None:
        raise Http404
    return inquiry


# --- Translatable texts (the translation workflow reads and writes them by key) ----------------


def entries_of(department_id: int | None) -> QuerySet[FaqEntry]:
    """The FAQ entries of a department (every entry for ``None``), in the staff list's order."""
    found = FaqEntry.objects.select_related("department").order_by("department_id", "sort", "id")
    return found if department_id is None else found.filter(department_id=department_id)


def entry_text_slots(entries: Iterable[FaqEntry]) -> dict[str, TextSlot]:
    """The question and answer of each entry by key (``<id>.question``, ``<id>.answer``); the
    objects are those of the instances."""
    slots: dict[str, TextSlot] = {}
    for entry in entries:
        slots.update(text_slots(entry.question, f"{entry.pk}.question"))
        slots.update(text_slots(entry.answer, f"{entry.pk}.answer"))
    return slots


def faq_texts(department_id: int | None) -> dict[str, dict[str, str]]:
    """A copy of every FAQ text of a department (every department for ``None``)."""
    return {key: dict(slot) for key, slot in entry_text_slots(entries_of(department_id)).items()}
