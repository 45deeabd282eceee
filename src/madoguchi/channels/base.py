"""The notification interface: a notice, who receives it, and the channels that deliver it.

Applications, issuance, reservations and inquiries call :func:`madoguchi.channels.services.notify`
with a :class:`Notice`; they never talk to a channel directly. Each channel is a plugin in
:data:`registry` (e-mail, LINE, ...), and each resident chooses which ones reach them.
Values every notice shows (the city's name ...) come from :data:`context_providers`, which the
apps owning them fill in their ``ready()``: the channels never import those apps.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.template.loader import render_to_string, select_template

from madoguchi.core.plugins import Registry

if TYPE_CHECKING:
    from madoguchi.core.models import User


@dataclass(frozen=True)
class Notice:
    """One message for one resident, rendered by each channel from ``template``.

    ``template`` is a template path without suffix: e-mail uses ``<template>_subject.txt`` and
    ``<template>.txt``; short-message channels (LINE) use ``<template>_line.txt`` when it exists,
    else the e-mail body. ``kind`` names the event (``application.status``, ``document.issued``,
    ``reservation.reminder`` ...), for preferences and the delivery log. ``url`` is the absolute
    link the resident acts on, when there is one.
    """

    kind: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    url: str = ""


@dataclass(frozen=True)
class Recipient:
    """Who a notice goes to: an account (may be ``None`` for guests) and/or an e-mail address."""

    user: User | None
    email: str
    language: str


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


def render(notice: Notice, context: dict[str, Any], *, short: bool = False) -> Rendered:
    """Render ``notice`` (in the active language). ``short`` prefers the ``_line`` template."""
    subject = render_to_string(f"{notice.template}_subject.txt", context)
    names = [f"{notice.template}_line.txt", f"{notice.template}.txt"] if short else [
        f"{notice.template}.txt"]
    body = select_template(names).render(context)
    return Rendered(subject=" ".join(subject.split()), body=body)


class Channel(ABC):
    """A way to reach a resident. Subclasses set ``code`` and ``label`` and implement both hooks."""

    code: str = ""
    label: Any = ""

    @abstractmethod
    def can_reach(self, recipient: Recipient) -> bool:
        """Whether this channel can reach ``recipient`` now (linked, followed, has an address)."""

    @abstractmethod
    def deliver(self, recipient: Recipient, notice: Notice, context: dict[str, Any]) -> None:
        """Send ``notice`` now (called inside the active language), or raise to report failure."""


class ChannelRegistry(Registry[Channel]):
    """The installed channels (one instance each), by code, in registration order.

    A channel registers itself once: ``registry.register("email", EmailChannel())``; the id must
    be the channel's ``code``. Notices only go through enabled channels.
    """

    plugin_class = Channel
    id_attribute = "code"

    def codes(self) -> list[str]:
        return self.ids()


registry = ChannelRegistry("channels")


NoticeContextProvider = Callable[[], Mapping[str, Any]]
"""A function giving template values for every notice (e.g. ``{"city": <City>}``)."""

context_providers: Registry[NoticeContextProvider] = Registry("notice_context")
"""Providers of the values every notice is rendered with, by id; the catalog registers "city"."""


def shared_context() -> dict[str, Any]:
    """The values of every enabled provider, merged in registration order."""
    context: dict[str, Any] = {}
    for _id, provider in context_providers.enabled():
        context.update(provider())
    return context
