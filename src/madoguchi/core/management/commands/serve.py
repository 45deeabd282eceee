"""``manage.py serve``: prepare the database and run the web server and the task worker.

This is what ``make demo`` runs and what the benchmarks start, so both measure the same thing:
granian (WSGI, several worker processes) serving Django, whitenoise serving static files,
and django-tasks-db's worker (``manage.py db_worker_heartbeat``: ``db_worker`` with a
heartbeat for ``/readyz``) sending e-mails in the background.

``serve`` supervises its two children so that nothing outlives it:

* each child is the leader of its own process group, and the processes it starts (granian's
  worker processes) stay in that group, so stopping a group stops everything the child started;
* it waits for the web server to answer ``GET /healthz`` for as long as the web server is alive
  (a loaded machine may need far more than a few seconds), with a progress line every few
  seconds, and only then prints the addresses;
* when a child exits or is killed, or on SIGTERM, SIGINT or SIGHUP, every group gets SIGTERM,
  then SIGKILL after ``--stop-grace`` seconds, and ``serve`` returns only when all their
  processes are gone;
* on Linux each child also gets SIGTERM when ``serve`` itself dies, even by SIGKILL.

Exit status: 0 after a requested stop (SIGTERM, SIGINT, SIGHUP) once everything has stopped;
1 when a child exited on its own (also with status 0), the web server died before answering, or
a process would not go away, so that a process supervisor (systemd ``Restart=on-failure``,
Docker ``restart: on-failure``) starts it again. What happened is written to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import http.client
import io
import os
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from madoguchi.core.clocks import start_clocks

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
POLL_SECONDS = 0.1
PROGRESS_SECONDS = 5.0  # a "still waiting" line this often while the web server starts
PROBE_TIMEOUT = 10.0  # one readiness request; the next one starts when it times out
KILL_WAIT_SECONDS = 5.0  # after SIGKILL, how long to wait for the processes to disappear
PR_SET_PDEATHSIG = 1  # linux/prctl.h
PROC = Path("/proc")


def port_is_free(host: str, port: int) -> bool:
    """True if nothing listens on ``host:port`` (so the web server can bind it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def probe_host(host: str) -> str:
    """The address to reach a server bound to ``host`` from this machine."""
    return {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)  # noqa: S104


def http_status(host: str, port: int, path: str = "/healthz",
                timeout: float = PROBE_TIMEOUT) -> int | None:
    """The HTTP status ``GET path`` gets, or None when the server does not answer."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        conn.close()


class ReadinessProbe(threading.Thread):
    """Ask ``/healthz`` again and again until the web server answers anything at all.

    A TCP connection alone proves nothing: granian binds the port before its worker processes
    have imported Django, and the connection then waits in the listen queue. The probe runs in a
    thread so that the supervising loop keeps watching the children and the signals meanwhile.
    """

    def __init__(self, host: str, port: int) -> None:
        super().__init__(name="serve-readiness", daemon=True)
        self.host, self.port = host, port
        self.status: int | None = None
        self.answered = threading.Event()
        self.cancelled = threading.Event()

    def run(self) -> None:
        while not self.cancelled.is_set():
            status = http_status(self.host, self.port)
            if status is not None:
                self.status = status
                self.answered.set()
                return
            self.cancelled.wait(0.25)


def describe_exit(returncode: int) -> str:
    """``exited with code 3`` or ``was killed by SIGKILL``."""
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"was killed by {name}"
    return f"exited with code {returncode}"


def live_group_members(pgid: int) -> list[int]:
    """PIDs in process group ``pgid`` that are not zombies (Linux /proc), else []."""
    pids = []
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # exited meanwhile
            continue
        state, _ppid, group = stat[stat.rindex(")") + 2:].split()[:3]
        if int(group) == pgid and state not in {"Z", "X"}:
            pids.append(int(entry.name))
    return pids


def group_alive(pgid: int) -> bool:
    """True while any process of group ``pgid`` runs (zombies waiting for init do not count)."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # a process of another user took the number: not ours
        return False
    return bool(live_group_members(pgid)) if PROC.is_dir() else True


def die_with_parent() -> Callable[[], None] | None:
    """A ``preexec_fn`` that makes Linux send the child SIGTERM when ``serve`` dies.

    This covers the one exit ``serve`` cannot handle itself, SIGKILL. granian's main process
    stops its worker processes on SIGTERM. None where prctl is not available.
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    parent, death_signal = os.getpid(), int(signal.SIGTERM)

    def arm() -> None:
        prctl(PR_SET_PDEATHSIG, death_signal)
        if os.getppid() != parent:  # serve died before prctl took effect
            os.kill(os.getpid(), death_signal)

    return arm


@dataclass
class Child:
    """A process started by ``serve``, the leader of its own process group."""

    name: str
    process: subprocess.Popen[bytes]

    @property
    def pgid(self) -> int:
        return self.process.pid


class ProcessTree:
    """The children of ``serve``, each in its own process group, stopped together."""

    def __init__(self) -> None:
        self.children: list[Child] = []

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> Child:
        process = subprocess.Popen(  # noqa: S603 - argv is built by serve or given by its caller
            argv, env=env, process_group=0, preexec_fn=die_with_parent(),  # a single prctl call
        )
        child = Child(name, process)
        self.children.append(child)
        return child

    def first_exited(self) -> Child | None:
        """A child (group leader) that has exited, if any."""
        return next((c for c in self.children if c.process.poll() is not None), None)

    def running(self) -> list[Child]:
        """Children whose process group still has a live process."""
        for child in self.children:
            child.process.poll()  # reap the leader if it exited
        return [c for c in self.children if group_alive(c.pgid)]

    def signal(self, signum: int) -> None:
        for child in self.running():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(child.pgid, signum)

    def wait_gone(self, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while self.running():
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)
        return True

    def stop(self, grace: float) -> tuple[list[str], list[str]]:
        """SIGTERM to every group, SIGKILL to what is left after ``grace`` seconds; wait until
        every process is gone. Returns the groups that had to be killed, and those that stayed."""
        killed, stayed = [], []
        self.signal(signal.SIGTERM)
        if not self.wait_gone(grace):
            for child in self.running():
                killed.append(f"{child.name} did not stop within {grace:g} s of SIGTERM: "
                              "sent SIGKILL")
            self.signal(signal.SIGKILL)
            if not self.wait_gone(KILL_WAIT_SECONDS):
                for child in self.running():
                    pids = ", ".join(map(str, live_group_members(child.pgid))) or "?"
                    stayed.append(f"processes of {child.name} (process group {child.pgid}, "
                                  f"PIDs {pids}) are still running after SIGKILL")
        return killed, stayed


def metrics_directory(port: int) -> Path:
    """An empty directory where the web and worker processes share their Prometheus counters
    (``PROMETHEUS_MULTIPROC_DIR`` if set, else ``VAR_DIR/prometheus/<port>``), emptied at each
    start as prometheus-client requires."""
    configured = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    directory = Path(configured or Path(settings.VAR_DIR) / "prometheus" / str(port))
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink(missing_ok=True)
    return directory


def command_argv(template: str, host: str, port: int) -> list[str]:
    """Split a command line given with ``--web-command``/``--worker-command``."""
    return [arg.replace("{host}", host).replace("{port}", str(port))
            for arg in shlex.split(template)]


class Command(BaseCommand):
    help = "Migrate, collect static files, (demo) load the demo city, then serve with a worker."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))
        parser.add_argument(
            "--threads", type=int, default=int(os.environ.get("WEB_THREADS", "0")) or None,
            help="request threads per web worker process (default: 2 on SQLite, whose single "
            "writer makes more threads wait in line, 8 on PostgreSQL)",
        )
        parser.add_argument("--no-worker", action="store_true", help="do not start the task worker")
        parser.add_argument("--skip-setup", action="store_true", help="skip migrate/collectstatic")
        parser.add_argument(
            "--stop-grace", type=float, default=10.0, metavar="SECONDS",
            help="when stopping, seconds between SIGTERM and SIGKILL (default: 10)",
        )
        # Other programs in place of granian and db_worker (the tests use small fakes);
        # "{host}" and "{port}" in the command line are replaced.
        parser.add_argument("--web-command", help=argparse.SUPPRESS)
        parser.add_argument("--worker-command", help=argparse.SUPPRESS)

    def say(self, message: str) -> None:
        self.stdout.write(message)
        self.stdout.flush()

    def warn(self, message: str) -> None:
        self.stderr.write(message)
        self.stderr.flush()

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = options["host"], options["port"]
        if not port_is_free(host, port):
            raise CommandError(
                f"Port {port} on {host} is already in use. Stop the other server "
                f"(perhaps an earlier 'make demo') or choose another port: PORT=8001 make demo"
            )
        if not options["skip_setup"]:
            call_command("migrate", interactive=False, verbosity=0)
            call_command("collectstatic", interactive=False, verbosity=0)
            if settings.DEMO:
                call_command("load_demo_city", verbosity=0)
                call_command("create_demo_signing_ca", verbosity=0)
                call_command("load_demo_cases", verbosity=0)
        if not options["no_worker"]:
            start_clocks()  # e.g. reservations' reminders and offer expiry, every five minutes
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "madoguchi.settings",
               "PROMETHEUS_MULTIPROC_DIR": str(metrics_directory(port))}
        threads = options["threads"] or (2 if connection.vendor == "sqlite" else 8)
        worker_argv = (
            command_argv(options["worker_command"], host, port) if options["worker_command"]
            else [sys.executable, "-m", "django", "db_worker_heartbeat", "--no-reload",
                  "-v", "0"]
        )
        web_argv = (
            command_argv(options["web_command"], host, port) if options["web_command"]
            else [sys.executable, "-m", "granian", "--interface", "wsgi", "--host", host,
                  "--port", str(port), "--workers", str(options["workers"]),
                  "--blocking-threads", str(threads), "--no-ws",
                  "--log-level", "warning", "madoguchi.wsgi:application"]
        )

        requested: list[int] = []

        def request_stop(signum: int, _frame: Any) -> None:
            requested.append(signum)

        # Installed before any child starts and kept until every child is gone, so a signal
        # can never end serve half way and leave a child behind.
        previous = {signum: signal.signal(signum, request_stop) for signum in STOP_SIGNALS}
        tree = ProcessTree()
        try:
            if not options["no_worker"]:
                tree.start("the task worker (db_worker)", worker_argv, env)
            tree.start("the web server (granian)", web_argv, env)
            failure = self.supervise(tree, host, port, requested)
            if failure:
                self.warn(f"{failure}: stopping the web server and the task worker.")
        finally:
            killed, stayed = tree.stop(options["stop_grace"])
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        for note in killed + stayed:
            self.warn(note)
        if stayed:
            raise CommandError("Some processes would not stop (see above).")
        if failure:
            raise CommandError(f"{failure}; every process serve started has been stopped.")
        self.say("Stopped.")

    def supervise(self, tree: ProcessTree, host: str, port: int, requested: list[int]) -> str:
        """Wait for the web server to answer, print the banner, then watch the children.

        Returns what went wrong, or "" when a stop was requested by a signal.
        """
        url = f"http://{probe_host(host)}:{port}/healthz"
        self.say(f"Starting the web server on {host}:{port} and waiting for {url} to answer…")
        probe = ReadinessProbe(probe_host(host), port)
        probe.start()
        started = time.monotonic()
        next_progress = started + PROGRESS_SECONDS
        ready = False
        try:
            while True:
                if requested:
                    name = signal.Signals(requested[0]).name
                    self.warn(f"{name} received: stopping the web server and the task worker.")
                    return ""
                exited = tree.first_exited()
                if exited is not None:
                    what = f"{exited.name} {describe_exit(exited.process.returncode)}"
                    if not ready:
                        return (f"{what} after {time.monotonic() - started:.0f} s, before the "
                                f"web server answered {url}")
                    return what
                if not ready and probe.answered.is_set():
                    ready = True
                    if probe.status != 200:
                        self.warn(f"The web server answers, but {url} said HTTP {probe.status}.")
                    self.say(self.banner(host, port))
                elif not ready and time.monotonic() >= next_progress:
                    self.say(f"Still waiting for the web server to answer {url} "
                             f"({time.monotonic() - started:.0f} s; it is running, so serve "
                             "keeps waiting)…")
                    next_progress += PROGRESS_SECONDS
                time.sleep(POLL_SECONDS)
        finally:
            probe.cancelled.set()

    def banner(self, host: str, port: int) -> str:
        base = f"http://{host}:{port}"
        lines = [
            "",
            f"Madoguchi is running: {base}/",
            f"  Residents:        {base}/",
            f"  Staff back office: {base}/staff/",
        ]
        if settings.DEMO:
            # The demo app says what to show; core only asks it through its command.
            demo_lines = io.StringIO()
            call_command("demo_banner", base_url=base, stdout=demo_lines)
            lines += demo_lines.getvalue().splitlines()
        lines += ["", "Press Ctrl+C to stop.", ""]
        return "\n".join(lines)
