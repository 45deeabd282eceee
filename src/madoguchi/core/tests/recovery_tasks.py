"""A task for the recovery tests: each run leaves one mailbox message behind."""

from __future__ import annotations

from django_tasks import task

from madoguchi.core.models import MailboxMessage


@task()
def leave_a_mark(label: str) -> None:
    MailboxMessage.objects.create(from_email="worker@test", to="test", subject=label, body="")
