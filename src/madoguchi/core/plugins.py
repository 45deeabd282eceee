"""The one plugin registry every kind of plugin uses (field types, channels, search sources, ...).

A registry maps a short id to a plugin. What a plugin *is* depends on the kind: field types
register their class (a field is built per spec), channels and providers register one instance.
The registry stores exactly the object it is given and hands it back unchanged, so
``@registry.register("text")`` works on a class and ``registry.register("email", EmailChannel())``
on an instance.

Rules shared by every kind:

- An id is a short non-empty string; registering an id twice is refused with
  :class:`DuplicatePlugin` (a plugin never silently replaces another one). Tests that need an
  extra plugin use :meth:`Registry.temporary`, which removes it again.
- :meth:`Registry.check_plugin` is the hook a kind overrides to validate what is registered
  (right base class, id matching the plugin's own name ...); it raises :class:`PluginError`.
- :meth:`Registry.is_enabled`: a plugin is enabled unless its id is listed for the registry in
  ``settings.MADOGUCHI_DISABLED_PLUGINS`` (``{"channels": ["line"]}``). A plugin whose ``demo``
  attribute is true is enabled only when ``settings.DEMO`` or ``settings.TESTING`` is on.
- A plugin's label (for :meth:`Registry.get_choices`) is its ``label`` attribute when that is a
  string or a lazy translation, else its id.

Plugins register themselves in the ``ready()`` of the app that owns their subject.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Generic, TypeVar, overload

from django.conf import settings
from django.utils.functional import Promise

T = TypeVar("T")

MAX_ID_LENGTH = 40


class PluginError(ValueError):
    """A plugin the registry refuses (bad id, failed :meth:`Registry.check_plugin`)."""


class DuplicatePlugin(PluginError):
    """An id that is already registered."""


class Registry(Generic[T]):
    """Plugins of one kind by id, in registration order.

    ``name`` identifies the registry in settings (``MADOGUCHI_DISABLED_PLUGINS``) and errors.
    A kind whose plugins are instances of one base class sets ``plugin_class`` (anything else
    is refused) and ``id_attribute`` (the plugin's own id, which must equal the registry id).
    """

    plugin_class: type | None = None
    id_attribute: str = ""

    def __init__(self, name: str) -> None:
        self.name = name
        self._plugins: dict[str, T] = {}

    # --- registering ----------------------------------------------------------------------
    @overload
    def register(self, plugin_id: str) -> Callable[[T], T]: ...

    @overload
    def register(self, plugin_id: str, plugin: T) -> T: ...

    def register(self, plugin_id: str, plugin: Any = None) -> Any:
        """Register ``plugin`` under ``plugin_id``; without ``plugin``, return a decorator."""
        if plugin is None:

            def decorator(obj: T) -> T:
                return self._add(plugin_id, obj)

            return decorator
        return self._add(plugin_id, plugin)

    def _add(self, plugin_id: str, plugin: T) -> T:
        if not isinstance(plugin_id, str) or not plugin_id or len(plugin_id) > MAX_ID_LENGTH:
            raise PluginError(f"{self.name}: a plugin id is a short non-empty string, "
                              f"not {plugin_id!r}")
        if plugin_id in self._plugins:
            raise DuplicatePlugin(f"{self.name}: {plugin_id!r} is already registered "
                                  f"({self._plugins[plugin_id]!r})")
        self.check_plugin(plugin_id, plugin)
        self._plugins[plugin_id] = plugin
        return plugin

    def check_plugin(self, plugin_id: str, plugin: T) -> None:
        """Validate ``plugin`` before it is registered; raise :class:`PluginError` to refuse it.

        The base checks ``plugin_class`` and ``id_attribute`` when set; a kind overrides it
        for more (call ``super()``).
        """
        if self.plugin_class is not None and not isinstance(plugin, self.plugin_class):
            raise PluginError(f"{self.name}: {plugin_id!r} must be a "
                              f"{self.plugin_class.__name__} instance")
        if self.id_attribute and getattr(plugin, self.id_attribute, None) != plugin_id:
            raise PluginError(f"{self.name}: {plugin_id!r} has the {self.id_attribute} "
                              f"{getattr(plugin, self.id_attribute, None)!r}; register a plugin "
                              "under its own id")

    def unregister(self, plugin_id: str) -> None:
        """Remove a plugin (KeyError when unknown). Product code never needs this."""
        del self._plugins[plugin_id]

    @contextmanager
    def temporary(self, plugin_id: str, plugin: T) -> Iterator[T]:
        """Register ``plugin`` for the ``with`` block only (for tests), then remove it."""
        self.register(plugin_id, plugin)
        try:
            yield plugin
        finally:
            self._plugins.pop(plugin_id, None)

    # --- reading --------------------------------------------------------------------------
    def __getitem__(self, plugin_id: str) -> T:
        return self._plugins[plugin_id]

    def get(self, plugin_id: str, default: T | None = None) -> T | None:
        return self._plugins.get(plugin_id, default)

    def __contains__(self, plugin_id: object) -> bool:
        return plugin_id in self._plugins

    def __iter__(self) -> Iterator[T]:
        """Every registered plugin (enabled or not), in registration order."""
        return iter(list(self._plugins.values()))

    def __len__(self) -> int:
        return len(self._plugins)

    def ids(self) -> list[str]:
        """Every registered id, in registration order."""
        return list(self._plugins)

    def items(self) -> list[tuple[str, T]]:
        return list(self._plugins.items())

    def is_enabled(self, plugin_id: str) -> bool:
        """Whether ``plugin_id`` is registered and not switched off (see the module docstring)."""
        plugin = self._plugins.get(plugin_id)
        if plugin is None:
            return False
        disabled = getattr(settings, "MADOGUCHI_DISABLED_PLUGINS", {}).get(self.name, ())
        if plugin_id in disabled:
            return False
        if getattr(plugin, "demo", False):
            return bool(getattr(settings, "DEMO", False) or getattr(settings, "TESTING", False))
        return True

    def enabled(self) -> list[tuple[str, T]]:
        """The enabled plugins as ``(id, plugin)``, in registration order."""
        return [(pid, p) for pid, p in self._plugins.items() if self.is_enabled(pid)]

    def get_label(self, plugin_id: str) -> str:
        """The plugin's ``label`` (a string or lazy translation), else its id."""
        label = getattr(self._plugins[plugin_id], "label", "")
        return str(label) if isinstance(label, str | Promise) and label else plugin_id

    def get_choices(self) -> list[tuple[str, str]]:
        """``(id, label)`` of the enabled plugins, for a select box."""
        return [(pid, self.get_label(pid)) for pid, _p in self.enabled()]

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}: {', '.join(self._plugins)}>"
