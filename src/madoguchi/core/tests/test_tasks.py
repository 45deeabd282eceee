"""Enqueueing a task by its dotted path (services that their own task module calls back)."""

from __future__ import annotations

import pytest
from django.utils.module_loading import import_string

from madoguchi.channels import services as channel_services
from madoguchi.channels import tasks as channel_tasks
from madoguchi.core.tasks import enqueue_with_transaction
from madoguchi.reservations import services as reservation_services
from madoguchi.reservations import tasks as reservation_tasks


def test_the_task_names_services_enqueue_are_the_tasks():
    assert import_string(channel_services.PUSH_TASK) is channel_tasks.push_line_message
    assert (import_string(reservation_services.NOTICE_TASK)
            is reservation_tasks.send_reservation_notice)


def test_a_task_named_by_its_path_runs_after_commit(db, monkeypatch,
                                                    django_capture_on_commit_callbacks):
    pushed: list[int] = []
    monkeypatch.setattr(channel_services, "attempt_push", lambda push_id: pushed.append(push_id))
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_with_transaction(channel_services.PUSH_TASK, push_id=7)
        assert pushed == []
    assert pushed == [7]


def test_a_path_that_names_no_task_is_refused():
    with pytest.raises(TypeError):
        enqueue_with_transaction("madoguchi.core.tasks.enqueue_with_transaction")
