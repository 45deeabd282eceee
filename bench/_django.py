"""What the in-process benchmarks share: the project's virtualenv and Django, a throw-away
database on the server ``DATABASE_URL`` names (else a temporary SQLite file), percentiles."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import NoReturn, TypeVar

T = TypeVar("T")

REPO = Path(__file__).resolve().parent.parent
VENV_PYTHON = REPO / ".venv" / "bin" / "python"


def rerun_under_project_venv(needs: str) -> NoReturn:
    """Re-run the calling script under the project's virtualenv (``needs`` is missing here), or
    exit saying how to run it when this already is that virtualenv."""
    # Compare environments, not binaries: the venv's python is a link to the same binary.
    venv = VENV_PYTHON.parent.parent
    if VENV_PYTHON.exists() and Path(sys.prefix).resolve() != venv.resolve():
        script = Path(sys.argv[0]).resolve()
        os.execv(VENV_PYTHON, [VENV_PYTHON, script, *sys.argv[1:]])  # noqa: S606
    sys.exit(f"{sys.argv[0]} needs {needs}: run it with .venv/bin/python (make bench)")


def env_int(name: str, default: int) -> int:
    """A whole number of at least 1 from the environment (``1_000_000`` allowed), else
    ``default``; exits with a message on anything else."""
    value = os.environ.get(name, "").strip()
    try:
        number = int(value.replace("_", "")) if value else default
    except ValueError:
        sys.exit(f"{name} must be a whole number, not {value!r}")
    if number < 1:
        sys.exit(f"{name} must be at least 1")
    return number


def use_project_django() -> None:
    """Re-run the calling script under the project's virtualenv if Django is missing here, then
    point Django at the project's settings (test mode: fast hashing, static files from apps)."""
    try:
        import django  # noqa: F401
    except ImportError:
        rerun_under_project_venv("Django")
    sys.path.insert(0, str(REPO / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "madoguchi.settings")
    os.environ["MADOGUCHI_TESTING"] = "1"


@contextlib.contextmanager
def throwaway_database(name: str) -> Iterator[None]:
    """Set up Django and a fresh database for the run, and drop it afterwards."""
    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases

    database = settings.DATABASES["default"]
    test = database.setdefault("TEST", {})
    with tempfile.TemporaryDirectory(prefix="madoguchi-bench-") as tmp:
        if database["ENGINE"].endswith("sqlite3"):
            test["NAME"] = str(Path(tmp) / f"{name}.sqlite3")
        else:
            test["NAME"] = f"madoguchi_bench_{name}_{os.getpid()}"
        settings.ALLOWED_HOSTS = ["testserver"]
        setup_test_environment()
        old = setup_databases(verbosity=0, interactive=False)
        try:
            yield
        finally:
            teardown_databases(old, verbosity=0)


def timed(fn: Callable[[T], object], items: Iterable[T]) -> list[float]:
    """Milliseconds taken by ``fn`` on each item, in order."""
    out = []
    for item in items:
        started = time.perf_counter()
        fn(item)
        out.append((time.perf_counter() - started) * 1000)
    return out


def analyze_search_table() -> None:
    """Give PostgreSQL's planner fresh statistics on the search table (nothing on SQLite)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE search_entry")


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]
