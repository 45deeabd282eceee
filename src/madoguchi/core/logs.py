"""JSON logs with a request id, and never anything about a person.

``RequestIdMiddleware`` gives each request an id (the incoming ``X-Request-ID`` when it is a
safe token, such as one a load balancer set; otherwise a new random one), returns it in the
``X-Request-ID`` response header, and writes one line per request to the
``madoguchi.request`` logger: method, the URL *pattern* and view name (never the path itself,
which may hold a token, nor the query string, which may hold what a resident typed), status,
duration and the kind of visitor. ``JsonFormatter`` writes every log record as one JSON object
per line with the id of the request it belongs to (docs/operations.md).
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{7,127}")  # 8 to 128 characters, no spaces
request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
access_logger = logging.getLogger("madoguchi.request")

# Attributes every LogRecord has; anything else was passed with ``extra=`` and is written out.
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message", "asctime", "request_id"}


def safe_request_id(value: str) -> str | None:
    """``value`` when it is a safe token to log and send back, else None."""
    value = value.strip()
    return value if SAFE_ID.fullmatch(value) else None


def current_request_id() -> str:
    """The id of the request this code runs for ("" outside a request)."""
    return request_id_var.get()


class RequestIdFilter(logging.Filter):
    """Adds ``record.request_id`` (the current request's id, or "")."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, request id, extra fields
    and the exception's traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or request_id_var.get() or None,
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                data[key] = value
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            data["stack"] = self.formatStack(record.stack_info)
        return json.dumps(data, ensure_ascii=False, default=str)


def _visitor(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return "anonymous"
    return str(getattr(user, "kind", "user"))


class RequestIdMiddleware:
    """Assigns the request id, sends it back, and logs the request's one access line."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = safe_request_id(request.headers.get(HEADER, "")) or uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[HEADER] = request_id
            match = getattr(request, "resolver_match", None)
            access_logger.info(
                "%s %s %s", request.method, match.view_name if match else "-",
                response.status_code,
                extra={
                    "method": request.method,
                    "route": match.route if match else None,
                    "view": match.view_name if match else None,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "visitor": _visitor(request),
                },
            )
            return response
        finally:
            request_id_var.reset(token)
