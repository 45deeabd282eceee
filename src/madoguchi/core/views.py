"""Site-wide views: CSRF failure, health check, the demo mailbox and the bench floor."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .models import BenchFloorRow, MailboxMessage


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A plain-language page instead of Django's technical 403 when a form has expired."""
    return render(request, "core/csrf_failure.html", status=403)


def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def demo_mailbox(request: HttpRequest) -> HttpResponse:
    """Every e-mail the demo sent, so a visitor can follow the resident's side (demo only)."""
    if not settings.DEMO:
        raise Http404
    return render(
        request, "core/demo_mailbox.html", {"messages_sent": MailboxMessage.objects.all()[:50]}
    )


@csrf_exempt
@require_POST
def bench_floor(request: HttpRequest) -> HttpResponse:
    """Insert one row: the floor the submit benchmark compares against (bench only)."""
    if not settings.BENCH:
        raise Http404
    row = BenchFloorRow.objects.create(payload=request.POST.get("payload", "")[:200])
    return JsonResponse({"id": row.pk})
