"""Background work for applications: the notices the resident receives (e-mail, LINE)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.functional import lazy
from django_tasks import TaskContext, task

from madoguchi.channels.base import Notice
from madoguchi.channels.services import notify
from madoguchi.core import languages
from madoguchi.core.i18n import localized
from madoguchi.forms.models import FormDefinition

from .drafts import RESUME_MAX_AGE
from .models import Application, Status, StatusEvent
from .selectors import notice_language

# Rendered in the recipient's language, which notify() activates after the notice is built.
localized_lazy = lazy(localized, str)


def _notify(application, kind: str, template: str, context: dict, once: str) -> None:
    url = ""
    if application.applicant_id:
        url = settings.SITE_URL + reverse("applications:detail", args=[application.public_id])
    notice = Notice(kind=kind, template=f"applications/email/{template}", url=url, context={
        "application": application,
        "procedure_name": localized_lazy(application.procedure.name),
        **context,
    })
    notify(notice, user=application.applicant, email=application.contact_email,
           language=notice_language(application), once=once)


@task()
def send_receipt_email(application_id: int) -> None:
    """Tell the resident their application was received, with its receipt number."""
    # The department is named in the mail.
    application = Application.objects.select_related(
        "procedure", "applicant__resident_profile", "department").get(pk=application_id)
    _notify(application, "application.received", "received", {},
            once=f"application.received:{application_id}")


@task()
def send_status_email(event_id: int) -> None:
    """Tell the resident their application's status changed (and why, if a reason was given).

    A return for correction (差戻し) is its own kind of notice, ``correction.requested``.
    """
    event = StatusEvent.objects.select_related(
        "application__procedure", "application__applicant__resident_profile"
    ).get(pk=event_id)
    kind = "correction.requested" if event.to_status == Status.RETURNED else "application.status"
    _notify(event.application, kind, "status", {"event": event},
            once=f"application.status:{event_id}")


@task(takes_context=True)
def send_resume_link(context: TaskContext, email: str, form_id: int, path: str,
                     language: str = languages.BASE_LANGUAGE) -> None:
    """Send a visitor the link that continues their saved answers (it expires)."""
    form = FormDefinition.objects.get(pk=form_id)
    url = settings.SITE_URL.rstrip("/") + path
    notice = Notice(kind="application.resume_link", template="applications/email/resume",
                    url=url, context={"form_title": localized_lazy(form.title), "url": url,
                                      "days": RESUME_MAX_AGE.days})
    # Only to the address typed on the form, never another channel: the visitor asked for it.
    notify(notice, email=email, language=languages.normalize(language) or languages.BASE_LANGUAGE,
           once=f"task:{context.task_result.id}")
