"""scripts/ci-demo-check.py passes a demo that stops cleanly and fails one that leaves processes.

``make`` is given a small Makefile whose ``demo`` target runs ci_fake_demo.py instead of serve.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[4]
CHECK = REPO / "scripts" / "ci-demo-check.py"
FAKE_DEMO = Path(__file__).with_name("ci_fake_demo.py")

pytestmark = pytest.mark.skipif(
    shutil.which("make") is None or not Path("/proc/self/stat").exists(),
    reason="needs make and /proc",
)


def run_check(tmp_path: Path, mode: str, stop_timeout: int) -> subprocess.CompletedProcess[str]:
    makefile = tmp_path / "Makefile"
    makefile.write_text(f"demo:\n\t{sys.executable} {FAKE_DEMO} $(PORT) {mode}\n")
    env = {**os.environ, "CI_DEMO_TIMEOUT": "60", "CI_DEMO_STOP_TIMEOUT": str(stop_timeout)}
    return subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, str(CHECK), "-f", str(makefile)], env=env, capture_output=True,
        text=True, timeout=120, check=False,
    )


def fake_demo_processes() -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if str(FAKE_DEMO) in cmdline or "time.sleep(600)\0granian" in cmdline:
            found.append(cmdline)
    return found


def test_a_demo_that_stops_cleanly_passes(tmp_path):
    # A clean stop is seen as soon as it happens; the long limit only matters on a loaded machine.
    result = run_check(tmp_path, "clean", stop_timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "GET /staff/ → 200" in result.stdout
    assert "every process of the demo has stopped" in result.stdout


def test_a_demo_that_leaves_processes_fails_and_is_cleaned_up(tmp_path):
    result = run_check(tmp_path, "leave", stop_timeout=2)
    assert result.returncode == 1, result.stdout + result.stderr
    # The two children the fake leaves behind, and on a loaded machine perhaps make and the fake
    # itself, which had no time to exit yet.
    assert re.search(r"ci-demo-check: FAILED: [2-4] processes of the demo still run 2 s after "
                     r"SIGTERM", result.stderr), result.stderr
    assert "granian" in result.stderr and "db_worker" in result.stderr
    assert not fake_demo_processes()
