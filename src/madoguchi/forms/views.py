"""Small JSON endpoints used by the form pages' scripts (the pages work without them)."""

from __future__ import annotations

from dataclasses import asdict

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from madoguchi.jp.address import lookup_postal_code


@require_GET
def postal_lookup(request: HttpRequest, code: str) -> JsonResponse:
    """The addresses a postal code may mean: {"candidates": [...]}, or 404 when none."""
    candidates = lookup_postal_code(code) if len(code) <= 16 else []
    if not candidates:
        return JsonResponse({"candidates": []}, status=404)
    response = JsonResponse({"candidates": [asdict(c) for c in candidates]})
    response["Cache-Control"] = "public, max-age=86400"
    return response
