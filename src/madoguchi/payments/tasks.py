"""Background work for payments: notices to the resident, asking providers about pending ones."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django_tasks import task

from madoguchi.applications.selectors import notice_language
from madoguchi.channels.base import Notice
from madoguchi.channels.services import notify
from madoguchi.core import clocks
from madoguchi.core.i18n import localized

from . import services
from .models import Payment

localized_lazy = lazy(localized, str)
CLOCK_INTERVAL = dt.timedelta(minutes=5)


@task()
def send_payment_notice(payment_id: int, kind: str) -> None:
    """Tell the resident a fee is due (``requested``; ``approved``: the case was approved in
    the same step) or was received (``paid``)."""
    payment = Payment.objects.select_related("application__procedure",
                                             "application__applicant").get(pk=payment_id)
    application = payment.application
    notice = Notice(
        kind=f"payment.{kind}", template=f"payments/email/{kind}",
        url=settings.SITE_URL + reverse("payments:pay", args=[payment.public_id]),
        context={"application": application, "payment": payment,
                 "procedure_name": localized_lazy(application.procedure.name)})
    notify(notice, user=application.applicant, email=application.contact_email,
           language=notice_language(application), once=f"payment.{kind}:{payment_id}")


@task()
def payment_clock() -> None:
    """Ask the providers about stale pending payments, then run again in five minutes.

    This completes a payment whose notification was lost or whose commit failed after the
    provider confirmed it. Started by :func:`start_clock` (``load_demo``, deployment).
    """
    try:
        services.sync_pending()
    finally:  # a failing run must not stop the clock
        clocks.schedule_next(payment_clock, timezone.now() + CLOCK_INTERVAL)


def start_clock() -> bool:
    """Enqueue :func:`payment_clock` unless a run is already waiting. True if queued."""
    return clocks.start_unless_waiting(payment_clock)
