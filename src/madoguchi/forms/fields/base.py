"""The field-type registry: each type parses, validates, normalises, displays and masks a value.

A field type turns what the resident typed (``raw``, kept to re-display the form) into a clean,
JSON-serialisable ``value`` or raises :class:`FieldError` with a message for the resident.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from madoguchi.core import languages
from madoguchi.core.i18n import localized, resolve
from madoguchi.core.plugins import PluginError, Registry
from madoguchi.jp.errors import JPValueError

from .options import VALUE_OPTIONS, FieldOption, PaletteEntry

MAX_INPUT_LENGTH = 2000
MAX_CHECKED = 100  # checkbox values read from one POST


class FieldError(Exception):
    """A value the resident must correct; ``message`` says what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def jp_error(exc: JPValueError, translated: str) -> FieldError:
    """In Japanese, the precise message of the jp helpers; in any other language (やさしい日本語
    included) ``translated``, the gettext message of the field."""
    if languages.normalize(translation.get_language() or languages.BASE_LANGUAGE) == "ja":
        return FieldError(exc.message)
    return FieldError(translated)


def fallback_language(value: Any) -> str:
    """The language ``value`` (content by language) is shown in when it is not the active
    language's, e.g. ``ja`` for a label without a Vietnamese translation; ``''`` otherwise."""
    text, shown_in = resolve(value)
    active = languages.normalize(translation.get_language()) or languages.BASE_LANGUAGE
    if not text or shown_in.split("-")[0] == active.split("-")[0]:
        return ""
    return shown_in


def spec_name(spec: Mapping[str, Any]) -> str:
    """How a spec problem names its field: 「label」(key), or (key) without a label."""
    label = str(localized(spec.get("label")) or "").strip()
    key = str(spec.get("key", ""))[:40]
    return f"「{label}」({key})" if label else f"({key})"


def whole_number(value: Any, minimum: int | None = None) -> bool:
    """Whether a spec option is an integer (not a bool) of at least ``minimum``."""
    ok = isinstance(value, int) and not isinstance(value, bool)
    return ok and (minimum is None or value >= minimum)


def int_option(spec: Mapping[str, Any], name: str, default: int | None) -> int | None:
    """A whole-number option, or ``default`` when it is missing or unusable."""
    value = spec.get(name)
    return value if whole_number(value) else default

def join_list(items: Iterable[str]) -> str:
    """Items joined with the language's list separator (、 in Japanese)."""
    return pgettext("list separator", ", ").join(items)

class FieldType:
    """Base class. Subclasses set ``type_name`` and ``template`` and override ``clean``.

    ``spec_options`` declares the type's own options and ``palette`` its entries in the
    builder's palette (:mod:`.options`); the builder and the interchange format are made from
    them.
    """

    type_name: ClassVar[str]
    template: ClassVar[str]
    has_value: ClassVar[bool] = True
    sensitive: ClassVar[bool] = False
    spec_options: ClassVar[tuple[FieldOption, ...]] = ()
    palette: ClassVar[tuple[PaletteEntry, ...]] = ()

    @classmethod
    def declared_options(cls) -> tuple[FieldOption, ...]:
        """Every option a spec of this type may have besides the common ones: the type's own
        (``spec_options``), then those of every field that takes a value (``concept``)."""
        return cls.spec_options + (VALUE_OPTIONS if cls.has_value else ())

    @classmethod
    def spec_problems(cls, spec: Mapping[str, Any]) -> list[str]:
        """What is wrong with this type's own options in ``spec`` (translated, for the builder).

        The definition checker calls it after the common checks (key, type, label); a type
        overrides it to check its options, e.g. a choice needs options, min must not exceed max.
        """
        return []

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.spec = spec
        self.key: str = spec["key"]
        self.required: bool = bool(spec.get("required", False))

    # --- labels -------------------------------------------------------------------------
    @property
    def label(self) -> str:
        return localized(self.spec.get("label"))

    @property
    def hint(self) -> str:
        return localized(self.spec.get("hint"))

    @property
    def label_fallback(self) -> str:
        """The language of the label when a missing translation fell back to it (for a ``lang``
        attribute, so a screen reader reads Japanese as Japanese on a Vietnamese page)."""
        return fallback_language(self.spec.get("label"))

    @property
    def hint_fallback(self) -> str:
        """As :attr:`label_fallback`, for the hint."""
        return fallback_language(self.spec.get("hint"))

    @property
    def input_id(self) -> str:
        """The id of the first input, the target of the error summary's link."""
        return f"f-{self.key}"

    # --- values -------------------------------------------------------------------------
    def raw_from_post(self, data: Mapping[str, Any], files: Mapping[str, Any] | None = None) -> Any:
        """What the resident typed, as text, bounded in length (JSON-serialisable: drafts keep it).

        ``files`` holds the uploaded files of the request, for the types that take files.
        """
        value = data.get(self.key, "")
        return value[:MAX_INPUT_LENGTH] if isinstance(value, str) else ""

    def action(self, raw: Any, command: str) -> tuple[Any, Any]:
        """Handle a button of this field other than "continue" (``_action=<key>:<command>``).

        Returns the new raw value and feedback for the template (e.g. the address look-up's
        result, a row added to a group). Nothing is validated; the page is shown again.
        """
        return raw, None

    def is_empty(self, raw: Any) -> bool:
        return raw is None or (isinstance(raw, str) and not raw.strip())

    def validate(self, raw: Any) -> Any:
        """Return the clean value (``None`` when optional and empty) or raise FieldError."""
        if self.is_empty(raw):
            if self.required:
                raise FieldError(self.required_message())
            return None
        return self.clean(raw)

    def required_message(self) -> str:
        return _("Enter %(label)s.") % {"label": self.label}

    def clean(self, raw: Any) -> Any:
        return raw.strip()

    def raw_from_value(self, value: Any) -> Any:
        """What to put back into the inputs for a stored value (e.g. after a change link)."""
        return "" if value is None else str(value)

    def display(self, value: Any) -> str:
        """The value as the resident and staff read it."""
        return "" if value is None else str(value)

    def export(self, value: Any) -> str:
        return self.display(value)

    @property
    def is_sensitive(self) -> bool:
        """Sensitive values are encrypted at rest and masked for roles that may not see them."""
        return self.sensitive or bool(self.spec.get("sensitive"))

    def mask(self, value: Any) -> str:
        return "＊＊＊＊" if self.is_sensitive and value not in (None, "") else self.display(value)

    def on_submit(self, application: Any, value: Any, *, answers: Mapping[str, Any],
                  user: Any) -> None:
        """Act on the clean ``value`` when the application is created (e.g. book a seat).

        Runs inside the transaction that creates ``application``; raise FieldError to refuse
        the submission (nothing is stored and the resident sees the message).
        """


class FieldRegistry(Registry[type[FieldType]]):
    """Maps a definition's ``type`` to its field class (a class is built once per spec)."""

    def check_plugin(self, plugin_id: str, plugin: type[FieldType]) -> None:
        if not (isinstance(plugin, type) and issubclass(plugin, FieldType)):
            raise PluginError(f"field type {plugin_id!r} must be a FieldType subclass")
        if getattr(plugin, "type_name", None) != plugin_id:
            raise PluginError(f"field type {plugin_id!r} is registered under another name than "
                              f"its type_name {getattr(plugin, 'type_name', None)!r}")
        names = [option.name for option in plugin.declared_options()]
        if len(names) != len(set(names)):
            raise PluginError(f"field type {plugin_id!r} declares an option twice")
        taken = {entry.name for _cls, entry in self.palette_entries()}
        clash = sorted(taken & {entry.name for entry in plugin.palette})
        if clash:
            raise PluginError(f"field type {plugin_id!r}: the palette already has {clash}")

    def palette_entries(self) -> list[tuple[type[FieldType], PaletteEntry]]:
        """Every type's palette entries with their type, in palette order."""
        entries = [(cls, entry) for cls in self for entry in cls.palette]
        return sorted(entries, key=lambda item: item[1].order)

    def build(self, spec: Mapping[str, Any]) -> FieldType:
        try:
            cls = self[spec["type"]]
        except KeyError as exc:
            raise ValueError(f"unknown field type {spec.get('type')!r}") from exc
        return cls(spec)

    def type_of(self, type_name: str) -> type[FieldType]:
        """The class registered for ``type_name`` (KeyError when unknown)."""
        return self[type_name]

    @property
    def names(self) -> list[str]:
        return sorted(self.ids())


registry = FieldRegistry("field_types")

class CompositeField(FieldType):
    """A field made of several inputs named ``<key>-<part>``; raw and clean values are dicts."""

    parts: tuple[str, ...] = ()
    part_max_length: ClassVar[int] = 100

    @property
    def input_id(self) -> str:
        return f"f-{self.key}-{self.parts[0]}"

    def raw_from_post(
        self, data: Mapping[str, Any], files: Mapping[str, Any] | None = None
    ) -> dict[str, str]:
        raw = {}
        for part in self.parts:
            value = data.get(f"{self.key}-{part}", "")
            raw[part] = value[: self.part_max_length] if isinstance(value, str) else ""
        return raw

    def is_empty(self, raw: Any) -> bool:
        if not isinstance(raw, Mapping):
            return not raw or (isinstance(raw, str) and not raw.strip())
        return all(not str(v).strip() for v in raw.values())
