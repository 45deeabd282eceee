"""Tasks left RUNNING by a worker killed with SIGKILL are run once more by another worker."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from madoguchi.core import task_recovery
from madoguchi.core.metrics import TASKS_RECOVERED
from madoguchi.core.models import MailboxMessage, WorkerHeartbeat
from madoguchi.core.tests.recovery_tasks import leave_a_mark

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
TASK_PATH = "madoguchi.core.tests.recovery_tasks.leave_a_mark"


@pytest.fixture
def db_tasks(settings):
    settings.TASKS = DB_TASKS
    settings.TASK_RECOVERY_AFTER_SECONDS = 120
    settings.TASK_RECOVERY_MAX_ATTEMPTS = 3


def running(label: str, workers: list[str], started_ago: timedelta) -> DBTaskResult:
    """A task claimed by ``workers`` (the last one is running it), started ``started_ago``."""
    result = leave_a_mark.enqueue(label=label)
    DBTaskResult.objects.filter(pk=result.id).update(
        status="RUNNING", worker_ids=workers, started_at=timezone.now() - started_ago
    )
    return DBTaskResult.objects.get(pk=result.id)


def heartbeat(worker_id: str, ago: timedelta) -> None:
    WorkerHeartbeat.objects.create(
        worker_id=worker_id, hostname="test", pid=1, beat_at=timezone.now() - ago
    )


def recovered_count(task_path: str, outcome: str) -> float:
    return TASKS_RECOVERED.labels(task=task_path, outcome=outcome)._value.get()


@pytest.mark.django_db(transaction=True)
def test_a_dead_workers_task_runs_once_more_and_a_live_workers_is_left(db_tasks, caplog):
    minutes = timedelta(minutes=10)
    dead = running("dead", ["w-dead"], minutes)
    heartbeat("w-dead", minutes)
    alive = running("alive", ["w-alive"], minutes)  # a long task: its worker still beats
    heartbeat("w-alive", timedelta(seconds=5))
    gone = running("gone", ["w-gone"], minutes)  # its heartbeat row is gone too
    young = running("young", ["w-young"], timedelta(seconds=10))  # may not have beaten yet
    before = recovered_count(TASK_PATH, "requeued")

    with caplog.at_level(logging.WARNING, logger="madoguchi.core.task_recovery"):
        recovered = task_recovery.recover_stale_tasks()

    assert {r.task_id for r in recovered} == {str(dead.pk), str(gone.pk)}
    assert all(r.requeued and r.attempts == 1 for r in recovered)
    statuses = dict(DBTaskResult.objects.values_list("id", "status"))
    assert statuses[dead.pk] == statuses[gone.pk] == "READY"
    assert statuses[alive.pk] == statuses[young.pk] == "RUNNING"
    assert recovered_count(TASK_PATH, "requeued") == before + 2
    assert sum("queued again (run 2)" in r.getMessage() for r in caplog.records) == 2
    assert task_recovery.recover_stale_tasks() == []  # nothing twice

    call_command("db_worker", "--batch", "--no-startup-delay", "--worker-id", "w-new", "-v", "0")
    assert sorted(MailboxMessage.objects.values_list("subject", flat=True)) == ["dead", "gone"]
    for result in DBTaskResult.objects.filter(pk__in=[dead.pk, gone.pk]):
        assert result.status == "SUCCESSFUL"
        assert result.worker_ids[-1] == "w-new" and len(result.worker_ids) == 2
    assert DBTaskResult.objects.get(pk=alive.pk).status == "RUNNING"


@pytest.mark.django_db(transaction=True)
def test_a_task_whose_workers_keep_dying_is_failed(db_tasks):
    doomed = running("doomed", ["w1", "w2", "w3"], timedelta(minutes=5))
    before = recovered_count(TASK_PATH, "failed")

    [item] = task_recovery.recover_stale_tasks()

    assert not item.requeued and item.attempts == 3
    doomed.refresh_from_db()
    assert doomed.status == "FAILED" and doomed.finished_at is not None
    assert doomed.exception_class_path == task_recovery.WORKER_LOST
    assert recovered_count(TASK_PATH, "failed") == before + 1


@pytest.mark.django_db(transaction=True)
def test_the_threshold_is_a_setting(db_tasks, settings):
    stale = running("stale", ["w-quiet"], timedelta(seconds=90))
    heartbeat("w-quiet", timedelta(seconds=90))
    assert task_recovery.recover_stale_tasks() == []  # 90 s < 120 s
    settings.TASK_RECOVERY_AFTER_SECONDS = 60
    assert [r.task_id for r in task_recovery.recover_stale_tasks()] == [str(stale.pk)]


@pytest.mark.django_db(transaction=True)
def test_a_task_claimed_again_meanwhile_is_not_touched(db_tasks, monkeypatch):
    """Two workers recover at once: the second one's conditional update finds nothing."""
    result = running("raced", ["w-dead"], timedelta(minutes=10))
    real_filter = DBTaskResult.objects.filter

    def claimed_again_first(*args, **kwargs):
        if "pk" in kwargs:  # the conditional update: another worker re-ran it just before
            DBTaskResult.objects.all().update(
                started_at=timezone.now(), worker_ids=["w-dead", "w-2"]
            )
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(DBTaskResult.objects, "filter", claimed_again_first)
    assert task_recovery.recover_stale_tasks() == []
    result.refresh_from_db()
    assert result.status == "RUNNING" and result.worker_ids == ["w-dead", "w-2"]
