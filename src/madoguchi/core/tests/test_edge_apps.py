"""Production settings contain neither the demo nor the bench floor (edge apps)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[3]

# Loads the settings and the URL configuration as a server would and reports what it found.
PROBE = """
import json, sys
import django
django.setup()
from django.conf import settings
from django.urls import get_resolver

def routes(resolver, prefix=""):
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if hasattr(entry, "url_patterns"):
            yield from routes(entry, route)
        else:
            yield route

print(json.dumps({
    "apps": list(settings.INSTALLED_APPS),
    "routes": list(routes(get_resolver())),
    "modules": sorted(m for m in sys.modules if m.startswith("madoguchi.")),
}))
"""


def probe(tmp_path: Path, **flags: str) -> dict:
    """Run PROBE in a fresh interpreter whose environment has only ``flags`` set."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(SRC),
        "DJANGO_SETTINGS_MODULE": "madoguchi.settings",
        "MADOGUCHI_VAR_DIR": str(tmp_path),
        **flags,
    }
    result = subprocess.run(  # noqa: S603 - fixed argv: this interpreter and PROBE
        [sys.executable, "-c", PROBE], env=env, capture_output=True,
        text=True, timeout=120, check=True)
    return json.loads(result.stdout)


def test_production_settings_have_no_demo_or_bench(tmp_path):
    found = probe(tmp_path)
    assert not [app for app in found["apps"] if app in {"madoguchi.demo", "madoguchi.benchfloor"}]
    assert not [r for r in found["routes"] if r.startswith(("demo/", "bench/"))]
    # No product module imports the edge apps.
    assert not [m for m in found["modules"]
                if m.startswith(("madoguchi.demo", "madoguchi.benchfloor"))]
    assert "staff/" in found["routes"] and "madoguchi.staff" in found["apps"]


@pytest.mark.parametrize(("flag", "app", "route"), [
    ("MADOGUCHI_DEMO", "madoguchi.demo", "demo/mail/"),
    ("MADOGUCHI_BENCH", "madoguchi.benchfloor", "bench/floor/"),
    ("MADOGUCHI_TESTING", "madoguchi.demo", "demo/mail/"),
    ("MADOGUCHI_TESTING", "madoguchi.benchfloor", "bench/floor/"),
])
def test_each_edge_app_comes_with_its_setting(tmp_path, flag, app, route):
    found = probe(tmp_path, **{flag: "1"})
    assert app in found["apps"]
    assert route in found["routes"]
