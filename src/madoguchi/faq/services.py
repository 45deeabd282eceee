"""Writes of the FAQ app: entries (kept in the search index), chat questions and their verdicts,
inquiries and their append-only threads."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from madoguchi.core import languages, textkeys
from madoguchi.core.tasks import enqueue_with_transaction
from madoguchi.core.textkeys import keep_other_languages
from madoguchi.jp.names import name_search_key

from . import search_source, tasks
from .models import (
    ANSWER_MAX,
    CHAT_TEXT_MAX,
    MESSAGE_MAX,
    QUESTION_MAX,
    SUBJECT_MAX,
    ChatQuestion,
    FaqEntry,
    Inquiry,
    InquiryMessage,
)

if TYPE_CHECKING:
    from madoguchi.core.models import User
    from madoguchi.staff.models import Department

_PUNCTUATION = re.compile(r"[\s?？!！。、，,.．・「」『』（）()【】\[\]:：;；〜～ー-]+")


class InquiryError(ValueError):
    """An inquiry action that is not possible (closed thread, empty message ...)."""


def clean_text(value: Any, limit: int) -> str:
    """User text made storable: a string, no NUL or other control characters except newlines,
    trimmed and cut to ``limit`` characters."""
    text = str(value or "").replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(
        ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs")
    )
    return text.strip()[:limit]


def fold_question(text: str) -> str:
    """The key that groups similar questions: width, kana and 異体字 folded, no punctuation."""
    return _PUNCTUATION.sub("", name_search_key(text))[:CHAT_TEXT_MAX]


# --- FAQ entries -------------------------------------------------------------------------------


def _typed(old: Any, typed: dict[str, str], limit: int) -> dict[str, str]:
    """The languages the editor sends (ja and en, cleaned; empty removes one) over the
    languages it does not show, kept from ``old`` (translations imported by the workflow)."""
    return keep_other_languages(old, {code: clean_text(text, limit)
                                      for code, text in typed.items() if code in languages.BY_CODE})


def _keywords(value: Any) -> list[str]:
    if isinstance(value, str):
        value = re.split(r"[,、，\n]", value)
    words = [clean_text(w, 40) for w in value or []]
    return list(dict.fromkeys(w for w in words if w))[:20]


@transaction.atomic
def save_entry(
    *,
    department: Department,
    actor: User | None,
    question: dict[str, str],
    answer: dict[str, str],
    keywords: Any = (),
    is_published: bool = False,
    sort: int = 100,
    procedure_id: int | None = None,
    entry: FaqEntry | None = None,
) -> FaqEntry:
    """Create ``entry`` (or update it, keeping its department) and refresh the search index.

    A published entry needs a Japanese question and answer.
    """
    question = _typed(entry.question if entry else None, {"ja": "", "en": "", **question},
                      QUESTION_MAX)
    answer = _typed(entry.answer if entry else None, {"ja": "", "en": "", **answer}, ANSWER_MAX)
    if not question.get("ja"):
        raise ValueError("a Japanese question is required")
    if is_published and not answer.get("ja"):
        raise ValueError("a published entry needs a Japanese answer")
    if entry is None:
        entry = FaqEntry(department=department)
    elif entry.department_id != department.pk:
        raise ValueError("an entry stays in its department")
    entry.question = question
    entry.answer = answer
    entry.keywords = _keywords(keywords)
    entry.is_published = bool(is_published)
    entry.sort = max(0, min(int(sort), 9999))
    entry.procedure_id = procedure_id
    entry.updated_by = actor
    entry.updated_at = timezone.now()
    entry.save()
    # The index lives in the same database: updated in the same transaction as the entry.
    search_source.reindex(entry.pk)
    return entry


@transaction.atomic
def delete_entry(entry: FaqEntry) -> None:
    """Delete an entry and take it out of the search index."""
    pk = entry.pk
    ChatQuestion.objects.filter(best_entry_id=pk).update(best_entry=None)
    entry.delete()
    search_source.remove(pk)


# --- Chat questions ----------------------------------------------------------------------------


def record_question(text: str, language: str, matched: list[int]) -> ChatQuestion:
    """Keep what was asked and which entries answered it (nothing about who asked)."""
    text = clean_text(text, CHAT_TEXT_MAX).replace("\n", " ")
    return ChatQuestion.objects.create(
        text=text,
        folded=fold_question(text),
        language=languages.normalize(language) or languages.BASE_LANGUAGE,
        matched=[int(m) for m in matched][:10],
        match_count=min(len(matched), 10),
        best_entry_id=matched[0] if matched else None,
    )


def set_helpful(question: ChatQuestion, helpful: bool) -> ChatQuestion:
    """Record the resident's verdict on the answers (the last one counts)."""
    ChatQuestion.objects.filter(pk=question.pk).update(helpful=helpful)
    question.helpful = helpful
    return question


@transaction.atomic
def draft_from_question(question: ChatQuestion, *, department: Department,
                        actor: User) -> FaqEntry:
    """「FAQ にする」: an unpublished entry with the resident's words as its question; every
    question grouped with it (same folded text) is marked as dealt with."""
    entry = save_entry(
        department=department, actor=actor,
        # The resident's words, also as the text of the language they asked in: staff then
        # write the Japanese question the entry is filed under.
        question={"ja": question.text} | (
            {question.language: question.text} if question.language != "ja" else {}),
        answer={"ja": "", "en": ""}, is_published=False,
    )
    ChatQuestion.objects.filter(folded=question.folded).update(resolved=True)
    return entry


# --- Inquiries ---------------------------------------------------------------------------------


@transaction.atomic
def open_inquiry(
    *,
    resident: User,
    department: Department,
    subject: str,
    body: str,
    chat_question: ChatQuestion | None = None,
) -> Inquiry:
    """A resident asks a department; the first message is the question."""
    subject = clean_text(subject, SUBJECT_MAX).replace("\n", " ")
    body = clean_text(body, MESSAGE_MAX)
    if not subject or not body:
        raise InquiryError("subject and message are required")
    now = timezone.now()
    inquiry = Inquiry.objects.create(
        resident=resident, department=department, subject=subject,
        chat_question=chat_question, created_at=now, updated_at=now,
    )
    InquiryMessage.objects.create(inquiry=inquiry, author=resident, from_staff=False, body=body,
                                  created_at=now)
    return inquiry


def _locked(inquiry: Inquiry) -> Inquiry:
    return Inquiry.objects.select_for_update().get(pk=inquiry.pk)


def _add_message(inquiry: Inquiry, *, author: User, body: str, from_staff: bool,
                 status: str) -> InquiryMessage:
    """Add a message to an open thread and move the inquiry to ``status``.

    A resident may only write on their own inquiry."""
    body = clean_text(body, MESSAGE_MAX)
    if not body:
        raise InquiryError("the message is empty")
    current = _locked(inquiry)
    if not from_staff and current.resident_id != author.pk:
        raise InquiryError("not the resident's inquiry")
    if current.status == Inquiry.Status.CLOSED:
        raise InquiryError("the inquiry is closed")
    message = InquiryMessage.objects.create(inquiry=current, author=author,
                                            from_staff=from_staff, body=body)
    Inquiry.objects.filter(pk=current.pk).update(status=status, updated_at=message.created_at)
    inquiry.status, inquiry.updated_at = status, message.created_at
    return message


@transaction.atomic
def staff_reply(inquiry: Inquiry, *, author: User, body: str) -> InquiryMessage:
    """The department answers: the inquiry becomes "answered" and the resident is notified."""
    message = _add_message(inquiry, author=author, body=body, from_staff=True,
                           status=Inquiry.Status.ANSWERED)
    enqueue_with_transaction(tasks.notify_inquiry_answered, message_id=message.pk)
    return message


@transaction.atomic
def resident_reply(inquiry: Inquiry, *, author: User, body: str) -> InquiryMessage:
    """The resident writes again: the inquiry waits for the city once more."""
    return _add_message(inquiry, author=author, body=body, from_staff=False,
                        status=Inquiry.Status.OPEN)


@transaction.atomic
def close_inquiry(inquiry: Inquiry) -> Inquiry:
    """Close the thread (no more messages on it)."""
    now = timezone.now()
    Inquiry.objects.filter(pk=inquiry.pk).update(status=Inquiry.Status.CLOSED, updated_at=now)
    inquiry.status, inquiry.updated_at = Inquiry.Status.CLOSED, now
    return inquiry


@transaction.atomic
def forward_inquiry(inquiry: Inquiry, *, department: Department) -> Inquiry:
    """Hand the inquiry to the department that can answer it (e.g. after 「わからない」)."""
    if inquiry.status == Inquiry.Status.CLOSED:
        raise InquiryError("the inquiry is closed")
    now = timezone.now()
    Inquiry.objects.filter(pk=inquiry.pk).update(department=department, updated_at=now)
    inquiry.department, inquiry.updated_at = department, now
    return inquiry


# --- Retention (保存年限, docs/retention.md) ---------------------------------------------------


@dataclass(frozen=True)
class DeletedInquiry:
    """What the retention record may say about a deleted inquiry: nothing about the person."""

    public_id: str
    department: str
    status: str
    last_activity: dt.datetime
    messages: int


def expired_inquiries(before: dt.datetime) -> QuerySet[Inquiry]:
    """Inquiries answered or closed whose last message or change is older than ``before``.
    An open one waits for the city and is never deleted by the retention task."""
    return (Inquiry.objects.exclude(status=Inquiry.Status.OPEN)
            .filter(updated_at__lt=before).select_related("department").order_by("updated_at",
                                                                                 "id"))


def delete_expired_inquiry(inquiry: Inquiry, before: dt.datetime) -> DeletedInquiry | None:
    """Delete an inquiry past its retention period with its thread; None if it is no longer
    expired (a resident wrote again meanwhile). Call inside the retention's transaction: this
    is the one place the append-only messages are deleted."""
    with transaction.atomic():
        locked = (expired_inquiries(before).select_for_update(of=("self",))
                  .filter(pk=inquiry.pk).first())
        if locked is None:
            return None
        messages = InquiryMessage.objects.filter(inquiry=locked)
        count = messages.count()
        models.QuerySet.delete(messages)  # past the append-only guard, on purpose
        Inquiry.objects.filter(pk=locked.pk).delete()
    return DeletedInquiry(str(locked.public_id), locked.department.code, locked.status,
                          locked.updated_at, count)


def purge_chat_questions(before: dt.datetime) -> int:
    """Delete the questions typed into the chat before ``before`` (free text a resident may
    have put personal details in); returns how many."""
    deleted, _by_model = ChatQuestion.objects.filter(created_at__lt=before).delete()
    return deleted


# --- Translations ------------------------------------------------------------------------------


@transaction.atomic
def apply_translations(department_id: int | None, changes: dict[str, dict[str, str]], *,
                       actor: User | None) -> set[str]:
    """Put translations (``<id>.question``/``<id>.answer`` → {language: text}, never
    Japanese) into the FAQ of a department (every department for ``None``) in one transaction,
    keeping the search index current; returns the keys that changed."""
    from .selectors import entry_text_slots  # selectors reads clean_text from this module

    found = FaqEntry.objects.select_for_update().order_by("pk")
    if department_id is not None:
        found = found.filter(department_id=department_id)
    entries = list(found)
    slots = entry_text_slots(entries)
    changed = textkeys.apply_translations(slots, changes)
    now = timezone.now()
    for entry in entries:
        if f"{entry.pk}.question" in changed or f"{entry.pk}.answer" in changed:
            entry.updated_by, entry.updated_at = actor, now
            entry.save(update_fields=["question", "answer", "updated_by", "updated_at"])
            search_source.reindex(entry.pk)
    return changed
