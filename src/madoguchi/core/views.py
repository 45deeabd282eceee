"""Site-wide views: CSRF failure and health check."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from . import health


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A plain-language page instead of Django's technical 403 when a form has expired."""
    return render(request, "core/csrf_failure.html", status=403)


def healthz(request: HttpRequest) -> HttpResponse:
    """Alive: the process answers and reaches its database (cheap: for frequent probes)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request: HttpRequest) -> HttpResponse:
    """Ready to serve: each check of ``health.readiness()`` by name; 200 when all pass, else 503."""
    result = health.readiness()
    return JsonResponse({"status": "ok" if result.ready else "fail", "checks": result.checks},
                        status=200 if result.ready else 503)
