"""bench/submit.py counts only the applications its own residents submitted."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest
from django.utils import timezone

from madoguchi.core.models import User
from madoguchi.demo.cases import load_demo_cases
from madoguchi.residents.models import Resident

REPO = Path(__file__).resolve().parents[4]


def load_bench(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_submit", REPO / "bench" / "submit.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_count_leaves_out_the_demo_sample_cases(demo, make_application, monkeypatch, capsys):
    bench = load_bench(monkeypatch)
    load_demo_cases(count=3)  # what serve loads in the demo before the bench starts
    prefix = "bench4242-"
    for number in range(2):
        user = User.objects.create_user(email=f"{prefix}{number:05d}@bench.example.jp",
                                         password=None, kind=User.Kind.RESIDENT)
        Resident.objects.create(user=user, email_confirmed_at=timezone.now())  # as the bench does
        make_application(user=user)
    monkeypatch.setenv("BENCH_PREFIX", prefix)
    capsys.readouterr()
    exec(bench.COUNT_ROWS, {})  # noqa: S102 - the bench's own script, run as manage.py shell -c does
    line = capsys.readouterr().out.strip().splitlines()[-1]
    counts = json.loads(line.removeprefix("BENCH-RESULT "))
    assert counts["applications"] == 2
    assert counts["with_receipt"] == 2
    assert counts["other_applications"] == 3

