#!/usr/bin/env python3
"""CI: ``make demo`` starts, serves the home page and a staff page, and stops cleanly.

Starts ``make demo PORT=<free port>`` from the repository (its own session, a fresh temporary
``MADOGUCHI_VAR_DIR``), waits for ``/`` (the demo city's home page) and ``/staff/`` (which leads
to the staff sign-in page), checks that the web server (granian) and the task worker
(db_worker) run, sends SIGTERM to the process group of ``make`` (what Ctrl+C in a terminal or a
service manager does) and checks that every process it started is gone.

Standard library only. Exits 0 when all is well; otherwise prints what failed and the end of
the demo's output and exits 1, after killing whatever of the demo is left. The first
``make demo`` on a clean clone may install packages, so the wait for the pages is generous but
bounded: ``CI_DEMO_TIMEOUT`` seconds (default 900); after SIGTERM everything must be gone
within ``CI_DEMO_STOP_TIMEOUT`` seconds (default 60).

Arguments are passed on to ``make``, e.g. ``-o .venv/.runtime`` to keep make from reinstalling
the project into a virtualenv shared with another checkout.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
MARKER = "MADOGUCHI_CI_DEMO_RUN"


def seconds_from_env(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name) or default)
    except ValueError:
        sys.exit(f"ci-demo-check: {name} must be a number of seconds, not {os.environ[name]!r}")


START_TIMEOUT = seconds_from_env("CI_DEMO_TIMEOUT", 900)
# serve gives its children 10 s after SIGTERM, then SIGKILLs them.
STOP_TIMEOUT = seconds_from_env("CI_DEMO_STOP_TIMEOUT", 60)
HOME_TEXT = "緑ヶ丘市"  # the demo city: the demo data were loaded
LOG_TAIL = 6000


class CheckFailed(Exception):
    """A check of the demo failed; the message says which."""


def say(message: str) -> None:
    print(f"[ci-demo] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def demo_processes(session: int, run: str) -> dict[int, str]:
    """Live processes of the demo: in the session of ``make`` or carrying the run's marker."""
    needle = f"{MARKER}={run}".encode()
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2:].split()
            if fields[0] in {"Z", "X"}:
                continue
            ours = int(fields[3]) == session
            if not ours:
                ours = needle in (entry / "environ").read_bytes().split(b"\0")
            if ours:
                found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(
                    b"\0", b" ").decode(errors="replace").strip()
        except (OSError, ValueError, IndexError):
            continue  # exited meanwhile, or not ours to read
    return found


def get(url: str) -> tuple[int, str, str]:
    """Status, final URL (after redirects) and body of ``GET url``."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - http://127.0.0.1
            return response.status, response.url, response.read().decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.url, exc.read().decode(errors="replace")


def wait_for_pages(make: subprocess.Popen[bytes], base: str) -> None:
    """Wait until the home page and the staff sign-in page answer, while ``make`` runs."""
    started = time.monotonic()
    next_note = started + 30
    last = "no answer yet"
    while True:
        elapsed = time.monotonic() - started
        if make.poll() is not None:
            raise CheckFailed(f"make demo exited with code {make.returncode} after "
                              f"{elapsed:.0f} s, before the home page answered ({last})")
        if elapsed > START_TIMEOUT:
            raise CheckFailed(f"the home page did not answer within {START_TIMEOUT:.0f} s "
                              f"(CI_DEMO_TIMEOUT); last: {last}")
        try:
            status, _url, body = get(f"{base}/")
        except OSError as exc:
            last = f"{type(exc).__name__}: {exc}"
        else:
            if status != 200:
                raise CheckFailed(f"GET / answered HTTP {status}")
            if HOME_TEXT not in body:
                raise CheckFailed(f"GET / answered 200 without {HOME_TEXT}: no demo city?")
            break
        if time.monotonic() >= next_note:
            say(f"waiting for {base}/ ({elapsed:.0f} s): {last}")
            next_note += 30
        time.sleep(1)
    say(f"GET / → 200 after {time.monotonic() - started:.0f} s")
    status, url, body = get(f"{base}/staff/")
    if status != 200 or not url.split("?")[0].endswith("/staff/login/") or "<form" not in body:
        raise CheckFailed(f"GET /staff/ should lead to the staff sign-in form; got HTTP {status} "
                          f"at {url}")
    say(f"GET /staff/ → 200 at {url}")


def check_running(processes: dict[int, str]) -> None:
    for what, needle in (("the web server", "granian"), ("the task worker", "db_worker")):
        if not any(needle in cmd for cmd in processes.values()):
            raise CheckFailed(f"{what} ({needle}) is not running; demo processes: {processes}")
    say(f"running: {len(processes)} processes, granian and db_worker among them")


def stop_and_check(make: subprocess.Popen[bytes], run: str) -> None:
    """SIGTERM to make's process group; everything of the demo must be gone within the bound."""
    say(f"sending SIGTERM to the process group of make ({make.pid})")
    os.killpg(make.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    left = demo_processes(make.pid, run)
    while left and time.monotonic() < deadline:
        make.poll()  # reap make
        time.sleep(0.2)
        left = demo_processes(make.pid, run)
    if left:
        listing = "\n".join(f"  {pid}: {cmd}" for pid, cmd in sorted(left.items()))
        raise CheckFailed(f"{len(left)} processes of the demo still run {STOP_TIMEOUT:.0f} s "
                          f"after SIGTERM:\n{listing}")
    make.wait()
    say("every process of the demo has stopped")


def check_log(log: str) -> None:
    if "Traceback (most recent call last)" in log:
        raise CheckFailed("the demo's output holds a Python traceback")
    if "Stopped." not in log:
        raise CheckFailed("serve did not report a clean stop ('Stopped.')")


def kill_leftovers(session: int, run: str) -> None:
    for pid in demo_processes(session, run):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)


def main() -> int:
    run = uuid.uuid4().hex
    port = free_port()
    base = f"http://{HOST}:{port}"
    var_dir = Path(tempfile.mkdtemp(prefix="madoguchi-ci-demo-"))
    log_path = var_dir / "make-demo.log"
    env = {key: value for key, value in os.environ.items()
           if key not in {"MADOGUCHI_TESTING", "MADOGUCHI_DEBUG", "DATABASE_URL", "HOST",
                          "PORT", "MAKEFLAGS", "MFLAGS", "MAKELEVEL"}}
    env.update({MARKER: run, "MADOGUCHI_VAR_DIR": str(var_dir / "var"), "PYTHONUNBUFFERED": "1"})
    argv = [shutil.which("make") or "make", *sys.argv[1:], "demo", f"PORT={port}"]
    make: subprocess.Popen[bytes] | None = None
    try:
        say(f"{' '.join(argv[1:])} (var dir {var_dir / 'var'}, up to {START_TIMEOUT:.0f} s)")
        with log_path.open("wb") as log:
            try:
                make = subprocess.Popen(  # noqa: S603 - make with the caller's arguments
                    argv, cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=log,
                    stderr=subprocess.STDOUT, start_new_session=True,
                )
            except OSError as exc:
                raise CheckFailed(f"cannot start make: {exc}") from exc
        wait_for_pages(make, base)
        check_running(demo_processes(make.pid, run))
        stop_and_check(make, run)
        check_log(log_path.read_text(errors="replace"))
    except CheckFailed as exc:
        print(f"ci-demo-check: FAILED: {exc}", file=sys.stderr)
        if log_path.exists():
            tail = log_path.read_text(errors="replace")[-LOG_TAIL:]
            print(f"--- end of the output of make demo ---\n{tail}", file=sys.stderr)
        return 1
    finally:
        if make is not None:
            kill_leftovers(make.pid, run)
            with contextlib.suppress(subprocess.TimeoutExpired):
                make.wait(10)
        shutil.rmtree(var_dir, ignore_errors=True)
    say("OK: make demo served / and /staff/ and stopped on SIGTERM without leftovers")
    return 0


def _interrupted(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt  # run the finally block: kill what is left of the demo


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _interrupted)
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
