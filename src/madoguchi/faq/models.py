"""The knowledge base (FAQ), what residents asked the chat, and inquiries (問い合わせ) to a
department with their append-only message threads."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from madoguchi.core.i18n import localized

QUESTION_MAX = 200
ANSWER_MAX = 4000
CHAT_TEXT_MAX = 200
SUBJECT_MAX = 100
MESSAGE_MAX = 4000


class FaqEntry(models.Model):
    """A question and its answer, owned by a department. Only published entries are searchable."""

    department = models.ForeignKey(
        "staff.Department", on_delete=models.PROTECT, related_name="faq_entries"
    )
    question = models.JSONField(help_text="{'ja': ..., 'en': ...}")
    answer = models.JSONField(help_text="{'ja': ..., 'en': ...}")
    keywords = models.JSONField(default=list, blank=True)
    procedure = models.ForeignKey(
        "catalog.Procedure", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="faq_entries",
    )
    is_published = models.BooleanField(default=False)
    sort = models.PositiveIntegerField(default=100)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["department_id", "sort", "id"]
        indexes = [models.Index(fields=["department", "is_published", "sort"])]
        verbose_name = "FAQ entry"
        verbose_name_plural = "FAQ entries"

    def __str__(self) -> str:
        return localized(self.question)


class ChatQuestion(models.Model):
    """One question typed into the chat, kept without any link to who asked it.

    ``matched`` holds the FAQ entry ids shown (best first); ``best_entry`` the first of them.
    ``helpful`` is the resident's verdict (``None`` until they answer). ``folded`` is the
    normalised text used to group similar questions in the staff "unanswered" list.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    text = models.CharField(max_length=CHAT_TEXT_MAX)
    folded = models.CharField(max_length=CHAT_TEXT_MAX, db_index=True)
    language = models.CharField(max_length=8, default="ja")
    matched = models.JSONField(default=list, blank=True)
    match_count = models.PositiveSmallIntegerField(default=0)
    best_entry = models.ForeignKey(
        FaqEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="chat_questions"
    )
    helpful = models.BooleanField(null=True, blank=True)
    resolved = models.BooleanField(default=False, help_text="Staff dealt with it (FAQ made).")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.text

    @property
    def unanswered(self) -> bool:
        """No FAQ matched, or the resident said the answers did not help."""
        return self.match_count == 0 or self.helpful is False


class Inquiry(models.Model):
    """A resident's question to a department (問い合わせ), answered from the back office."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for the city")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="inquiries"
    )
    department = models.ForeignKey(
        "staff.Department", on_delete=models.PROTECT, related_name="inquiries"
    )
    subject = models.CharField(max_length=SUBJECT_MAX)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    chat_question = models.ForeignKey(
        ChatQuestion, null=True, blank=True, on_delete=models.SET_NULL, related_name="inquiries"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["department", "status", "updated_at"])]
        verbose_name_plural = "inquiries"

    def __str__(self) -> str:
        return self.subject


class AppendOnlyMessages(models.QuerySet):
    def update(self, **kwargs: object) -> int:
        raise ValueError("inquiry messages are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ValueError("inquiry messages are append-only")


class InquiryMessage(models.Model):
    """One message of an inquiry's thread. Never changed nor deleted once written."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.PROTECT, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    from_staff = models.BooleanField(default=False)
    body = models.TextField(max_length=MESSAGE_MAX)
    created_at = models.DateTimeField(default=timezone.now)

    objects = AppendOnlyMessages.as_manager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:40]

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("inquiry messages are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValueError("inquiry messages are append-only")
