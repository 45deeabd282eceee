"""Background work for the channels: LINE pushes, retried with backoff."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from . import services


@task()
def push_line_message(push_id: int) -> None:
    """Send one recorded LINE push; on a temporary failure, enqueue the next attempt."""
    delay = services.attempt_push(push_id)
    if delay is None:
        return
    backend = push_line_message.get_backend()
    if backend.supports_defer:
        push_line_message.using(run_after=timezone.now() + delay).enqueue(push_id=push_id)
    else:  # the immediate backend (tests): try again at once, the attempt limit still holds
        push_line_message.enqueue(push_id=push_id)
