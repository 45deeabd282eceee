"""Background work of the FAQ app: telling a resident the city answered their inquiry."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django_tasks import task

from madoguchi.channels.base import Notice
from madoguchi.channels.services import notify

from .models import InquiryMessage


@task()
def notify_inquiry_answered(message_id: int) -> list[str]:
    """Notify the resident (their channels, their language) that staff answered, with the link
    to the thread. The answer itself is not in the notice: it is read after signing in."""
    message = InquiryMessage.objects.select_related(
        "inquiry__resident", "inquiry__department"
    ).get(pk=message_id)
    inquiry = message.inquiry
    url = settings.SITE_URL.rstrip("/") + reverse("faq:inquiry", args=[inquiry.public_id])
    notice = Notice(
        kind="inquiry.answered",
        template="faq/email/inquiry_answered",
        context={"inquiry": inquiry, "department": inquiry.department, "url": url},
        url=url,
    )
    return notify(notice, user=inquiry.resident, once=f"inquiry.answered:{message_id}")
