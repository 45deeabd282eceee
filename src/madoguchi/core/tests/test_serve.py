"""``manage.py serve`` supervises its children: it waits for the web server as long as the web
server lives, stops every process it started on every way out, and fails loudly.

The process tests start ``serve`` for real with small fake children (serve_fake_child.py) and
find every process of a run by a marker in its environment, which all descendants inherit.
"""

from __future__ import annotations

import io
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from madoguchi.core.management.commands import serve as serve_module

REPO = Path(__file__).resolve().parents[4]
FAKE = Path(__file__).with_name("serve_fake_child.py")
MARKER = "MADOGUCHI_SERVE_TEST_RUN"

pytestmark = pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def processes_of(run: str) -> dict[int, str]:
    """Live (non-zombie) processes whose environment carries the marker of ``run``."""
    needle = f"{MARKER}={run}".encode()
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            if stat[stat.rindex(")") + 2] in "ZX":
                continue
            if needle in (entry / "environ").read_bytes().split(b"\0"):
                found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(
                    b"\0", b" ").decode(errors="replace")
        except (OSError, ValueError):
            continue
    return found


def fake(*args: object) -> str:
    return subprocess.list2cmdline([sys.executable, str(FAKE), *map(str, args)])


class Serve:
    """One ``manage.py serve`` run in a subprocess, its output collected line by line."""

    def __init__(self, web: str, worker: str, *extra: str, port: int | None = None) -> None:
        self.run = uuid.uuid4().hex
        self.port = port or free_port()
        env = {**os.environ, MARKER: self.run, "MADOGUCHI_TESTING": "1",
               "PYTHONUNBUFFERED": "1"}
        env.pop("DATABASE_URL", None)  # serve touches no database with --skip-setup here
        self.process = subprocess.Popen(  # noqa: S603 - fixed argv
            [sys.executable, "manage.py", "serve", "--skip-setup", "--port", str(self.port),
             "--web-command", web.replace("PORT", str(self.port)), "--worker-command", worker,
             *extra],
            cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True,
        )
        self.lines: list[tuple[float, str]] = []
        self.started = time.monotonic()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append((time.monotonic() - self.started, line.rstrip("\n")))

    @property
    def output(self) -> str:
        return "\n".join(line for _, line in self.lines)

    def wait_for(self, text: str, timeout: float = 60.0) -> float:
        """Seconds after the start at which a line containing ``text`` was printed."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for at, line in list(self.lines):
                if text in line:
                    return at
            if self.process.poll() is not None and not self.reader.is_alive():
                break
            time.sleep(0.05)
        raise AssertionError(f"{text!r} not printed; output so far:\n{self.output}")

    def wait(self, timeout: float = 60.0) -> int:
        code = self.process.wait(timeout)
        self.reader.join(5)
        return code

    def children(self) -> dict[int, str]:
        """The processes of this run other than serve itself."""
        return {pid: cmd for pid, cmd in processes_of(self.run).items()
                if pid != self.process.pid}


@pytest.fixture
def serve() -> Iterator[list[Serve]]:
    """Start runs with ``serve(...)``; afterwards nothing of any run may be left (and is killed)."""
    runs: list[Serve] = []
    yield runs
    for run in runs:
        if run.process.poll() is None:
            run.process.kill()
            run.process.wait()
        for pid in processes_of(run.run):
            os.kill(pid, signal.SIGKILL)


def leader(run: Serve, role: str) -> int:
    """The PID of the fake ``web`` or ``worker`` child (not its grandchild)."""
    for pid, cmd in run.children().items():
        if str(FAKE) in cmd and f" {role}" in cmd:
            return pid
    raise AssertionError(f"no {role} child among {run.children()}")


def assert_nothing_left(run: Serve) -> None:
    left = processes_of(run.run)
    assert not left, f"processes left behind: {left}\n{run.output}"


def test_sigterm_stops_every_process_also_one_that_ignores_sigterm(serve):
    run = Serve(fake("web", "PORT", "--grandchild"), fake("worker", "--ignore-term"),
                "--stop-grace", "1")
    serve.append(run)
    run.wait_for("Madoguchi is running")
    assert len(run.children()) == 3  # web, its grandchild (a granian worker), task worker
    run.process.send_signal(signal.SIGTERM)
    assert run.wait() == 0, run.output
    assert "SIGTERM received" in run.output
    assert "the task worker (db_worker) did not stop within 1 s of SIGTERM: sent SIGKILL" in (
        run.output)
    assert "Stopped." in run.output
    assert_nothing_left(run)


@pytest.mark.parametrize(("role", "name"), [("web", "the web server (granian)"),
                                            ("worker", "the task worker (db_worker)")])
def test_a_killed_child_stops_everything_and_serve_fails(serve, role, name):
    run = Serve(fake("web", "PORT", "--grandchild"), fake("worker"))
    serve.append(run)
    run.wait_for("Madoguchi is running")
    os.kill(leader(run, role), signal.SIGKILL)  # the web server's grandchild is orphaned
    assert run.wait() == 1, run.output
    assert f"{name} was killed by SIGKILL: stopping the web server and the task worker" in (
        run.output)
    assert "CommandError" in run.output
    assert_nothing_left(run)


def test_a_slow_web_server_is_waited_for_with_progress_then_served(serve):
    delay = serve_module.PROGRESS_SECONDS + 1
    run = Serve(fake("web", "PORT", "--delay", delay), fake("worker"))
    serve.append(run)
    waiting = run.wait_for("Still waiting for the web server to answer")
    ready = run.wait_for("Madoguchi is running", timeout=60)
    # The port is bound at once; only an HTTP answer counts as ready.
    assert waiting < ready
    assert ready >= delay
    run.process.send_signal(signal.SIGINT)
    assert run.wait() == 0, run.output
    assert_nothing_left(run)


def test_a_web_server_dying_while_starting_is_reported(serve):
    run = Serve(fake("web", "PORT", "--delay", 60, "--exit-after", 1, "--exit-code", 3),
                fake("worker", "--grandchild"))
    serve.append(run)
    assert run.wait() == 1, run.output
    assert re.search(r"the web server \(granian\) exited with code 3 after \d+ s, before the "
                     r"web server answered http://127\.0\.0\.1:\d+/healthz", run.output)
    assert "Madoguchi is running" not in run.output
    assert_nothing_left(run)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal: Linux")
def test_children_stop_when_serve_itself_is_killed(serve):
    run = Serve(fake("web", "PORT", "--grandchild"), fake("worker"))
    serve.append(run)
    run.wait_for("Madoguchi is running")
    run.process.kill()
    run.wait()
    deadline = time.monotonic() + 10
    while processes_of(run.run) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert_nothing_left(run)


def test_the_port_in_use_is_reported(serve):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        run = Serve(fake("web", "PORT"), fake("worker"), port=taken.getsockname()[1])
        serve.append(run)
        assert run.wait() == 1
    assert "is already in use" in run.output
    assert_nothing_left(run)


def test_serve_waits_as_long_as_the_web_server_lives(monkeypatch):
    """No fixed start-up limit: minutes (of a fast clock) pass, serve keeps waiting."""
    real = time.monotonic
    began = real()
    out = io.StringIO()
    requested: list[int] = []

    def sleep(seconds: float) -> None:
        if "Madoguchi is running" in out.getvalue():
            requested.append(signal.SIGTERM)
        time.sleep(seconds)

    # serve's clock runs 200 times faster than the real one.
    monkeypatch.setattr(serve_module, "time", SimpleNamespace(
        monotonic=lambda: began + 200 * (real() - began), sleep=sleep))
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]

        def answer_late() -> None:
            time.sleep(1.5)  # 300 s on serve's clock
            conn, _ = listener.accept()
            with conn:
                conn.recv(4096)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")

        threading.Thread(target=answer_late, daemon=True).start()
        tree = SimpleNamespace(first_exited=lambda: None)  # the web server keeps running
        command = serve_module.Command(stdout=out, stderr=io.StringIO())
        assert command.supervise(tree, "127.0.0.1", port, requested) == ""
    progress = re.findall(r"Still waiting for the web server to answer \S+ \((\d+) s",
                          out.getvalue())
    assert int(progress[-1]) >= 250
    assert "Madoguchi is running" in out.getvalue()
