"""The demo's fictional resident registry, imported through the file-import connector."""

from __future__ import annotations

from madoguchi.demo import registry as registry_demo
from madoguchi.registry import selectors
from madoguchi.registry.models import ImportRun, Person
from madoguchi.registry.plugins import ResidentQuery


def test_demo_registry_is_deterministic_and_fictional():
    first = list(registry_demo.rows(300))
    assert first == list(registry_demo.rows(300))
    assert 300 <= len(first) <= 305
    assert all(r[0].startswith("99") and r[7].startswith("緑ヶ丘市") for r in first)
    assert {r[6] for r in first} >= {"世帯主", "妻", "子"}


def test_demo_registry_loads_once_and_is_searchable(db, tmp_path):
    assert registry_demo.load_demo(400, directory=tmp_path)["registry residents"] >= 400
    assert registry_demo.load_demo(400, directory=tmp_path) == {"registry residents": 0}
    assert ImportRun.objects.count() == 1
    assert Person.objects.filter(has_gaiji=True).exists()  # 髙橋, 𠮷田
    households = selectors.search(ResidentQuery(name="高橋"), limit=5)
    assert households and all(h.members for h in households)
