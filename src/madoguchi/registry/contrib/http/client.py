"""The HTTP side of the registry connector: configuration, TLS, timeouts, retries and the breaker.

Standard library only (``http.client`` and ``ssl``): it logs nothing by itself, so no URL with a
resident's name in its query string reaches a log. Every request is a GET, a read that is safe
to repeat, and only GETs are retried.

What is logged (warnings): the operation (``find``, ``household``, ``changes``), the HTTP status
or the kind of error, and the attempt. Never a URL, a query, a header or a body.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import logging
import ssl
import string
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from django.core.exceptions import ImproperlyConfigured

from madoguchi.registry.plugins import ConnectorError

logger = logging.getLogger(__name__)

# The endpoints, relative to the base URL; a city whose API differs sets its own templates.
DEFAULT_PATHS: Mapping[str, str] = {
    "find": "/residents",
    "household": "/households/{household_id}",
    "changes": "/changes",
}
PATH_PLACEHOLDERS: Mapping[str, frozenset[str]] = {
    "find": frozenset(),
    "household": frozenset({"household_id"}),
    "changes": frozenset(),
}
MAX_BODY = 16 * 1024 * 1024  # one answer (a page of changes) larger than this is refused
MAX_BACKOFF = 5.0
LOOPBACK_NAMES = frozenset({"localhost"})

Clock = Callable[[], float]
Sleep = Callable[[float], None]


@dataclass(frozen=True)
class HttpConfig:
    """How to reach the core system's API (see docs/registry-http.md for each setting)."""

    url: str
    token: str = ""
    client_cert: str = ""
    client_key: str = ""
    ca_bundle: str = ""
    connect_timeout: float = 3.0
    read_timeout: float = 10.0
    retries: int = 2
    backoff: float = 0.2
    failure_threshold: int = 5
    cool_down: float = 30.0
    paths: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_PATHS))
    fields: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        parts = urlsplit(self.url)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise ImproperlyConfigured("REGISTRY_HTTP URL must be an https:// URL")
        if parts.query or parts.fragment:
            raise ImproperlyConfigured("REGISTRY_HTTP URL takes no query or fragment")
        if parts.scheme == "http" and not _is_loopback(parts.hostname):
            raise ImproperlyConfigured(
                "REGISTRY_HTTP URL must use https:// (plain http:// only to this machine, "
                "e.g. a local TLS proxy)")
        if self.client_key and not self.client_cert:
            raise ImproperlyConfigured("REGISTRY_HTTP CLIENT_KEY needs CLIENT_CERT")
        if min(self.connect_timeout, self.read_timeout) <= 0:
            raise ImproperlyConfigured("REGISTRY_HTTP timeouts must be positive")
        if self.retries < 0 or self.backoff < 0 or self.cool_down < 0:
            raise ImproperlyConfigured("REGISTRY_HTTP RETRIES, BACKOFF and COOL_DOWN must not "
                                       "be negative")
        if self.failure_threshold < 1:
            raise ImproperlyConfigured("REGISTRY_HTTP FAILURE_THRESHOLD must be at least 1")
        unknown = set(self.paths) - set(DEFAULT_PATHS)
        if unknown:
            raise ImproperlyConfigured(f"REGISTRY_HTTP PATHS: unknown endpoints {sorted(unknown)}")
        for name, template in {**DEFAULT_PATHS, **self.paths}.items():
            if not template.startswith("/"):
                raise ImproperlyConfigured(f"REGISTRY_HTTP PATHS[{name!r}] must start with /")
            try:
                used = {f for _t, f, _s, _c in string.Formatter().parse(template) if f is not None}
            except ValueError as exc:
                raise ImproperlyConfigured(f"REGISTRY_HTTP PATHS[{name!r}]: {exc}") from None
            if used != PATH_PLACEHOLDERS[name]:
                wanted = ", ".join(f"{{{p}}}" for p in sorted(PATH_PLACEHOLDERS[name])) or "none"
                raise ImproperlyConfigured(
                    f"REGISTRY_HTTP PATHS[{name!r}] placeholders must be: {wanted}")

    def path(self, name: str) -> str:
        return self.paths.get(name, DEFAULT_PATHS[name])

    @classmethod
    def from_settings(cls, values: Mapping[str, Any]) -> HttpConfig | None:
        """The configuration of ``settings.REGISTRY_HTTP`` (values as strings from the
        environment, or typed), or None when no URL is set. Raises ImproperlyConfigured."""
        known = {"URL", "TOKEN", "CLIENT_CERT", "CLIENT_KEY", "CA_BUNDLE", "CONNECT_TIMEOUT",
                 "READ_TIMEOUT", "RETRIES", "BACKOFF", "FAILURE_THRESHOLD", "COOL_DOWN",
                 "PATHS", "FIELDS"}
        unknown = set(values) - known
        if unknown:
            raise ImproperlyConfigured(f"REGISTRY_HTTP: unknown settings {sorted(unknown)}")
        url = str(values.get("URL") or "").strip()
        if not url:
            if any(v not in (None, "") for v in values.values()):
                raise ImproperlyConfigured("REGISTRY_HTTP: settings given without a URL")
            return None
        kwargs: dict[str, Any] = {"url": url}
        for key in ("TOKEN", "CLIENT_CERT", "CLIENT_KEY", "CA_BUNDLE"):
            kwargs[key.lower()] = str(values.get(key) or "").strip()
        for key, convert in (("CONNECT_TIMEOUT", float), ("READ_TIMEOUT", float),
                             ("RETRIES", int), ("BACKOFF", float),
                             ("FAILURE_THRESHOLD", int), ("COOL_DOWN", float)):
            if values.get(key) not in (None, ""):
                try:
                    kwargs[key.lower()] = convert(values[key])
                except (TypeError, ValueError):
                    raise ImproperlyConfigured(f"REGISTRY_HTTP {key} is not a number") from None
        for key in ("PATHS", "FIELDS"):
            kwargs[key.lower()] = _string_map(key, values.get(key))
        return cls(**kwargs)


def _string_map(key: str, value: Any) -> dict[str, str]:
    if value in (None, ""):
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise ImproperlyConfigured(f"REGISTRY_HTTP {key} is not JSON") from None
    if not (isinstance(value, dict)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())):
        raise ImproperlyConfigured(f"REGISTRY_HTTP {key} must map names to strings")
    return value


def _is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class CircuitOpen(ConnectorError):
    """The breaker is open: the core system failed repeatedly and is left alone for a while."""


class CircuitBreaker:
    """Closed, open or half-open, shared by the threads of one process.

    After ``threshold`` consecutive failed calls the breaker opens: calls are refused at once
    (no request) for ``cool_down`` seconds. Then it half-opens: one trial call goes through
    (the others are still refused); its success closes the breaker, its failure opens it again.
    """

    def __init__(self, threshold: int, cool_down: float, clock: Clock = time.monotonic) -> None:
        self.threshold = threshold
        self.cool_down = cool_down
        self.clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._opened_at: float | None = None
        self._trial = False

    @property
    def state(self) -> str:
        with self._lock:
            if self._opened_at is None:
                return "closed"
            if self._trial or self.clock() - self._opened_at >= self.cool_down:
                return "half-open"
            return "open"

    def acquire(self) -> bool:
        """Let a call through, or raise :class:`CircuitOpen`. True for the half-open trial."""
        with self._lock:
            if self._opened_at is None:
                return False
            if self._trial or self.clock() - self._opened_at < self.cool_down:
                raise CircuitOpen("the registry API failed repeatedly; not asking it for now")
            self._trial = True
            return True

    def succeeded(self) -> None:
        with self._lock:
            self._failures, self._opened_at, self._trial = 0, None, False

    def failed(self) -> None:
        with self._lock:
            self._failures += 1
            if self._trial or self._failures >= self.threshold:
                self._opened_at = self.clock()
            self._trial = False


class _Unavailable(Exception):
    """One attempt failed in a way worth retrying (no answer, timeout, 5xx)."""


class RegistryClient:
    """GETs JSON from the core system's API with timeouts, retries and a circuit breaker."""

    def __init__(self, config: HttpConfig, *, clock: Clock = time.monotonic,
                 sleep: Sleep = time.sleep) -> None:
        self.config = config
        self.sleep = sleep
        self.breaker = CircuitBreaker(config.failure_threshold, config.cool_down, clock)
        parts = urlsplit(config.url)
        self._https = parts.scheme == "https"
        self._host = parts.hostname or ""
        self._port = parts.port
        self._base_path = parts.path.rstrip("/")
        self._ssl = self._ssl_context() if self._https else None
        self._headers = {"Accept": "application/json", "User-Agent": "madoguchi-registry"}
        if config.token:
            self._headers["Authorization"] = f"Bearer {config.token}"

    def _ssl_context(self) -> ssl.SSLContext:
        config = self.config
        try:
            context = ssl.create_default_context(cafile=config.ca_bundle or None)
            if config.client_cert:
                context.load_cert_chain(config.client_cert, config.client_key or None)
        except (OSError, ssl.SSLError) as exc:
            raise ImproperlyConfigured(
                f"REGISTRY_HTTP: cannot load the CA bundle or client certificate ({exc})"
            ) from None
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        return context

    def target(self, name: str, params: Mapping[str, str], **placeholders: str) -> str:
        """The request target of endpoint ``name`` (path and query, every value quoted)."""
        path = self.config.path(name).format(
            **{k: quote(v, safe="") for k, v in placeholders.items()})
        query = urlencode(params)
        if query:
            path += ("&" if "?" in path else "?") + query
        return self._base_path + path

    def get_json(self, name: str, target: str, *, missing_ok: bool = False) -> Any:
        """The decoded JSON answer to ``GET target`` (``name`` is the operation, for the
        logs); None for a 404 when ``missing_ok``. Raises :class:`ConnectorError`."""
        trial = self.breaker.acquire()
        try:
            status, body = self._get(name, target, attempts=1 if trial else
                                     1 + self.config.retries)
        except _Unavailable as exc:
            self.breaker.failed()
            raise ConnectorError(f"registry API {name}: {exc}") from None
        except BaseException:
            self.breaker.failed()
            raise
        if status == 404 and missing_ok:
            self.breaker.succeeded()
            return None
        if not 200 <= status < 300:
            # The API answered: it is up, the request was refused (a 4xx is never retried).
            self.breaker.succeeded()
            logger.warning("registry API %s: HTTP %s", name, status)
            raise ConnectorError(f"registry API {name}: HTTP {status}")
        try:
            data = json.loads(body)
        except ValueError:  # the message would hold nothing of the body, but keep it out
            self.breaker.failed()
            logger.warning("registry API %s: the answer is not JSON", name)
            raise ConnectorError(f"registry API {name}: the answer is not JSON") from None
        self.breaker.succeeded()
        return data

    def _get(self, name: str, target: str, *, attempts: int) -> tuple[int, bytes]:
        for attempt in range(1, attempts + 1):
            try:
                status, body = self._attempt(target)
                if status < 500:
                    return status, body
                problem = f"HTTP {status}"
            except (OSError, http.client.HTTPException) as exc:
                problem = _describe(exc)
            logger.warning("registry API %s: %s (attempt %d of %d)", name, problem, attempt,
                           attempts)
            if attempt == attempts:
                raise _Unavailable(problem)
            self.sleep(min(self.config.backoff * 2 ** (attempt - 1), MAX_BACKOFF))
        raise AssertionError("unreachable")  # the loop returns or raises

    def _attempt(self, target: str) -> tuple[int, bytes]:
        connection: http.client.HTTPConnection
        if self._ssl is not None:
            connection = http.client.HTTPSConnection(
                self._host, self._port, timeout=self.config.connect_timeout, context=self._ssl)
        else:
            connection = http.client.HTTPConnection(
                self._host, self._port, timeout=self.config.connect_timeout)
        try:
            connection.connect()  # TCP and TLS handshake under the connect timeout
            if connection.sock is not None:
                connection.sock.settimeout(self.config.read_timeout)
            connection.request("GET", target, headers=self._headers)
            response = connection.getresponse()
            body = response.read(MAX_BODY + 1)
            if len(body) > MAX_BODY:
                raise http.client.HTTPException(f"answer larger than {MAX_BODY} bytes")
            return response.status, body
        finally:
            connection.close()


def _describe(exc: BaseException) -> str:
    """The kind of a transport error, without anything the request carried."""
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, ssl.SSLError):
        return f"TLS error ({exc.reason or type(exc).__name__})"
    if isinstance(exc, ConnectionError):
        return f"connection failed ({type(exc).__name__})"
    if isinstance(exc, http.client.HTTPException):
        return f"bad answer ({type(exc).__name__})"
    return f"network error ({type(exc).__name__})"
