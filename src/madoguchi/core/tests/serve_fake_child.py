"""A stand-in for granian or db_worker in the tests of ``manage.py serve``.

``python serve_fake_child.py web PORT [options]`` binds PORT at once, like granian's main
process, but answers HTTP only after ``--delay`` seconds; ``python serve_fake_child.py worker``
just runs. ``--grandchild`` starts one more process in the same process group, like granian's
worker processes; on SIGTERM the fake stops it and exits, as granian does. ``--ignore-term``
ignores SIGTERM instead (a child that will not stop), ``--exit-after S --exit-code N`` exits on
its own after S seconds.
"""

from __future__ import annotations

import argparse
import http.server
import os
import signal
import subprocess
import sys
import threading
from typing import Any


class Answer(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # the name http.server calls
        body = b'{"status": "ok"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("role", choices=["web", "worker"])
    parser.add_argument("port", type=int, nargs="?")
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--grandchild", action="store_true")
    parser.add_argument("--ignore-term", action="store_true")
    parser.add_argument("--exit-after", type=float)
    parser.add_argument("--exit-code", type=int, default=0)
    args = parser.parse_args()

    grandchildren: list[subprocess.Popen[bytes]] = []

    def stop(*_: Any) -> None:
        for process in grandchildren:
            process.kill()
            process.wait()
        os._exit(0)

    signal.signal(signal.SIGTERM, signal.SIG_IGN if args.ignore_term else stop)
    if args.grandchild:
        grandchildren.append(subprocess.Popen(
            [sys.executable, "-c", "import time; time.sleep(600)"]))
    if args.exit_after is not None:
        threading.Timer(args.exit_after, os._exit, [args.exit_code]).start()
    if args.role == "web":
        server = http.server.HTTPServer(("127.0.0.1", args.port), Answer)  # binds and listens
        threading.Event().wait(args.delay)
        server.serve_forever()
    else:
        threading.Event().wait()


if __name__ == "__main__":
    main()
