"""The benchmark floor endpoint."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from . import probe
from .models import BenchFloorRow


@csrf_exempt
@require_POST
def bench_floor(request: HttpRequest) -> HttpResponse:
    """Insert one row: the floor the submit benchmark compares against (bench only)."""
    if not settings.BENCH:
        raise Http404
    row = BenchFloorRow.objects.create(payload=request.POST.get("payload", "")[:200])
    return JsonResponse({"id": row.pk})


@require_GET
def display_queries(request: HttpRequest) -> HttpResponse:
    """This worker's count of calling-display requests and their queries (bench only)."""
    if not settings.BENCH:
        raise Http404
    return JsonResponse(probe.totals())
