"""The shared plugin registry: ids, duplicates, the check hook, enabling, choices, temporary."""

from __future__ import annotations

import abc

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy

from madoguchi.core.plugins import DuplicatePlugin, PluginError, Registry


class Greeter(abc.ABC):
    """A toy plugin kind: says hello in its own way."""

    label = "Greeter"
    demo = False

    @abc.abstractmethod
    def greet(self, name: str) -> str:
        """The greeting for ``name``."""


class Polite(Greeter):
    label = "Polite"

    def greet(self, name: str) -> str:
        return f"{name}様、こんにちは"


class DemoGreeter(Greeter):
    label = "Demo"
    demo = True

    def greet(self, name: str) -> str:
        return f"demo {name}"


class GreeterRegistry(Registry[Greeter]):
    def check_plugin(self, plugin_id: str, plugin: Greeter) -> None:
        if not isinstance(plugin, Greeter):
            raise PluginError(f"{plugin_id!r} is not a Greeter")


@pytest.fixture
def greeters() -> GreeterRegistry:
    return GreeterRegistry("greeters")


def test_register_an_instance_and_read_it_back(greeters):
    polite = greeters.register("polite", Polite())
    assert greeters["polite"] is polite
    assert greeters.get("polite") is polite
    assert greeters.get("missing") is None
    assert "polite" in greeters and "missing" not in greeters
    assert list(greeters) == [polite]
    assert greeters.ids() == ["polite"]
    assert len(greeters) == 1


def test_register_as_a_decorator_returns_the_class_unchanged():
    classes: Registry[type] = Registry("classes")

    @classes.register("polite")
    class Local(Polite):
        pass

    assert classes["polite"] is Local
    assert Local().greet("山田") == "山田様、こんにちは"


def test_duplicates_are_refused_and_the_first_stays(greeters):
    first = greeters.register("polite", Polite())
    with pytest.raises(DuplicatePlugin, match="'polite' is already registered"):
        greeters.register("polite", Polite())
    assert greeters["polite"] is first


@pytest.mark.parametrize("bad", ["", "x" * 41, None, 3])
def test_an_id_is_a_short_non_empty_string(greeters, bad):
    with pytest.raises(PluginError):
        greeters.register(bad, Polite())
    assert len(greeters) == 0


def test_check_plugin_refuses_what_the_kind_does_not_accept(greeters):
    with pytest.raises(PluginError, match="not a Greeter"):
        greeters.register("wrong", object())
    assert "wrong" not in greeters


def test_disabled_by_setting(greeters, settings):
    greeters.register("polite", Polite())
    assert greeters.is_enabled("polite")
    settings.MADOGUCHI_DISABLED_PLUGINS = {"greeters": ["polite"]}
    assert not greeters.is_enabled("polite")
    assert greeters.get_choices() == []
    settings.MADOGUCHI_DISABLED_PLUGINS = {"other": ["polite"]}
    assert greeters.is_enabled("polite")


def test_unknown_plugin_is_not_enabled(greeters):
    assert not greeters.is_enabled("missing")


def test_demo_plugin_only_in_demo_or_tests(greeters, settings):
    greeters.register("demo", DemoGreeter())
    settings.DEMO, settings.TESTING = False, False
    assert not greeters.is_enabled("demo")
    settings.DEMO = True
    assert greeters.is_enabled("demo")
    settings.DEMO, settings.TESTING = False, True
    assert greeters.is_enabled("demo")


def test_choices_list_enabled_plugins_with_their_labels(greeters, settings):
    settings.DEMO, settings.TESTING = False, False
    greeters.register("polite", Polite())
    greeters.register("demo", DemoGreeter())
    plain = greeters.register("plain", Polite())
    plain.label = ""
    assert greeters.get_choices() == [("polite", "Polite"), ("plain", "plain")]
    assert greeters.enabled() == [("polite", greeters["polite"]), ("plain", plain)]


def test_temporary_registration_is_removed_afterwards(greeters):
    with greeters.temporary("polite", Polite()) as polite:
        assert greeters["polite"] is polite
    assert "polite" not in greeters


def test_temporary_registration_is_removed_after_an_error(greeters):
    with pytest.raises(RuntimeError), greeters.temporary("polite", Polite()):
        raise RuntimeError("boom")
    assert "polite" not in greeters


def test_temporary_registration_refuses_a_duplicate_and_keeps_the_original(greeters):
    original = greeters.register("polite", Polite())
    with pytest.raises(DuplicatePlugin), greeters.temporary("polite", Polite()):
        pass
    assert greeters["polite"] is original


def test_unregister(greeters):
    greeters.register("polite", Polite())
    greeters.unregister("polite")
    assert "polite" not in greeters
    with pytest.raises(KeyError):
        greeters.unregister("polite")


class Named(Polite):
    def __init__(self, code: str) -> None:
        self.code = code


class CodedGreeters(Registry[Greeter]):
    plugin_class = Greeter
    id_attribute = "code"


def test_plugin_class_and_id_attribute_are_checked():
    coded = CodedGreeters("coded")
    with pytest.raises(PluginError, match="must be a Greeter instance"):
        coded.register("x", object())
    with pytest.raises(PluginError, match="has the code 'y'"):
        coded.register("x", Named("y"))
    assert coded.register("x", Named("x")).code == "x"
    assert coded.ids() == ["x"]


def test_a_label_that_is_no_text_falls_back_to_the_id():
    classes: Registry[type] = Registry("classes")

    class WithProperty:
        @property
        def label(self) -> str:
            return "per instance"

    class Lazy:
        label = gettext_lazy("E-mail")

    classes.register("prop", WithProperty)
    classes.register("lazy", Lazy)
    with translation.override("en"):
        assert classes.get_choices() == [("prop", "prop"), ("lazy", "E-mail")]
    with translation.override("ja"):
        assert classes.get_choices() == [("prop", "prop"), ("lazy", "メール")]
