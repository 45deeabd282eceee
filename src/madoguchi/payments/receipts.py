"""領収書: a signed A4 PDF of a paid fee, set with the issuance app's Japanese fonts."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from madoguchi.catalog.selectors import get_city
from madoguchi.core.i18n import localized
from madoguchi.issuance import pdf, signing

from .models import Payment


class ReceiptRefused(Exception):
    """The receipt cannot be printed (a font is missing, a name cannot be set)."""


def receipt_body(payment: Payment) -> str:
    """The receipt's text (in Japanese: it is an official record)."""
    with translation.override("ja"):
        lines = [
            _("Amount received: %(amount)s yen") % {"amount": f"{payment.amount:,}"},
            "",
            _("Procedure: %(name)s") % {"name": localized(payment.application.procedure.name,
                                                          "ja")},
            _("Receipt number: %(number)s") % {"number": payment.application.receipt_number},
            _("Fee: %(fee)s yen × %(copies)s") % {"fee": f"{payment.per_copy:,}",
                                                  "copies": payment.copies},
        ]
        if payment.postage:
            lines.append(_("Postage: %(postage)s yen") % {"postage": f"{payment.postage:,}"})
        if payment.exempted:
            lines.append(_("Exempted: %(amount)s yen") % {"amount": f"{payment.exempted:,}"})
        paid_at = timezone.localtime(payment.paid_at) if payment.paid_at else None
        if paid_at:
            lines.append(_("Paid on: %(date)s") % {"date": paid_at.strftime("%Y-%m-%d %H:%M")})
        lines.append(_("Payment reference: %(reference)s") % {"reference": payment.reference})
        if payment.refunded:
            lines.append(_("Refunded: %(amount)s yen") % {"amount": f"{payment.refunded:,}"})
        lines += ["", _("We have received the above amount.")]
    return "\n".join(lines)


def render_receipt(payment: Payment) -> bytes:
    """The signed PDF of ``payment``'s receipt (only for a settled payment)."""
    city = get_city()
    city_name = localized(city.name, "ja") if city else ""
    department = payment.department
    with translation.override("ja"):
        title = _("Receipt")
    try:
        unsigned = pdf.render_pdf(pdf.Notice(
            number=payment.reference, issued_on=timezone.localdate(), city_name=city_name,
            department_name=localized(department.name, "ja"),
            department_phone=department.phone,
            addressee=payment.application.applicant_name,
            title=title, body=receipt_body(payment),
            verify_url=settings.SITE_URL + reverse("payments:pay", args=[payment.public_id]),
        ))
        identity = signing.load_identity()
    except pdf.PrintingRefused as exc:
        raise ReceiptRefused(exc.user_message()) from exc
    except signing.SigningUnavailable as exc:
        raise ReceiptRefused(str(exc)) from exc
    with translation.override("ja"):
        reason = _("Receipt of %(reference)s") % {"reference": payment.reference}
    return signing.sign_pdf(unsigned, reason=reason, location=city_name, identity=identity)
