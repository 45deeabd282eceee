"""/readyz and the task worker's heartbeat."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from madoguchi.core import health
from madoguchi.core.management.commands import db_worker_heartbeat
from madoguchi.core.models import WorkerHeartbeat

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def needs_worker(settings):
    settings.READYZ_REQUIRE_WORKER = True


@pytest.fixture(autouse=True)
def fresh_migration_check(monkeypatch):
    monkeypatch.setattr(health, "_migrations_applied", False)


def readyz(client):
    response = client.get("/readyz")
    return response, json.loads(response.content)


def test_ready_when_every_check_passes(client, db, needs_worker):
    health.beat("worker-a")
    response, body = readyz(client)
    assert response.status_code == 200
    assert body == {"status": "ok", "checks": {"database": "ok", "storage": "ok",
                                               "migrations": "ok", "worker": "ok"}}
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    assert not default_storage.listdir("health")[1]  # the probe's file is gone


def test_a_stale_heartbeat_is_not_ready(client, db, needs_worker):
    health.beat("worker-a")
    WorkerHeartbeat.objects.update(beat_at=timezone.now() - timedelta(seconds=61))
    response, body = readyz(client)
    assert response.status_code == 503
    assert body["status"] == "fail"
    assert body["checks"]["worker"].startswith("error: no task worker heartbeat")
    assert body["checks"]["database"] == "ok"


def test_one_live_worker_of_several_is_enough(client, db, needs_worker):
    health.beat("worker-a")
    health.beat("worker-b")
    WorkerHeartbeat.objects.filter(worker_id="worker-a").update(
        beat_at=timezone.now() - timedelta(hours=1))
    assert readyz(client)[0].status_code == 200


def test_without_a_database_queue_no_worker_is_needed(client, db, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    response, body = readyz(client)
    assert response.status_code == 200 and body["checks"]["worker"] == "not needed"
    settings.TASKS = DB_TASKS
    assert readyz(client)[0].status_code == 503  # the database queue and no heartbeat


def test_storage_that_refuses_files_is_not_ready(client, db, needs_worker, monkeypatch):
    health.beat("worker-a")

    def refuse(*args, **kwargs):
        raise PermissionError("/var/madoguchi/media: permission denied")

    monkeypatch.setattr(default_storage, "save", refuse)
    response, body = readyz(client)
    assert response.status_code == 503
    assert body["checks"]["storage"] == "error: PermissionError"  # no paths or details


def test_unapplied_migrations_are_not_ready(client, db, needs_worker, monkeypatch):
    health.beat("worker-a")
    monkeypatch.setattr(health, "unapplied_migrations", lambda: 2)
    response, body = readyz(client)
    assert response.status_code == 503
    assert body["checks"]["migrations"] == "error: 2 migrations not applied"


def test_the_real_migration_check_finds_nothing_missing(db):
    assert health.unapplied_migrations() == 0


def test_beat_updates_its_row_and_clears_long_gone_workers(db):
    health.beat("worker-a")
    WorkerHeartbeat.objects.create(worker_id="gone", hostname="old", pid=1,
                                   beat_at=timezone.now() - timedelta(days=2))
    first = WorkerHeartbeat.objects.get(worker_id="worker-a").beat_at
    health.beat("worker-a")
    assert WorkerHeartbeat.objects.get(worker_id="worker-a").beat_at >= first
    health.beat("worker-b")
    assert set(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == {
        "worker-a", "worker-b"}
    health.forget("worker-a")
    assert not WorkerHeartbeat.objects.filter(worker_id="worker-a").exists()


def test_the_heartbeat_thread_beats_until_stopped_then_forgets():
    beats: list[str] = []
    forgotten: list[str] = []
    three = threading.Event()

    def beat(worker_id: str) -> None:
        beats.append(worker_id)
        if len(beats) >= 3:
            three.set()

    recoveries: list[int] = []
    heartbeat = health.Heartbeat("w1", interval=0.01, beat_function=beat,
                                 forget_function=forgotten.append,
                                 recover_function=lambda: recoveries.append(len(beats)),
                                 recover_every=2)
    heartbeat.start()
    assert three.wait(5)
    heartbeat.stop()
    count = len(beats)
    assert forgotten == ["w1"] and set(beats) == {"w1"}
    # Recovery looks right after the first beat, then after every second one.
    assert recoveries[:2] == [1, 3]
    threading.Event().wait(0.05)
    assert len(beats) == count  # no beat after stop


@pytest.mark.django_db(transaction=True)
def test_the_worker_command_beats_in_the_database(settings, monkeypatch):
    settings.TASKS = DB_TASKS

    class KeptHeartbeat(health.Heartbeat):
        def __init__(self, worker_id: str) -> None:
            super().__init__(worker_id, forget_function=lambda _worker_id: None)

    monkeypatch.setattr(db_worker_heartbeat, "Heartbeat", KeptHeartbeat)
    call_command("db_worker_heartbeat", "--batch", "--no-startup-delay", "--worker-id", "w-test",
                 "-v", "0")
    row = WorkerHeartbeat.objects.get(worker_id="w-test")
    assert timezone.now() - row.beat_at < timedelta(seconds=30)


def test_serve_runs_the_worker_with_the_heartbeat():
    from pathlib import Path

    source = Path(db_worker_heartbeat.__file__).with_name("serve.py").read_text()
    assert '"django", "db_worker_heartbeat"' in source
