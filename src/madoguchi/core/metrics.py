"""Prometheus metrics for the operator (docs/operations.md).

* Request latency by view and method: django-prometheus's middleware
  (``django_http_requests_latency_seconds_by_view_method``).
* Counters of this process, summed over every process of the machine in multiprocess mode
  (``PROMETHEUS_MULTIPROC_DIR``, which ``manage.py serve`` sets for its children):
  ``madoguchi_applications_submitted_total``, ``madoguchi_bookings_total``,
  ``madoguchi_task_failures_total`` and ``madoguchi_tasks_recovered_total`` (tasks of dead
  workers, core.task_recovery). Each is counted when its transaction commits.
* Gauges read from the shared database at each scrape, so every server reports the same queue:
  ``madoguchi_tasks_ready``, ``madoguchi_tasks_oldest_ready_age_seconds``,
  ``madoguchi_tasks_failed_last_hour``.

``/metrics`` answers only when the operator configured who may read it: a bearer token
(``MADOGUCHI_METRICS_TOKEN``) or client addresses (``MADOGUCHI_METRICS_ALLOWED_IPS``); 404
otherwise. The metrics carry counts and timings only, never anything about a person.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Min
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django_tasks import TaskResultStatus
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from .client_address import real_client_ip

logger = logging.getLogger(__name__)

APPLICATIONS_SUBMITTED = Counter(
    "madoguchi_applications_submitted", "Applications submitted (committed).", ["channel"])
BOOKINGS = Counter("madoguchi_bookings", "Bookings made (committed).", ["channel"])
TASK_FAILURES = Counter("madoguchi_task_failures", "Background tasks that failed.", ["task"])
TASKS_RECOVERED = Counter(
    "madoguchi_tasks_recovered",
    "Tasks left running by a dead worker: queued again, or failed after too many deaths.",
    ["task", "outcome"])


def count_on_commit(counter: Counter, **labels: str) -> None:
    """Add one to ``counter`` when the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: counter.labels(**labels).inc())


class QueueCollector(Collector):
    """The database task queue, read at each scrape (the same figures from every server)."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from django_tasks_db.models import DBTaskResult  # the app registry is ready by now

        try:
            now = timezone.now()
            ready = DBTaskResult.objects.ready()
            count = ready.count()
            oldest = ready.aggregate(oldest=Min("enqueued_at"))["oldest"]
            failed = DBTaskResult.objects.failed().filter(
                finished_at__gte=now - timedelta(hours=1)).count()
        except DatabaseError as error:
            logger.warning("queue metrics unavailable: %s", type(error).__name__)
            return
        yield GaugeMetricFamily("madoguchi_tasks_ready",
                                "Tasks waiting in the database queue, ready to run.", value=count)
        yield GaugeMetricFamily(
            "madoguchi_tasks_oldest_ready_age_seconds",
            "Seconds the oldest ready task has waited (0 when none waits).",
            value=(now - oldest).total_seconds() if oldest else 0.0)
        yield GaugeMetricFamily("madoguchi_tasks_failed_last_hour",
                                "Tasks that failed in the last hour.", value=failed)


_queue_registry = CollectorRegistry(auto_describe=False)
_queue_registry.register(QueueCollector())


def exposition() -> bytes:
    """The text of every metric: this process's (or, in multiprocess mode, every process's on
    this machine) followed by the queue gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry = REGISTRY
    return generate_latest(registry) + generate_latest(_queue_registry)


def _allowed(request: HttpRequest) -> bool:
    """The bearer token matches, or the client's address is in the allowed networks."""
    token = getattr(settings, "METRICS_TOKEN", "")
    if token:
        given = request.headers.get("Authorization", "")
        if given.startswith("Bearer ") and hmac.compare_digest(
                given.removeprefix("Bearer ").strip().encode(), token.encode()):
            return True
    networks = getattr(settings, "METRICS_ALLOWED_IPS", [])
    if networks:
        client = real_client_ip(request)
        if client:
            address = ipaddress.ip_address(client)
            return any(address in ipaddress.ip_network(net, strict=False) for net in networks)
    return False


def enabled() -> bool:
    """Whether the operator configured who may read ``/metrics``."""
    return bool(getattr(settings, "METRICS_TOKEN", "") or
                getattr(settings, "METRICS_ALLOWED_IPS", []))


@never_cache
def metrics_view(request: HttpRequest) -> HttpResponse:
    """``/metrics`` for Prometheus: 404 unless configured, 403 for anyone not allowed."""
    if not enabled():
        raise Http404
    if not _allowed(request):
        response = HttpResponse("forbidden\n", status=403, content_type="text/plain")
        if getattr(settings, "METRICS_TOKEN", ""):
            response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)


def on_task_finished(sender: Any, task_result: Any, **kwargs: Any) -> None:
    """django-tasks' ``task_finished`` signal: count a failed task by its name."""
    if task_result.status == TaskResultStatus.FAILED:
        TASK_FAILURES.labels(task=task_result.task.module_path[:200]).inc()
