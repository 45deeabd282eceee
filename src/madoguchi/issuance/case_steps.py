"""What issuance adds to a case of a certificate by post: the posting on its timeline and as
its state (郵送済み), and the staff case page's panel that leads to 「住民票の写しを作成」."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from madoguchi.applications import timeline
from madoguchi.applications.models import Application
from madoguchi.applications.timeline import Progress, Step
from madoguchi.core.dates import display_date

from . import certificates
from .models import PostedCertificate


def _posted(application: Application) -> PostedCertificate | None:
    certificate = certificates.certificate_of(application)
    return certificate if certificate is not None and certificate.posted_on else None


def progress(application: Application) -> Progress | None:
    certificate = _posted(application)
    if certificate is None:
        return None
    return Progress(
        code="posted",
        rank=30,
        label=_("Posted on %(day)s") % {"day": display_date(certificate.posted_on)},
    )


def steps(application: Application) -> list[Step]:
    certificate = _posted(application)
    if certificate is None or certificate.posted_at is None:
        return []
    return [
        Step(
            at=certificate.posted_at,
            kind="posted",
            label=_("Posted to your registered address"),
            detail=_("Posted on %(day)s") % {"day": display_date(certificate.posted_on)},
        )
    ]


def case_panel(application: Application) -> SafeString | str:
    """On the staff case page of a certificate by post: where it stands and the way to make
    it (only once the case is approved and its fee paid)."""
    if not certificates.is_postal(application):
        return ""
    ready = application.status in ("approved", "issued") and timeline.cleared(
        application
    )
    html = render_to_string(
        "issuance/_certificate_panel.html",
        {
            "application": application,
            "ready": ready,
            "approved": application.status in ("approved", "issued"),
            "certificate": certificates.certificate_of(application),
        },
    )
    return mark_safe(html)  # noqa: S308  # a template, autoescaped
