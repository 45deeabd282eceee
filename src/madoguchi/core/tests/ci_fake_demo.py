"""A stand-in for ``make demo`` in the tests of scripts/ci-demo-check.py.

``python ci_fake_demo.py PORT MODE`` serves the pages the check asks for and runs two processes
whose command lines name granian and db_worker, each in a process group of its own as serve
starts them (so a SIGTERM to the group of make does not reach them). On SIGTERM, MODE
``clean`` stops them and prints ``Stopped.`` as serve does; MODE ``leave`` exits without them,
leaving them behind.
"""

from __future__ import annotations

import http.server
import os
import signal
import subprocess
import sys
from typing import Any


class Pages(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # the name http.server calls
        if self.path == "/staff/":
            self.send_response(302)
            self.send_header("Location", "/staff/login/?next=/staff/")
            self.end_headers()
            return
        body = {"/": "<h1>緑ヶ丘市</h1>", "/staff/login/?next=/staff/": "<form></form>"}.get(
            self.path)
        self.send_response(200 if body else 404)
        data = (body or "not found").encode()
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


def main() -> None:
    port, mode = int(sys.argv[1]), sys.argv[2]
    children = [subprocess.Popen(  # noqa: S603 - fixed argv
        [sys.executable, "-c", "import time; time.sleep(600)", name], process_group=0)
        for name in ("granian", "db_worker")]

    def stop(*_: Any) -> None:
        # Nothing that can block in a signal handler (no wait, no buffered print): kill each
        # child's group, say so, exit. The killed children are reaped by whoever adopts them.
        if mode == "clean":
            for child in children:
                os.killpg(child.pid, signal.SIGKILL)
            os.write(1, b"Stopped.\n")
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    http.server.HTTPServer(("127.0.0.1", port), Pages).serve_forever()


if __name__ == "__main__":
    main()
