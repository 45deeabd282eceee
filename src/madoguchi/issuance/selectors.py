"""Reads: an application's documents, a document as each kind of visitor may see it, and the
names of the kinds of notice."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.http import Http404

from madoguchi.applications import selectors as application_selectors
from madoguchi.applications.models import Application
from madoguchi.core.models import User
from madoguchi.staff.models import StaffMember

from .models import DocumentKind, IssuedDocument


def kind_label(kind: str) -> str:
    """The name of a kind of notice (決定通知書 …) in the active language."""
    return str(DocumentKind(kind).label)


def documents_for(application: Application) -> QuerySet[IssuedDocument]:
    """The application's documents, newest first (superseded ones included)."""
    return (
        IssuedDocument.objects.filter(application=application)
        .select_related("superseded_by", "issued_by")
        .order_by("-issued_at", "-id")
    )


def _by_public_id(public_id: uuid.UUID) -> IssuedDocument:
    try:
        return IssuedDocument.objects.select_related(
            "application__procedure", "application__department", "superseded_by"
        ).get(public_id=public_id)
    except IssuedDocument.DoesNotExist as exc:
        raise Http404 from exc


def get_for_resident(user: User, public_id: uuid.UUID) -> IssuedDocument:
    """A document of the resident's own application; anybody else's is simply not found."""
    document = _by_public_id(public_id)
    application_selectors.get_for_resident(user, document.application.public_id)
    return document


def get_for_staff(staff: StaffMember, public_id: uuid.UUID) -> IssuedDocument:
    """A document of an application of the staff member's department; others are not found."""
    document = _by_public_id(public_id)
    application_selectors.get_for_staff(staff, document.application.public_id)
    return document


def get_public(public_id: uuid.UUID) -> IssuedDocument:
    """A document for the public verification page (which shows no personal data)."""
    return _by_public_id(public_id)
