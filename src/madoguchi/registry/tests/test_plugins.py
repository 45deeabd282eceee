"""The registry connector contract: registry rules and the abstract methods a connector needs."""

from __future__ import annotations

import datetime as dt

import pytest

from madoguchi.core.plugins import DuplicatePlugin, PluginError
from madoguchi.registry.plugins import (
    RegistryConnector,
    ResidentQuery,
    ResidentRecord,
    registry_connectors,
)

TARO = ResidentRecord(record_id="1", name="山田 太郎", kana="ヤマダ タロウ",
                      birth_date=dt.date(1980, 4, 1), sex="男", address="緑ヶ丘市本町1-2-3",
                      household_id="h1", relationship="世帯主")


class Toy(RegistryConnector):
    """A toy connector for this test: one household in memory."""

    id = "toy"
    label = "Toy registry"

    def find(self, query, *, limit=20):
        if query.is_empty():
            raise ValueError("an empty query")
        return [TARO] if query.birth_date in (None, TARO.birth_date) else []

    def household(self, household_id):
        return [TARO] if household_id == "h1" else []

    def changes(self, *, since):
        yield TARO


def test_abstract_methods_are_enforced():
    class Incomplete(RegistryConnector):
        id = "incomplete"

        def find(self, query, *, limit=20):
            return []

    with pytest.raises(TypeError, match="household"):
        Incomplete()


def test_the_registry_refuses_other_objects_mismatched_ids_and_duplicates():
    with pytest.raises(PluginError):
        registry_connectors.register("toy", object())
    with pytest.raises(PluginError, match="has the id 'toy'"):
        registry_connectors.register("other", Toy())
    with registry_connectors.temporary("toy", Toy()), pytest.raises(DuplicatePlugin):
        registry_connectors.register("toy", Toy())
    assert "toy" not in registry_connectors


def test_a_registered_connector_through_the_contract():
    assert ResidentQuery().is_empty() and not ResidentQuery(kana="ヤマダ").is_empty()
    with registry_connectors.temporary("toy", Toy()) as toy:
        assert registry_connectors["toy"] is toy
        assert toy.find(ResidentQuery(name="山田 太郎", birth_date=dt.date(1980, 4, 1))) == [TARO]
        assert toy.find(ResidentQuery(name="山田 太郎", birth_date=dt.date(1990, 1, 1))) == []
        with pytest.raises(ValueError):
            toy.find(ResidentQuery())
        assert toy.household("h1") == [TARO] and toy.household("nope") == []
        assert list(toy.changes(since=None)) == [TARO]
