"""Background work for applications: the e-mails the resident receives."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

from madoguchi.core.i18n import localized


def _language_of(application) -> str:  # noqa: ANN001 - avoids an import cycle with models
    profile = getattr(application.applicant, "resident_profile", None)
    return profile.preferred_language if profile else settings.LANGUAGE_CODE


def _send(application, template: str, context: dict) -> None:  # noqa: ANN001
    from madoguchi.catalog.selectors import get_city

    with translation.override(_language_of(application)):
        context = {
            "application": application,
            "procedure_name": localized(application.procedure.name),
            "city": get_city(),
            "site_url": settings.SITE_URL,
            **context,
        }
        subject = render_to_string(f"applications/email/{template}_subject.txt", context)
        body = render_to_string(f"applications/email/{template}.txt", context)
    send_mail(" ".join(subject.split()), body, None, [application.contact_email])


@task()
def send_receipt_email(application_id: int) -> None:
    """Tell the resident their application was received, with its receipt number."""
    from .models import Application

    application = Application.objects.select_related("procedure", "applicant").get(
        pk=application_id
    )
    _send(application, "received", {})


@task()
def send_status_email(event_id: int) -> None:
    """Tell the resident their application's status changed (and why, if a reason was given)."""
    from .models import StatusEvent

    event = StatusEvent.objects.select_related(
        "application__procedure", "application__applicant"
    ).get(pk=event_id)
    _send(event.application, "status", {"event": event})


@task()
def send_resume_link(email: str, form_id: int, path: str, language: str = "ja") -> None:
    """Send a visitor the link that continues their saved answers (it expires)."""
    from madoguchi.catalog.selectors import get_city
    from madoguchi.forms.models import FormDefinition

    from .drafts import RESUME_MAX_AGE

    form = FormDefinition.objects.get(pk=form_id)
    context = {"form_title": localized(form.title), "city": get_city(),
               "url": settings.SITE_URL.rstrip("/") + path, "days": RESUME_MAX_AGE.days}
    with translation.override(language if language in ("ja", "en") else "ja"):
        context["form_title"] = localized(form.title)
        subject = render_to_string("applications/email/resume_subject.txt", context)
        body = render_to_string("applications/email/resume.txt", context)
    send_mail(" ".join(subject.split()), body, None, [email])
