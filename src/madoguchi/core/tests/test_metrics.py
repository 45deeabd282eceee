"""/metrics: who may read it, and what it says (latency by view, counters, queue gauges)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from madoguchi.core import metrics
from madoguchi.reservations import services as reservations
from madoguchi.reservations.tests import factories as f

pytestmark = pytest.mark.django_db
TOKEN = "s3cret-metrics-token-0123456789"


def value(text: str, name: str, labels: str = "") -> float:
    """The value of the sample ``name{labels}`` in an exposition text (0 when absent)."""
    pattern = re.escape(name) + (r"\{" + re.escape(labels) + r"\}" if labels else "") + r" (\S+)"
    found = re.search(r"^" + pattern + r"$", text, re.MULTILINE)
    return float(found[1]) if found else 0.0


def scrape() -> str:
    response = Client(headers={"Authorization": f"Bearer {TOKEN}"}).get("/metrics")
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/plain")
    return response.content.decode()


@pytest.fixture
def token(settings):
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_IPS = []


def test_off_until_configured(client, settings):
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_IPS = "", []
    assert client.get("/metrics").status_code == 404


def test_a_wrong_or_missing_token_is_refused(client, token):
    assert client.get("/metrics").status_code == 403
    wrong = Client(headers={"Authorization": "Bearer nope"}).get("/metrics")
    assert wrong.status_code == 403 and "Bearer" in wrong["WWW-Authenticate"]


def test_allowed_addresses_need_no_token(client, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8"]
    assert client.get("/metrics").status_code == 403  # the test client is 127.0.0.1
    settings.METRICS_ALLOWED_IPS = ["127.0.0.1"]
    assert client.get("/metrics").status_code == 200


def test_latency_is_by_view(client, token):
    client.get("/healthz")
    text = scrape()
    assert value(text, "django_http_requests_latency_seconds_by_view_method_count",
                 'method="GET",view="healthz"') >= 1


def test_submissions_and_bookings_are_counted_when_committed(
        make_application, demo, token, django_capture_on_commit_callbacks):
    before = scrape()
    with django_capture_on_commit_callbacks(execute=True):
        make_application()
    with django_capture_on_commit_callbacks(execute=True):
        reservations.book(f.slot(capacity=2), person=f.person(1), request_token=f.token())
    after = scrape()
    submitted = 'madoguchi_applications_submitted_total'
    assert value(after, submitted, 'channel="online"') == value(
        before, submitted, 'channel="online"') + 1
    assert value(after, "madoguchi_bookings_total", 'channel="web"') == value(
        before, "madoguchi_bookings_total", 'channel="web"') + 1


def test_queue_gauges_come_from_the_database(token):
    now = timezone.now()
    for minutes in (5, 1):
        row = DBTaskResult.objects.create(
            task_path="madoguchi.channels.tasks.send_email", args_kwargs={"args": [], "kwargs": {}},
            queue_name="default", backend_name="default", priority=0, status="READY")
        DBTaskResult.objects.filter(pk=row.pk).update(enqueued_at=now - timedelta(minutes=minutes))
    DBTaskResult.objects.create(
        task_path="madoguchi.channels.tasks.send_email", args_kwargs={"args": [], "kwargs": {}},
        queue_name="default", backend_name="default", priority=0, status="FAILED",
        finished_at=now)
    text = scrape()
    assert value(text, "madoguchi_tasks_ready") == 2
    assert 295 <= value(text, "madoguchi_tasks_oldest_ready_age_seconds") <= 330
    assert value(text, "madoguchi_tasks_failed_last_hour") == 1


def test_a_failed_task_is_counted():
    class Result:
        status = "FAILED"

        class task:
            module_path = "madoguchi.tests.failing"

    before = metrics.TASK_FAILURES.labels(task="madoguchi.tests.failing")._value.get()
    metrics.on_task_finished(sender=None, task_result=Result())
    Result.status = "SUCCESSFUL"
    metrics.on_task_finished(sender=None, task_result=Result())
    assert metrics.TASK_FAILURES.labels(task="madoguchi.tests.failing")._value.get() == before + 1


def test_counters_of_several_processes_add_up(tmp_path, monkeypatch):
    """In multiprocess mode (what serve sets up) the exposition sums every process's counters."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
           "DJANGO_SETTINGS_MODULE": "madoguchi.settings", "MADOGUCHI_TESTING": "1",
           "PYTHONPATH": os.pathsep.join(sys.path)}
    code = ("import django; django.setup(); from madoguchi.core import metrics; "
            "metrics.BOOKINGS.labels(channel='test-multi').inc(2)")
    for _process in range(2):
        subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=120)  # noqa: S603
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    text = metrics.exposition().decode()
    assert value(text, "madoguchi_bookings_total", 'channel="test-multi"') == 4
