"""``manage.py serve``: prepare the database and run the web server and the task worker.

This is what ``make demo`` runs and what the benchmarks start, so both measure the same thing:
granian (WSGI, several worker processes) serving Django, whitenoise serving static files,
and django-tasks-db's worker sending e-mails in the background.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def wait_until_up(host: str, port: int, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.2)
    return False


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
            from madoguchi.reservations.tasks import start_clock

            start_clock()  # reminders and waitlist offer expiry, every five minutes
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "madoguchi.settings"}
        threads = options["threads"] or (2 if connection.vendor == "sqlite" else 8)
        children: list[subprocess.Popen[bytes]] = []
        if not options["no_worker"]:
            children.append(subprocess.Popen(  # noqa: S603 - fixed argv
                [sys.executable, "-m", "django", "db_worker", "--no-reload", "-v", "0"], env=env
            ))
        children.append(subprocess.Popen(  # noqa: S603 - fixed argv
            [sys.executable, "-m", "granian", "--interface", "wsgi", "--host", host,
             "--port", str(port), "--workers", str(options["workers"]),
             "--blocking-threads", str(threads), "--no-ws",
             "--log-level", "warning", "madoguchi.wsgi:application"],
            env=env,
        ))

        def stop(*_: Any) -> None:
            for child in children:
                if child.poll() is None:
                    child.terminate()
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
            sys.exit(0)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        if not wait_until_up(host, port):
            stop()
        self.stdout.write(self.banner(host, port))
        while all(child.poll() is None for child in children):
            time.sleep(1)
        stop()

    def banner(self, host: str, port: int) -> str:
        base = f"http://{host}:{port}"
        lines = [
            "",
            f"Madoguchi is running: {base}/",
            f"  Residents:        {base}/",
            f"  Staff back office: {base}/staff/",
        ]
        if settings.DEMO:
            from madoguchi.catalog.demo import DEMO_PASSWORD, DEMO_RESIDENT_EMAIL, staff_email

            lines += [
                f"  Demo mailbox:     {base}/demo/mail/",
                "",
                f"Demo accounts (password for all: {DEMO_PASSWORD})",
                f"  Resident:                      {DEMO_RESIDENT_EMAIL}",
                f"  子育て支援課 staff (clerk):    {staff_email('kosodate1')}",
                f"  子育て支援課 staff (approver): {staff_email('kosodate2')}",
                f"  市民課 staff (clerk):          {staff_email('shimin1')}",
                "  Other departments: shimin / kenko / gakko / fukushi / zeimu + 1, 2, 3",
            ]
        lines += ["", "Press Ctrl+C to stop.", ""]
        return "\n".join(lines)
