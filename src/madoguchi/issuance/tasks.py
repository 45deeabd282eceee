"""Background work for issued documents: telling the resident a document is ready."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

from madoguchi.core.i18n import localized


@task()
def send_issued_email(document_id: int) -> None:
    """Tell the resident a signed document was issued and where to download it."""
    from madoguchi.catalog.selectors import get_city

    from .models import IssuedDocument

    document = IssuedDocument.objects.select_related(
        "application__procedure", "application__department", "application__applicant"
    ).get(pk=document_id)
    application = document.application
    if not application.contact_email:
        return
    profile = getattr(application.applicant, "resident_profile", None)
    language = profile.preferred_language if profile else settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "document": document,
            "application": application,
            "procedure_name": localized(application.procedure.name),
            "department_name": localized(application.department.name),
            "city": get_city(),
            "site_url": settings.SITE_URL,
        }
        subject = render_to_string("issuance/email/issued_subject.txt", context)
        body = render_to_string("issuance/email/issued.txt", context)
    send_mail(" ".join(subject.split()), body, None, [application.contact_email])
