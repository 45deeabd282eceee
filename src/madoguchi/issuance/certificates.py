"""Certificates requested by post and printed from the resident registry (住民票の写しの郵送請求).

After the case is approved and its fee paid (``payments``), the clerk of the department opens
「住民票の写しを作成」: the applicant's identity, verified by the card-based sign-in, is matched to
a registry record (:func:`proposal`; when no single record matches, the clerk chooses), the
certificate is printed as a PDF with the issuance fonts (:func:`render`), and the clerk marks
it posted with the day (:func:`mark_posted`). Every read of the registry goes through
``registry.services`` and is audit-logged with the case.

The form of such a procedure answers ``copies`` (how many), ``scope`` (``self`` or
``household``: 世帯全員) and ``include`` (a list: ``relationship`` for 世帯主・続柄,
``domicile`` for 本籍・筆頭者); the identity fields carry the concepts ``applicant.name``,
``applicant.birth_date`` and ``applicant.address``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from madoguchi.applications import timeline
from madoguchi.applications.models import Application, Status
from madoguchi.applications.services import TransitionRefused, change_status
from madoguchi.catalog.selectors import get_city
from madoguchi.core.i18n import localized
from madoguchi.core.models import User
from madoguchi.core.tasks import enqueue_with_transaction
from madoguchi.forms.definition import FormSpec
from madoguchi.jp.wareki import format_wareki
from madoguchi.registry import services as registry_services
from madoguchi.registry.plugins import ResidentQuery, ResidentRecord
from madoguchi.registry.selectors import Sourced

from . import pdf, tasks
from .models import PostalCertificate, PostedCertificate
from .services import _next_serial, document_number

PURPOSE = "住民票の写しの郵送請求"


class CertificateRefused(Exception):
    """The step cannot be taken now; ``code`` says why (see :func:`refusal_message`)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def refusal_message(code: str) -> str:
    """What the clerk is told, in the active language."""
    return {
        "not_postal": _("This procedure does not post certificates from the registry."),
        "not_approved": _("Approve the request before making the certificate."),
        "not_paid": _(
            "The fee has not been paid yet: the certificate can be made and posted "
            "only after the payment is confirmed."
        ),
        "no_record": _("Choose the resident's record in the registry first."),
        "unknown_record": _("That record is not in the registry (any more). Search again."),
        "not_printed": _("Print the certificate before marking it posted."),
        "posted": _("This certificate was already marked posted."),
        "date": _(
            "Enter the posting day as YYYY-MM-DD, not before the approval and not in the future."
        ),
        "domicile": _(
            "The request asks for the registered domicile (本籍・筆頭者), which the "
            "registry extract here does not hold: make this certificate in the core "
            "resident system."
        ),
        "status": _("The case cannot be marked posted in its current status."),
    }.get(code, _("The certificate cannot be made."))


@dataclass(frozen=True)
class Request:
    """What the resident asked for, read from the answers."""

    copies: int
    household: bool
    relationship: bool
    domicile: bool


def is_postal(application: Application) -> bool:
    return PostalCertificate.objects.filter(procedure_id=application.procedure_id).exists()


def request_of(application: Application) -> Request:
    answers = application.answers
    include = answers.get("include") or []
    include = include if isinstance(include, list) else [include]
    copies = answers.get("copies")
    return Request(
        copies=int(copies) if str(copies).isdigit() else 1,
        household=answers.get("scope") == "household",
        relationship="relationship" in include,
        domicile="domicile" in include,
    )


def _identity(application: Application) -> dict[str, Any]:
    """The applicant's verified name, birth date and address, by concept."""
    spec = FormSpec(application.form_version.definition)
    found: dict[str, Any] = {}
    for field in spec.fields():
        concept = field.spec.get("concept")
        if concept in ("applicant.name", "applicant.birth_date", "applicant.address"):
            found.setdefault(concept.split(".")[1], application.answers.get(field.key))
    return found


def identity_query(application: Application, *, with_address: bool = True) -> ResidentQuery:
    """The registry query of the applicant's identity (empty parts left out)."""
    found = _identity(application)
    name = found.get("name") or {}
    name_text = (
        f"{name.get('family', '')} {name.get('given', '')}".strip()
        if isinstance(name, dict)
        else str(name)
    )
    birth = found.get("birth_date")
    try:
        birth_date = dt.date.fromisoformat(birth) if isinstance(birth, str) and birth else None
    except ValueError:
        birth_date = None
    address = found.get("address") or {}
    address_text = (
        "".join(str(address.get(k) or "") for k in ("city", "town", "street"))
        if isinstance(address, dict) and with_address
        else ""
    )
    return ResidentQuery(name=name_text, birth_date=birth_date, address=address_text)


def verified(application: Application) -> bool:
    """Whether the identity fields were verified by a card-based sign-in."""
    return bool(application.identity_verification.get("provider"))


@dataclass(frozen=True)
class Proposal:
    """The registry records the verified identity matches: one (proposed), or several or
    none (the clerk chooses)."""

    records: list[Sourced]

    @property
    def unique(self) -> Sourced | None:
        return self.records[0] if len(self.records) == 1 else None


def _require_postal(application: Application) -> None:
    if not is_postal(application):
        raise CertificateRefused("not_postal")


def proposal(request: HttpRequest, application: Application) -> Proposal:
    """Match the verified identity to the registry: name, birth date and address first; when
    that finds not exactly one, name and birth date. Audit-logged."""
    _require_postal(application)
    case = str(application.public_id)
    query = identity_query(application)
    if query.is_empty():
        return Proposal([])
    found = registry_services.find_for_case(request, query, case=case, purpose=PURPOSE)
    if len(found) != 1 and query.address and (query.name or query.birth_date):
        found = registry_services.find_for_case(
            request, identity_query(application, with_address=False), case=case, purpose=PURPOSE
        )
    return Proposal(found)


def search(
    request: HttpRequest, application: Application, *, name: str, birth_date: dt.date | None
) -> list[Sourced]:
    """The clerk's own search when the identity matched no single record. Audit-logged."""
    _require_postal(application)
    query = ResidentQuery(name=name.strip()[:120], birth_date=birth_date)
    if query.is_empty():
        return []
    return registry_services.find_for_case(
        request, query, case=str(application.public_id), purpose=PURPOSE
    )


def _require_ready(application: Application) -> None:
    if application.status not in (Status.APPROVED, Status.ISSUED):
        raise CertificateRefused("not_approved")
    if not timeline.cleared(application):
        raise CertificateRefused("not_paid")


def choose(
    request: HttpRequest, application: Application, *, source: str, record_id: str, actor: User
) -> PostedCertificate:
    """The clerk takes a registry record for the certificate (read again, audit-logged).
    Refused before the case is approved and paid, and once it was posted."""
    _require_postal(application)
    _require_ready(application)
    record, _members = registry_services.read_for_case(
        request, source, record_id, case=str(application.public_id), purpose=PURPOSE
    )
    if record is None or not record.active:
        raise CertificateRefused("unknown_record")
    with transaction.atomic():
        existing = (
            PostedCertificate.objects.select_for_update().filter(application=application).first()
        )
        if existing is not None and existing.posted_on is not None:
            raise CertificateRefused("posted")
        kind = PostalCertificate.objects.get(procedure_id=application.procedure_id).kind
        certificate, _created = PostedCertificate.objects.update_or_create(
            application=application,
            defaults={
                "kind": kind,
                "source": source,
                "record_id": record_id,
                "matched_by": actor,
                "matched_at": timezone.now(),
            },
        )
    return certificate


def certificate_of(application: Application) -> PostedCertificate | None:
    return PostedCertificate.objects.filter(application=application).first()


def _date(value: dt.date | None) -> str:
    return format_wareki(value) if value else ""


def _sections(
    asked: Request, person: ResidentRecord, members: list[ResidentRecord]
) -> tuple[tuple[tuple[str, str], ...], ...]:
    with translation.override("ja"):
        people = members if asked.household and members else [person]
        head = next((m for m in members or [person] if m.relationship == "世帯主"), None)
        address = person.address + (f"　{person.katagaki}" if person.katagaki else "")
        top: list[tuple[str, str]] = [(_("Address"), address)]
        if asked.relationship:
            top.append((_("Head of household"), head.name if head else ""))
        sections = [tuple(top)]
        for member in people:
            rows = [
                (_("Name"), member.name),
                (_("Furigana"), member.kana),
                (_("Date of birth"), _date(member.birth_date)),
                (_("Sex"), member.sex),
            ]
            if asked.relationship:
                rows.append((_("Relationship to the head"), member.relationship))
            rows.append((_("Became a resident on"), _date(member.moved_in_on)))
            sections.append(tuple(rows))
    return tuple(sections)


def render(request: HttpRequest, application: Application) -> bytes:
    """The certificate of the chosen record as a PDF, read from the registry now (audited).

    The first print gives it its document number. Refused before approval and payment, with no
    record chosen, or when 本籍 is asked (the registry extract holds none). A character no font
    prints refuses it too (``pdf.PrintingRefused``, with a message for staff).
    """
    _require_postal(application)
    _require_ready(application)
    asked = request_of(application)
    if asked.domicile:
        raise CertificateRefused("domicile")
    certificate = certificate_of(application)
    if certificate is None:
        raise CertificateRefused("no_record")
    person, members = registry_services.read_for_case(
        request,
        certificate.source,
        certificate.record_id,
        case=str(application.public_id),
        purpose=PURPOSE,
        household=asked.household or asked.relationship,
    )
    if person is None:
        raise CertificateRefused("unknown_record")
    city = get_city()
    city_name = localized(city.name, "ja") if city else ""
    department_name = localized(application.department.name, "ja")
    now = timezone.now()
    today = timezone.localtime(now).date()
    with transaction.atomic():
        locked = PostedCertificate.objects.select_for_update().get(pk=certificate.pk)
        number = locked.number
        if not number:
            year = today.year
            number = document_number(city_name, department_name, year, _next_serial(year))
        with translation.override("ja"):
            title = _("Copy of the certificate of residence")
            attestation = _(
                "This copy is certified to be identical with the original residence record."
            )
            note = _("Requested by post (receipt number %(number)s), %(copies)s copies.") % {
                "number": application.receipt_number,
                "copies": asked.copies,
            }
        data = pdf.render_certificate(
            pdf.Certificate(
                number=number,
                issued_on=today,
                city_name=city_name,
                department_name=department_name,
                title=title,
                sections=_sections(asked, person, members),
                attestation=attestation,
                note=note,
            )
        )
        PostedCertificate.objects.filter(pk=locked.pk).update(
            number=number, prints=locked.prints + 1, printed_at=now
        )
    return data


def mark_posted(application: Application, *, actor: User, posted_on: dt.date) -> PostedCertificate:
    """郵送済み: the certificate was posted on ``posted_on``; the case becomes 交付済み and the
    resident is told (e-mail, LINE). Refused before the fee is paid (in Japanese, by
    :func:`refusal_message`), before it was printed, twice, and for a day in the future or
    before the approval."""
    _require_postal(application)
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        _require_ready(locked)
        certificate = (
            PostedCertificate.objects.select_for_update().filter(application=locked).first()
        )
        if certificate is None or not certificate.prints:
            raise CertificateRefused("not_printed")
        if certificate.posted_on is not None:
            raise CertificateRefused("posted")
        approved = locked.events.filter(to_status=Status.APPROVED).order_by("-at").first()
        today = timezone.localdate()
        if posted_on > today or (approved and posted_on < timezone.localtime(approved.at).date()):
            raise CertificateRefused("date")
        now = timezone.now()
        if locked.status == Status.APPROVED:
            try:
                now = change_status(
                    application=locked,
                    to_status=Status.ISSUED,
                    actor=actor,
                    step="issuance",
                    notify=False,
                ).at
            except TransitionRefused as exc:
                raise CertificateRefused("status") from exc
        certificate.posted_on, certificate.posted_at, certificate.posted_by = (
            posted_on,
            now,
            actor,
        )
        certificate.save(update_fields=["posted_on", "posted_at", "posted_by"])
        enqueue_with_transaction(tasks.send_posted_notice, certificate_id=certificate.pk)
    application.refresh_from_db()
    return certificate
