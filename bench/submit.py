#!/usr/bin/env python3
"""Submit benchmark: how fast residents can submit the tsugaku-hojo form, against a floor.

Run with no arguments (``make bench`` or ``.venv/bin/python bench/submit.py``). It starts the
demo server the way ``make demo`` does (``manage.py serve``) on a free port of 127.0.0.1 with a
fresh database, prepares one finished draft per submit, then measures, with the same N
concurrent clients on the same server:

* floor:  ``POST /bench/floor/`` (one row inserted, JSON answer);
* submit: the final ``POST /apply/tsugaku-hojo/check/`` that turns a finished draft into an
  application with a receipt number (302 to ``/my/applications/<uuid>/submitted/``).

It prints one ``name: value`` figure per line; the last line is ``ratio:`` = submit/s ÷ floor/s.
It exits non-zero when any request failed or the stored applications do not match the
successful submits. See bench/README.md for the method and the settings (environment variables).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent

try:
    import httpx
except ImportError:  # started with a Python that is not the project's virtualenv
    # Only here: bench/ is on sys.path when a bench runs as a script, not when a test loads this.
    from _django import rerun_under_project_venv

    rerun_under_project_venv("httpx")

FORM_SLUG = "tsugaku-hojo"
HOST = "127.0.0.1"
LOCAL_DB_HOSTS = {"", "127.0.0.1", "localhost", "::1"}
SUBMITTED_PATH = re.compile(r"^/my/applications/[0-9a-f-]{36}/submitted/$")


def env_int(name: str, default: int, minimum: int = 1) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        sys.exit(f"{name} must be a whole number, not {value!r}")
    if number < minimum:
        sys.exit(f"{name} must be at least {minimum}")
    return number


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = float(value)
    except ValueError:
        sys.exit(f"{name} must be a number, not {value!r}")
    if number <= 0:
        sys.exit(f"{name} must be positive")
    return number


CLIENTS = env_int("BENCH_CLIENTS", 16)
SUBMITS = env_int("BENCH_SUBMITS", CLIENTS * 50)  # total, spread over the clients
PHASE_TIME_LIMIT = env_float("BENCH_TIME_LIMIT", 180.0)  # seconds, per phase
STARTUP_TIME_LIMIT = env_float("BENCH_STARTUP_TIME_LIMIT", 180.0)
REQUEST_TIMEOUT = 30.0
STOP = threading.Event()  # set when the benchmark is interrupted


def log(message: str) -> None:
    """Progress goes to stderr; stdout holds only the ``name: value`` figures."""
    print(f"[bench] {message}", file=sys.stderr, flush=True)


class BenchError(Exception):
    """Setup failed: the benchmark cannot produce figures."""


# --- The database ------------------------------------------------------------------------


@dataclass
class Database:
    """A fresh database for this run: an SQLite file in the temporary var dir, or a new
    PostgreSQL database on the server of DATABASE_URL (created and dropped by this script)."""

    kind: str
    url: str | None = None  # DATABASE_URL for the server (PostgreSQL only)
    admin_url: str | None = None
    name: str = ""
    created: bool = False

    @classmethod
    def from_environment(cls) -> Database:
        server_url = os.environ.get("DATABASE_URL", "").strip()
        if not server_url:
            return cls(kind="sqlite")
        parts = urlsplit(server_url)
        if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
            raise BenchError(f"DATABASE_URL must be a PostgreSQL URL, not {parts.scheme}://")
        if (parts.hostname or "") not in LOCAL_DB_HOSTS:
            raise BenchError(f"the benchmark only talks to 127.0.0.1; DATABASE_URL host is "
                             f"{parts.hostname!r}")
        name = f"madoguchi_bench_{os.getpid()}"
        return cls(
            kind="postgresql",
            url=urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, "")),
            admin_url=urlunsplit(("postgresql", parts.netloc, "/postgres", parts.query, "")),
            name=name,
        )

    def create(self) -> None:
        if self.kind != "postgresql":
            return
        import psycopg

        try:
            with psycopg.connect(self.admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.name}"')
                conn.execute(f'CREATE DATABASE "{self.name}"')
            self.created = True
        except psycopg.Error as exc:
            raise BenchError(f"cannot create the database {self.name}: {exc}") from exc
        log(f"created PostgreSQL database {self.name}")

    def drop(self) -> None:
        if not self.created:
            return
        import psycopg

        try:
            with psycopg.connect(self.admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            log(f"dropped PostgreSQL database {self.name}")
        except psycopg.Error as exc:
            log(f"could not drop database {self.name}: {exc}")


# --- The server ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def server_environment(db: Database, var_dir: Path, port: int) -> dict[str, str]:
    env = dict(os.environ)
    # Measure the demo configuration, whatever the calling shell had set for tests.
    for name in ("MADOGUCHI_TESTING", "MADOGUCHI_DEBUG", "DATABASE_URL", "HOST"):
        env.pop(name, None)
    env.update({
        "MADOGUCHI_DEMO": "1",
        "MADOGUCHI_BENCH": "1",
        "MADOGUCHI_VAR_DIR": str(var_dir),
        "PORT": str(port),
        "PYTHONUNBUFFERED": "1",
    })
    # Every client of a bench comes from 127.0.0.1, unlike a city's residents: the abuse limits
    # still count each use (so their cost is measured) but never refuse (docs/operations.md).
    for scope in ("VERIFY", "CHAT", "INQUIRY", "RESUME", "SIGNUP", "RESET", "RECEIPT"):
        env[f"MADOGUCHI_RATE_LIMIT_{scope}"] = "100000000/100000000/3600"
    if db.url:
        env["DATABASE_URL"] = db.url
    return env


def start_server(env: dict[str, str], port: int, log_path: Path) -> subprocess.Popen[bytes]:
    """``manage.py serve`` exactly as ``make demo`` runs it, in its own process group."""
    with log_path.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "manage.py", "serve", "--port", str(port)],
            cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_until_healthy(proc: subprocess.Popen[bytes], base_url: str) -> None:
    deadline = time.monotonic() + STARTUP_TIME_LIMIT
    with httpx.Client(base_url=base_url, timeout=2.0) as client:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise BenchError(f"the server exited with code {proc.returncode} while starting")
            try:
                if client.get("/healthz").status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
    raise BenchError(f"the server did not answer /healthz within {STARTUP_TIME_LIMIT:.0f} s")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM to serve's process group, then SIGKILL. serve stops granian and the worker (each
    in a process group of its own) before it exits; if serve has to be killed, Linux sends them
    SIGTERM (serve sets their parent-death signal)."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=15)
    # serve stops its children itself; kill whatever of the group is still alive.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    if proc.poll() is None:
        proc.wait(timeout=10)


def manage_shell(env: dict[str, str], code: str, extra_env: dict[str, str] | None = None) -> Any:
    """Run ``manage.py shell -c code`` with the server's environment; return the JSON the code
    printed after the ``BENCH-RESULT`` marker."""
    try:
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", code],
            cwd=REPO, env={**env, **(extra_env or {})}, capture_output=True, text=True,
            timeout=STARTUP_TIME_LIMIT, check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"manage.py shell took more than {STARTUP_TIME_LIMIT:.0f} s") from exc
    for line in reversed(result.stdout.splitlines()):
        if line.startswith("BENCH-RESULT "):
            return json.loads(line.removeprefix("BENCH-RESULT "))
    raise BenchError(f"manage.py shell failed (exit {result.returncode}):\n"
                     f"{result.stderr[-3000:]}")


# Residents are created in bulk and signed in by storing in a new session exactly what
# django.contrib.auth.login stores. Signing 800 residents in over HTTP would cost 800 PBKDF2
# password checks (about half a second of CPU each), which is setup, not what is measured.
CREATE_RESIDENTS = """
import json, os
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from madoguchi.core.models import User
from madoguchi.residents.models import Resident

count, prefix = int(os.environ["BENCH_RESIDENTS"]), os.environ["BENCH_PREFIX"]
emails = [f"{prefix}{i:05d}@bench.example.jp" for i in range(count)]
password = make_password(os.environ["BENCH_PASSWORD"])
SessionStore = import_module(settings.SESSION_ENGINE).SessionStore
keys = []
with transaction.atomic():
    User.objects.bulk_create(
        [User(email=e, kind=User.Kind.RESIDENT, password=password) for e in emails])
    users = {u.email: u for u in User.objects.filter(email__in=emails)}
    confirmed = timezone.now()  # residents who confirmed their address, so they may apply
    Resident.objects.bulk_create([Resident(user=users[e], preferred_language="ja",
                                           email_confirmed_at=confirmed) for e in emails])
    for e in emails:
        user = users[e]
        session = SessionStore()
        session[SESSION_KEY] = user._meta.pk.value_to_string(user)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        keys.append(session.session_key)
print("BENCH-RESULT " + json.dumps({"cookie": settings.SESSION_COOKIE_NAME, "keys": keys}))
"""

# Only the applications of the bench's own residents count: the demo loads sample cases of its
# own (madoguchi/demo/cases.py) before the bench starts, and those are not submits of this run.
COUNT_ROWS = """
import json, os
from madoguchi.applications.models import Application
from madoguchi.benchfloor.models import BenchFloorRow
ours = Application.objects.filter(applicant__email__startswith=os.environ["BENCH_PREFIX"])
print("BENCH-RESULT " + json.dumps({
    "applications": ours.count(),
    "with_receipt": ours.exclude(receipt_number__isnull=True).exclude(receipt_number="").count(),
    "other_applications": Application.objects.count() - ours.count(),
    "floor_rows": BenchFloorRow.objects.count(),
}))
"""


# --- One resident: a signed-in session that fills a draft and submits it ------------------


CSRF_INPUT = re.compile(r"""<input[^>]*name=["']csrfmiddlewaretoken["'][^>]*>""")
TOKEN_INPUT = re.compile(r"""<input[^>]*name=["']token["'][^>]*>""")
VALUE_ATTR = re.compile(r"""value=["']([^"']*)["']""")


def hidden_value(pattern: re.Pattern[str], html: str) -> str | None:
    tag = pattern.search(html)
    value = VALUE_ATTR.search(tag.group(0)) if tag else None
    return value.group(1) if value else None


def draft_pages(n: int) -> list[tuple[str, dict[str, str]]]:
    """Valid answers for every page of tsugaku-hojo (forms/definitions/tsugaku-hojo.json)."""
    return [
        ("applicant", {
            "applicant_name-family": "緑川", "applicant_name-given": "太郎",
            "applicant_name-family_kana": "ミドリカワ", "applicant_name-given_kana": "タロウ",
            "relationship": ("father", "mother", "other")[n % 3],
            "phone": f"090-{1000 + n % 9000:04d}-5678",
            "address-postal_code": "999-0101",
            "address-prefecture": "緑ヶ丘県",
            "address-city": "緑ヶ丘市",
            "address-town": "北山",
            "address-street": f"{n + 1}番地5",
        }),
        ("student", {
            "student_name-family": "緑川", "student_name-given": "花子",
            "student_name-family_kana": "みどりかわ", "student_name-given_kana": "はなこ",
            "student_birth_date": "2009-04-02",
            "school_name": "緑ヶ丘県立緑ヶ丘高等学校",
            "grade": str(n % 3 + 1),
        }),
        ("commute", {
            "district": ("kitayama", "higashihara", "nishitani")[n % 3],
            "term": "first",
            "transport": ("bus", "train", "bus_train")[n % 3],
            "monthly_pass_cost": str(9000 + n % 9000),
            "route": "北山停留所〜緑ヶ丘駅前（市営バス）",
        }),
        ("bank", {
            "payment_account-bank_code": "0001", "payment_account-branch_code": "001",
            "payment_account-account_type": "ordinary",
            "payment_account-number": f"{n % 10_000_000:07d}",
            "payment_account-holder": "ミドリカワ　タロウ",
        }),
        ("consent", {"consent": "yes"}),
    ]


class RequestFailed(Exception):
    pass


def expect(response: httpx.Response, status: int, what: str) -> httpx.Response:
    if response.status_code != status:
        raise RequestFailed(f"{what}: HTTP {response.status_code} (expected {status})")
    return response


def location_path(response: httpx.Response) -> str:
    return urlsplit(response.headers.get("location", "")).path


@dataclass
class Resident:
    number: int
    jar: CookieJar = field(default_factory=CookieJar)
    csrf: str = ""
    token: str = ""

    def prepare(self, client: httpx.Client) -> None:
        """Fill every page of a draft and read the submit token from the check page."""
        client.cookies = self.jar  # this client now sends and keeps this resident's cookies
        start = f"/apply/{FORM_SLUG}/"
        first = location_path(expect(client.get(start), 302, f"GET {start}"))
        page = expect(client.get(first), 200, f"GET {first}")
        self.csrf = hidden_value(CSRF_INPUT, page.text) or ""
        if not self.csrf:
            raise RequestFailed(f"GET {first}: no csrfmiddlewaretoken")
        path = first
        for key, answers in draft_pages(self.number):
            expected = f"/apply/{FORM_SLUG}/{key}/"
            if path != expected:
                raise RequestFailed(f"expected to be sent to {expected}, was sent to {path}")
            response = expect(client.post(path, data={"csrfmiddlewaretoken": self.csrf,
                                                      **answers}), 302, f"POST {path}")
            path = location_path(response)
        check = f"/apply/{FORM_SLUG}/check/"
        if path != check:
            raise RequestFailed(f"after the last page expected {check}, was sent to {path}")
        page = expect(client.get(check), 200, f"GET {check}")
        self.csrf = hidden_value(CSRF_INPUT, page.text) or self.csrf
        self.token = hidden_value(TOKEN_INPUT, page.text) or ""
        try:
            uuid.UUID(self.token)
        except ValueError as exc:
            raise RequestFailed(f"GET {check}: no submission token") from exc

    def submit(self, client: httpx.Client) -> None:
        """The measured request: the final POST of the check page."""
        client.cookies = self.jar
        check = f"/apply/{FORM_SLUG}/check/"
        response = client.post(check, data={"csrfmiddlewaretoken": self.csrf,
                                            "token": self.token})
        if response.status_code != 302 or not SUBMITTED_PATH.match(location_path(response)):
            raise RequestFailed(f"POST {check}: HTTP {response.status_code}, location "
                                f"{response.headers.get('location', '-')!r}")


def floor_request(client: httpx.Client, n: int) -> None:
    client.cookies = CookieJar()  # anonymous, like a first visit
    response = client.post("/bench/floor/", data={"payload": f"floor-{n}"})
    if response.status_code != 200 or "id" not in response.json():
        raise RequestFailed(f"POST /bench/floor/: HTTP {response.status_code}")


# --- Running N clients ------------------------------------------------------------------


@dataclass
class PhaseResult:
    name: str
    planned: int
    seconds: float = 0.0
    client_cpu_seconds: float = 0.0  # CPU this benchmark process used during the phase
    server_cpu_seconds: float = 0.0  # CPU the server's processes used (when measured)
    latencies: list[float] = field(default_factory=list)  # successful requests, seconds
    errors: int = 0
    messages: list[str] = field(default_factory=list)
    driver: str = "python"  # what sent the requests: these Python clients, or wrk
    counted: int | None = None  # successful requests counted by wrk (no latency list)
    quantiles_ms: dict[int, float] = field(default_factory=dict)  # from wrk's --latency

    @property
    def ok(self) -> int:
        return self.counted if self.counted is not None else len(self.latencies)

    @property
    def client_share(self) -> float:
        """This process's share of the CPU the phase used (client plus server)."""
        total = self.client_cpu_seconds + self.server_cpu_seconds
        return self.client_cpu_seconds / total if total else 0.0

    @property
    def per_second(self) -> float:
        return self.ok / self.seconds if self.seconds > 0 else 0.0

    def percentile_ms(self, p: int) -> float:
        if p in self.quantiles_ms:
            return self.quantiles_ms[p]
        if not self.latencies:
            return float("nan")
        if len(self.latencies) == 1:
            return self.latencies[0] * 1000
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[p - 1] * 1000


def run_phase(
    name: str, clients: list[httpx.Client], work: list[list[Any]],
    action: Callable[[httpx.Client, Any], None], server_pid: int | None = None,
) -> PhaseResult:
    """Each client thread runs ``action`` on its own items, one after another; every thread
    starts together and stops at the phase time limit (items not run count as errors). With
    ``server_pid``, the CPU the server's process tree used is measured too."""
    result = PhaseResult(name, planned=sum(len(items) for items in work))
    lock = threading.Lock()
    barrier = threading.Barrier(len(clients) + 1)
    deadline = time.monotonic() + PHASE_TIME_LIMIT  # reset below, when the clients start

    def worker(client: httpx.Client, items: list[Any]) -> None:
        latencies: list[float] = []
        messages: list[str] = []
        errors = 0
        try:
            barrier.wait()
        except threading.BrokenBarrierError:  # interrupted before the start
            return
        for index, item in enumerate(items):
            if STOP.is_set():
                errors += len(items) - index
                break
            if time.monotonic() > deadline:
                errors += len(items) - index
                messages.append(f"{name}: time limit of {PHASE_TIME_LIMIT:.0f} s reached, "
                                f"{len(items) - index} requests not run")
                break
            began = time.perf_counter()
            try:
                action(client, item)
            except Exception as exc:  # any failure of a request is an error
                errors += 1
                messages.append(f"{name}: {type(exc).__name__}: {exc}")
            else:
                latencies.append(time.perf_counter() - began)
        with lock:
            result.latencies.extend(latencies)
            result.errors += errors
            result.messages.extend(messages)

    threads = [threading.Thread(target=worker, args=(c, w), name=f"{name}-{i}", daemon=True)
               for i, (c, w) in enumerate(zip(clients, work, strict=True))]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + PHASE_TIME_LIMIT
    server_before = cpu_seconds(server_pid) if server_pid else 0.0
    cpu_before = time.process_time()
    began = time.perf_counter()
    try:
        barrier.wait()
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()) + REQUEST_TIMEOUT + 10)
    except BaseException:  # interrupted: let the clients finish their request and stop
        STOP.set()
        barrier.abort()
        for thread in threads:
            thread.join(REQUEST_TIMEOUT)
        raise
    result.seconds = time.perf_counter() - began
    result.client_cpu_seconds = time.process_time() - cpu_before
    if server_pid:
        result.server_cpu_seconds = cpu_seconds(server_pid) - server_before
    if any(thread.is_alive() for thread in threads):
        with lock:
            result.errors += result.planned - result.ok - result.errors
            result.messages.append(f"{name}: a client thread did not finish")
    for message in result.messages[:5]:
        log(message)
    if len(result.messages) > 5:
        log(f"... and {len(result.messages) - 5} more {name} errors")
    log(f"{name}: {result.ok}/{result.planned} ok in {result.seconds:.1f} s "
        f"(this client process used {result.client_cpu_seconds:.1f} s of CPU)")
    return result


# --- CPU of the server, and the client's share -----------------------------------------------

TICKS = os.sysconf("SC_CLK_TCK")
CLIENT_BOUND_SHARE = 0.4


def process_tree(root: int) -> list[int]:
    """``root`` and every process descended from it (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def cpu_seconds(root: int) -> float:
    """CPU (user + system) used so far by ``root``'s process tree, reaped children included."""
    total = 0
    for pid in process_tree(root):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
    return total / TICKS


def print_client_share(*phases: PhaseResult) -> None:
    """``client CPU share:`` of the main (first) phase, and a warning for every phase whose
    Python clients used so much of the CPU that the figure measures them too."""
    print(f"client CPU share: {phases[0].client_share:.2f}")
    for phase in phases:
        if phase.driver == "python" and phase.client_share > CLIENT_BOUND_SHARE:
            print(f"client-bound: {phase.name} (the Python clients used "
                  f"{phase.client_share:.0%} of the CPU: the figure measures them too)")


# --- wrk, a compiled load generator for the simple requests ------------------------------------

WRK = shutil.which("wrk")
WRK_SECONDS = env_float("BENCH_WRK_SECONDS", 10.0)
WRK_LATENCY = re.compile(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)
WRK_REQUESTS = re.compile(r"^\s*(\d+) requests in ", re.M)
WRK_ERRORS = re.compile(r"Non-2xx or 3xx responses: (\d+)|Socket errors: connect (\d+), "
                        r"read (\d+), write (\d+), timeout (\d+)")
UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk_phase(name: str, base_url: str, path: str, connections: int,
              server_pid: int | None = None, post: str | None = None) -> PhaseResult | None:
    """``path`` hammered by wrk (Debian's ``wrk``) for BENCH_WRK_SECONDS with ``connections``
    open connections, GET or POST of the form body ``post``; None when wrk is not installed
    (``make bench`` installs it). wrk is a compiled generator: it leaves the CPU to the server,
    so a floor shows the server's own limit rather than the Python clients'."""
    if WRK is None:
        return None
    script = ""
    if post is not None:
        script = ("wrk.method = \"POST\"\n"
                  f"wrk.body = {json.dumps(post)}\n"
                  "wrk.headers[\"Content-Type\"] = \"application/x-www-form-urlencoded\"\n")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script)
    threads = max(1, min(2, connections))
    argv = [WRK, f"-t{threads}", f"-c{max(connections, threads)}", f"-d{WRK_SECONDS:.0f}s",
            "--latency", "--timeout", f"{REQUEST_TIMEOUT:.0f}s", "-s", lua.name, base_url + path]
    server_before = cpu_seconds(server_pid) if server_pid else 0.0
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    try:
        done = subprocess.run(argv, capture_output=True, text=True, check=False,
                              timeout=WRK_SECONDS + REQUEST_TIMEOUT + 30)
    finally:
        os.unlink(lua.name)
    result = PhaseResult(name, planned=0, driver="wrk")
    result.seconds = time.perf_counter() - began
    if server_pid:
        result.server_cpu_seconds = cpu_seconds(server_pid) - server_before
    # wrk's own CPU: it is the only child of this process that ends during the phase.
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    result.client_cpu_seconds = (children.ru_utime + children.ru_stime
                                 - children_before.ru_utime - children_before.ru_stime)
    requests = WRK_REQUESTS.search(done.stdout)
    if done.returncode != 0 or requests is None:
        raise BenchError(f"wrk failed (exit {done.returncode}): {done.stderr[-500:]}")
    errors = sum(int(n) for m in WRK_ERRORS.finditer(done.stdout) for n in m.groups() if n)
    result.counted = int(requests.group(1)) - errors
    result.errors = errors
    result.planned = int(requests.group(1))
    result.seconds = WRK_SECONDS
    result.quantiles_ms = {int(p): float(v) * UNIT_MS[unit]
                           for p, v, unit in WRK_LATENCY.findall(done.stdout)}
    log(f"{name} (wrk): {result.ok} ok, {errors} errors, {result.per_second:.1f}/s")
    return result


def floor_phase(server: Server, clients: list[httpx.Client], count: int) -> PhaseResult:
    """The floor, ``POST /bench/floor/``: with wrk when installed, else the Python clients."""
    assert server.proc is not None
    by_wrk = wrk_phase("floor", server.base_url, "/bench/floor/", len(clients),
                       server.proc.pid, post="payload=floor")
    if by_wrk is not None:
        return by_wrk
    return run_phase("floor", clients, spread(list(range(count)), len(clients)), floor_request,
                     server.proc.pid)


def spread(items: list[Any], parts: int) -> list[list[Any]]:
    """Deal ``items`` round-robin to ``parts`` clients."""
    return [items[i::parts] for i in range(parts)]


class Server:
    """The demo server on a free port with a fresh database, stopped and dropped on exit."""

    def __init__(self) -> None:
        self.load_at_start = os.getloadavg()[0]
        self.db = Database.from_environment()
        self.var_dir = Path(tempfile.mkdtemp(prefix="madoguchi-bench-"))
        self.port = free_port()
        self.base_url = f"http://{HOST}:{self.port}"
        self.env = server_environment(self.db, self.var_dir, self.port)
        self.proc: subprocess.Popen[bytes] | None = None
        self.ok = False  # set when the run passed: the server log's tail is shown otherwise

    def __enter__(self) -> Server:
        self.db.create()
        log(f"starting the server on {self.base_url} ({self.db.kind}, var dir {self.var_dir})")
        try:
            self.proc = start_server(self.env, self.port, self.var_dir / "server.log")
            wait_until_healthy(self.proc, self.base_url)
        except BaseException:
            self.__exit__()  # a server that never answered is stopped and its database dropped
            raise
        log("server is up")
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            stop_server(self.proc)
            log_path = self.var_dir / "server.log"
            if not self.ok and log_path.exists():
                log("last lines of the server log:\n"
                    + log_path.read_text(errors="replace")[-4000:])
        self.db.drop()
        shutil.rmtree(self.var_dir, ignore_errors=True)

    def shell(self, code: str, extra: dict[str, str] | None = None) -> Any:
        return manage_shell(self.env, code, extra)


def make_clients(base_url: str, count: int, timeout: float = REQUEST_TIMEOUT) -> list[httpx.Client]:
    """``count`` clients of one connection each, which do not follow redirects."""
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    return [httpx.Client(base_url=base_url, timeout=timeout, limits=limits,
                         follow_redirects=False) for _ in range(count)]


def run_with_server(measure: Callable[[Server, list[httpx.Client]], dict[str, bool]]) -> int:
    """Start the server, run ``measure`` (it adds the clients it opens to the list, prints its
    figures and returns its musts) and judge the musts: 0 when all hold, 1 when one fails, 2
    when the setup failed. The clients are closed and the server stopped in any case."""
    clients: list[httpx.Client] = []
    try:
        with Server() as server:
            failed = failed_musts(measure(server, clients))
            server.ok = not failed
            return 0 if not failed else 1
    except BenchError as exc:
        log(f"error: {exc}")
        return 2
    finally:
        for client in clients:
            client.close()


# --- Main ----------------------------------------------------------------------------------


def measure(server: Server, clients: list[httpx.Client]) -> dict[str, bool]:
    """Prepare the drafts, time the floor and the submits, print the figures; the musts."""
    env = server.env
    prefix = f"bench{os.getpid()}-"  # the e-mail addresses of this run's residents
    created = manage_shell(env, CREATE_RESIDENTS, {
        "BENCH_RESIDENTS": str(SUBMITS), "BENCH_PREFIX": prefix,
        "BENCH_PASSWORD": uuid.uuid4().hex,
    })
    residents = []
    for number, key in enumerate(created["keys"]):
        resident = Resident(number)
        httpx.Cookies(resident.jar).set(created["cookie"], key, domain=HOST)
        residents.append(resident)
    log(f"created {len(residents)} signed-in residents")

    clients.extend(make_clients(server.base_url, CLIENTS))
    work = spread(residents, CLIENTS)

    # Not measured: every resident fills a draft, so the timed phase holds only submits.
    prepared = run_phase("prepare", clients, work, lambda c, r: r.prepare(c))
    ready = [r for r in residents if r.token]

    assert server.proc is not None
    floor = floor_phase(server, clients, SUBMITS)
    submit = run_phase("submit", clients, spread(ready, CLIENTS), lambda c, r: r.submit(c),
                       server.proc.pid)

    counts = manage_shell(env, COUNT_ROWS, {"BENCH_PREFIX": prefix})
    log(f"{counts['other_applications']} applications not made by the bench "
        "(the demo's sample cases) are not counted")
    errors = prepared.errors + floor.errors + submit.errors
    stored = counts["applications"]
    if counts["with_receipt"] != stored:
        log(f"{stored - counts['with_receipt']} stored applications have no receipt number")
        errors += stored - counts["with_receipt"]
    ratio = submit.per_second / floor.per_second if floor.per_second else 0.0

    print(f"database: {server.db.kind}")
    print(f"clients: {CLIENTS}")
    print(f"web workers: {env.get('WEB_WORKERS', '2')}")
    print(f"load average at start: {server.load_at_start:.2f}")
    print(f"submits: {submit.ok}")
    print(f"submit seconds: {submit.seconds:.2f}")
    print(f"submit/s: {submit.per_second:.1f}")
    print(f"p50 ms: {submit.percentile_ms(50):.1f}")
    print(f"p99 ms: {submit.percentile_ms(99):.1f}")
    print(f"floor requests: {floor.ok}")
    print(f"floor seconds: {floor.seconds:.2f}")
    print(f"floor/s: {floor.per_second:.1f}")
    print(f"floor p50 ms: {floor.percentile_ms(50):.1f}")
    print(f"floor p99 ms: {floor.percentile_ms(99):.1f}")
    print(f"floor driver: {floor.driver}")
    print_client_share(submit, floor)
    print(f"prepare seconds: {prepared.seconds:.2f}")
    print(f"errors: {errors}")
    print(f"applications stored: {stored}")
    print(f"ratio: {ratio:.2f}", flush=True)
    return {
        "errors": errors == 0,
        f"stored applications ({stored}) != successful submits ({submit.ok})":
            stored == submit.ok,
        f"successful submits ({submit.ok}) != {SUBMITS}": submit.ok == SUBMITS,
    }


def main() -> int:
    return run_with_server(measure)


def _terminate(signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt  # run the finally blocks: stop the server, drop the database


def run_script(entry: Callable[[], int]) -> None:
    """Run a bench's ``main`` and exit with its code; SIGTERM and Ctrl+C still clean up (130)."""
    signal.signal(signal.SIGTERM, _terminate)
    try:
        sys.exit(entry())
    except KeyboardInterrupt:
        sys.exit(130)


def failed_musts(musts: dict[str, bool]) -> list[str]:
    """The names of the conditions that do not hold, each logged as ``must failed``."""
    failed = [name for name, ok in musts.items() if not ok]
    for name in failed:
        log(f"must failed: {name}")
    return failed


if __name__ == "__main__":
    run_script(main)
