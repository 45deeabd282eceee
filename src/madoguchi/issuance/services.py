"""Writes: issuing signed documents (電子交付) and the default templates they start from."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from madoguchi.applications.models import Application, Status, StatusEvent
from madoguchi.applications.services import TransitionRefused, change_status
from madoguchi.catalog.models import Procedure
from madoguchi.catalog.selectors import get_city
from madoguchi.core.i18n import localized
from madoguchi.core.models import AuditEvent, User
from madoguchi.core.tasks import enqueue_with_transaction

from . import content, defaults, pdf, signing, tasks
from .models import DocumentKind, DocumentSequence, DocumentTemplate, IssuedDocument
from .selectors import documents_for

__all__ = ["IssueRefused", "documents_for", "ensure_default_templates", "issue", "issue_for_case"]


class IssueRefused(Exception):
    """The document cannot be issued (unknown kind, missing reason, wrong document replaced,
    fonts missing, a character no font can print)."""

    def user_message(self) -> str:
        """What staff are told, in the active language, when it is more than "could not be
        issued" (missing fonts and which package has them, unprintable characters)."""
        cause = self.__cause__
        return cause.user_message() if isinstance(cause, pdf.PrintingRefused) else ""


def ensure_default_templates(procedures: list[Procedure] | None = None) -> int:
    """Create the missing default templates of every kind for each procedure (default: all).

    Existing templates, which a department may have edited, are left alone. Returns how many
    were created.
    """
    created = 0
    for procedure in procedures if procedures is not None else Procedure.objects.all():
        for kind in DocumentKind.values:
            _template, made = DocumentTemplate.objects.get_or_create(
                procedure=procedure, kind=kind,
                defaults={"title": defaults.default_title(kind, procedure.name),
                          "body": defaults.default_body(kind, procedure.slug)},
            )
            created += made
    return created


def document_number(city_name: str, department_name: str, year: int, serial: int) -> str:
    """緑ヶ丘市子第2026-000123号: city, the department's first character, year and serial."""
    return f"{city_name}{department_name[:1]}第{year}-{serial:06d}号"


def _next_serial(year: int) -> int:
    """The next serial of ``year`` (call inside a transaction: the row stays locked)."""
    sequence, _created = DocumentSequence.objects.select_for_update().get_or_create(year=year)
    DocumentSequence.objects.filter(pk=sequence.pk).update(last_serial=F("last_serial") + 1)
    sequence.refresh_from_db(fields=["last_serial"])
    return sequence.last_serial


def _decision(application: Application, kind: str) -> StatusEvent | None:
    """The status change that decided what a notice of ``kind`` tells: the latest rejection
    for a rejection notice, else the latest approval."""
    status = "rejected" if kind == DocumentKind.REJECTION else "approved"
    return application.events.filter(to_status=status).order_by("-at", "-id").first()


def _audit(actor: User, document: IssuedDocument, supersedes: IssuedDocument | None) -> None:
    AuditEvent.objects.create(
        actor=actor, actor_label=str(actor.email), action="document.issue",
        target_type="issued_document", target_id=str(document.public_id),
        details={"number": document.number, "kind": document.kind,
                 "application": str(document.application.public_id),
                 "supersedes": supersedes.number if supersedes else ""},
    )


def issue(
    application: Application,
    kind: str,
    actor: User,
    *,
    supersedes: IssuedDocument | None = None,
    reason: str = "",
    decided_on: dt.date | None = None,
) -> IssuedDocument:
    """Render, sign and store a notice of ``kind`` for ``application``; e-mail the resident.

    ``supersedes`` names an earlier, still current document of the same application that the
    new one replaces (a re-issue). ``reason`` defaults to the reason recorded with the decision
    the notice tells (the status change to 却下 or 承認, by a clerk or at the end of 電子決裁),
    and is never an older message such as a 差戻し's request; a rejection notice needs one.
    The application's status is not changed here.
    Raises IssueRefused (also when fonts are missing or a character cannot be printed: see
    :meth:`IssueRefused.user_message`), or signing.SigningUnavailable when no signing key is
    configured.
    """
    if kind not in DocumentKind.values:
        raise IssueRefused(f"unknown document kind {kind!r}")
    decision = _decision(application, kind)
    reason = (reason or (decision.reason if decision else "")).replace("\x00", "").strip()
    if kind == DocumentKind.REJECTION and not reason:
        raise IssueRefused("a rejection notice needs a reason")
    identity = signing.load_identity()  # fail before anything is written
    try:
        pdf.available_fonts()
    except pdf.FontMissing as exc:
        raise IssueRefused(str(exc)) from exc
    ensure_default_templates([application.procedure])
    template = DocumentTemplate.objects.get(procedure=application.procedure, kind=kind)
    city = get_city()
    city_name = localized(city.name, "ja") if city else ""
    department = application.department
    department_name = localized(department.name, "ja")
    now = timezone.now()
    today = timezone.localtime(now).date()
    decided = decided_on or (timezone.localtime(decision.at).date() if decision else today)
    context = content.template_context(application, decided_on=decided, reason=reason)
    try:
        body = content.render_body(template.body, context)
    except content.TemplateBodyError as exc:
        raise IssueRefused(f"the template of {template} cannot be rendered: {exc}") from exc
    public_id = uuid.uuid4()
    verify_url = settings.SITE_URL + reverse("issuance:verify", args=[public_id])
    with transaction.atomic():
        if supersedes is not None:
            supersedes = IssuedDocument.objects.select_for_update().get(pk=supersedes.pk)
            if supersedes.application_id != application.pk:
                raise IssueRefused("the replaced document belongs to another application")
            if supersedes.superseded_by_id is not None:
                raise IssueRefused("the replaced document was already replaced")
        year = timezone.localtime(now).year
        serial = _next_serial(year)
        number = document_number(city_name, department_name, year, serial)
        title = localized(template.title, "ja")
        try:
            unsigned = pdf.render_pdf(pdf.Notice(
                number=number, issued_on=today, city_name=city_name,
                department_name=department_name, department_phone=department.phone,
                addressee=application.applicant_name, title=title, body=body,
                verify_url=verify_url,
            ))
        except pdf.PrintingRefused as exc:
            raise IssueRefused(str(exc)) from exc
        with translation.override("ja"):
            signature_reason = _("Electronic issuance of %(title)s") % {"title": title}
        signed = signing.sign_pdf(unsigned, reason=signature_reason, location=city_name,
                                  identity=identity)
        name = default_storage.save(f"issued/{year}/{public_id}.pdf", ContentFile(signed))
        try:
            document = IssuedDocument.objects.create(
                public_id=public_id, number=number, year=year, serial=serial,
                application=application, template=template, kind=kind, title=title[:200],
                pdf=name, sha256=hashlib.sha256(signed).hexdigest(), size=len(signed),
                issued_at=now, issued_by=actor,
            )
            if supersedes is not None:
                supersedes.superseded_by = document
                supersedes.save(update_fields=["superseded_by"])
            _audit(actor, document, supersedes)
            enqueue_with_transaction(tasks.send_issued_email, document_id=document.pk)
        except Exception:
            default_storage.delete(name)
            raise
    return document


def issue_for_case(application: Application, kind: str, actor: User) -> IssuedDocument:
    """交付 from the case page: issue the notice and, for an approved case, mark the case 交付済
    (issued), in one transaction.

    Raises IssueRefused, also when no signing key is configured or the status machine refuses
    交付済 (then nothing is issued)."""
    try:
        with transaction.atomic():
            document = issue(application, kind, actor)
            if application.status == Status.APPROVED:
                change_status(application=application, to_status=Status.ISSUED, actor=actor,
                              step="issuance")
    except (signing.SigningUnavailable, TransitionRefused) as exc:
        raise IssueRefused(str(exc)) from exc
    return document


def delete_for_application(application: Application) -> set[str]:
    """Delete the documents issued for a case, at the end of its 保存年限. Returns their stored
    PDFs, for the caller to delete once its transaction commits (a rollback keeps them)."""
    documents = IssuedDocument.objects.filter(application=application)
    files = {name for name in documents.values_list("pdf", flat=True) if name}
    # A re-issue points at the document it replaced; untie the chain before deleting it.
    documents.exclude(superseded_by=None).update(superseded_by=None)
    documents.delete()
    return files
