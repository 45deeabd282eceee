"""Prefill sources: values a form can start with, each with where it came from.

A source is a plugin: a subclass of :class:`PrefillSource`, one instance registered in
:data:`prefill_sources` under its ``id`` from the ``ready()`` of the app that owns the data (a
verified identity, the resident master, the resident's profile). A form asks for attributes by
name (``name``, ``name_kana``, ``birth_date``, ``sex``, ``address``, ``postal_code``, ``phone``,
``email`` ...) and shows what came back as a suggestion the resident confirms, naming its source.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, ClassVar

from django.http import HttpRequest

from madoguchi.core.plugins import Registry


@dataclass(frozen=True)
class Prefilled:
    """One value and its provenance.

    ``value`` is in the shape the field type stores (e.g. a name is ``{"family": ...,
    "given": ...}``, a date an ISO string); ``source`` is the source's id, ``provenance`` a
    translatable phrase for the resident (「マイナンバーカードで確認した情報」), ``verified``
    whether the source vouches for it (an identity provider, the core system) rather than
    repeating what the resident typed before, ``as_of`` when the source last knew it.
    """

    value: Any
    source: str
    provenance: Any
    verified: bool = False
    as_of: dt.datetime | None = None


class PrefillSource(ABC):
    """The contract of a prefill source.

    Attributes: ``id`` (registry id), ``label`` (translatable), ``attributes`` (the names it
    may answer), ``demo`` (enabled only with MADOGUCHI_DEMO or in tests).

    A source reads, never writes; it is called while a form page renders, so it answers fast
    or not at all. It returns only data about the person making the request (the signed-in
    resident, or the person a clerk opened at the counter) and only the attributes asked for.
    """

    id: ClassVar[str] = ""
    label: ClassVar[Any] = ""
    attributes: ClassVar[frozenset[str]] = frozenset()
    demo: ClassVar[bool] = False

    @abstractmethod
    def prefill(self, request: HttpRequest, attributes: Collection[str]) -> dict[str, Prefilled]:
        """Values for those of ``attributes`` this source knows about ``request.user``.

        Keys are attribute names from ``attributes`` (others are ignored by the caller);
        an attribute the source does not know is simply absent. Returns ``{}`` for an
        anonymous request or when the source cannot answer now: prefill is a convenience and
        never blocks the form, so a source does not raise for an unavailable backend.
        """


class PrefillSourceRegistry(Registry[PrefillSource]):
    """The installed prefill sources (one instance each, registered under their ``id``)."""

    plugin_class = PrefillSource
    id_attribute = "id"


prefill_sources = PrefillSourceRegistry("prefill_sources")
