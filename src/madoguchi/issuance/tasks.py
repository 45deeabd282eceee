"""Background work for issued documents: telling the resident a document is ready."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.functional import lazy
from django_tasks import task

from madoguchi.applications.selectors import notice_language
from madoguchi.channels.base import Notice
from madoguchi.channels.services import notify
from madoguchi.core.i18n import localized

from .models import IssuedDocument

# Rendered in the recipient's language, which notify() activates after the notice is built.
localized_lazy = lazy(localized, str)


@task()
def send_issued_email(document_id: int) -> None:
    """Tell the resident a signed document was issued and where to download it."""
    document = IssuedDocument.objects.select_related(
        "application__procedure", "application__department", "application__applicant"
    ).get(pk=document_id)
    application = document.application
    if not application.contact_email and application.applicant_id is None:
        return
    url = ""
    if application.applicant_id:
        url = settings.SITE_URL + reverse("applications:detail", args=[application.public_id])
    notice = Notice(kind="document.issued", template="issuance/email/issued", url=url, context={
        "document": document,
        "application": application,
        "procedure_name": localized_lazy(application.procedure.name),
        "department_name": localized_lazy(application.department.name),
    })
    notify(notice, user=application.applicant, email=application.contact_email,
           language=notice_language(application), once=f"document.issued:{document_id}")


@task()
def send_posted_notice(certificate_id: int) -> None:
    """Tell the resident their certificate was posted, and on which day."""
    from .models import PostedCertificate

    certificate = PostedCertificate.objects.select_related(
        "application__procedure", "application__applicant").get(pk=certificate_id)
    application = certificate.application
    if not application.contact_email and application.applicant_id is None:
        return
    url = ""
    if application.applicant_id:
        url = settings.SITE_URL + reverse("applications:detail", args=[application.public_id])
    notice = Notice(kind="certificate.posted", template="issuance/email/posted", url=url,
                    context={"certificate": certificate, "application": application,
                             "procedure_name": localized_lazy(application.procedure.name)})
    notify(notice, user=application.applicant, email=application.contact_email,
           language=notice_language(application), once=f"certificate.posted:{certificate_id}")
