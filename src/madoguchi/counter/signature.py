"""The resident's signature on the counter's screen: drawn with a pointer, or, without a
pointer or JavaScript, the full name typed and confirmed.

A drawn signature arrives as SVG path data in a fixed box (:data:`WIDTH` × :data:`HEIGHT`):
strokes of ``M x y`` followed by ``L x y`` with whole numbers only. It is checked strictly here
and every SVG or PDF drawing of it is built from the parsed points, never from the text posted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

WIDTH, HEIGHT = 600, 200
MAX_PATH = 20000  # characters of path data
MAX_NAME = 60
MIN_POINTS = 2
_COMMAND = re.compile(r"([ML]) (\d{1,4}) (\d{1,4})")
DRAWN, TYPED = "drawn", "typed"

Stroke = list[tuple[int, int]]


class SignatureRefused(ValueError):
    """What the resident sent is no signature; ``message`` says what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def parse_path(text: str) -> list[Stroke]:
    """The strokes of signature path data (``M 10 20 L 11 22 ...``); ValueError when it is not
    exactly that, or a point lies outside the box."""
    if not isinstance(text, str) or len(text) > MAX_PATH:
        raise ValueError("path data too long")
    strokes: list[Stroke] = []
    position = 0
    text = text.strip()
    while position < len(text):
        match = _COMMAND.match(text, position)
        if match is None:
            raise ValueError("not signature path data")
        command, x, y = match[1], int(match[2]), int(match[3])
        if x > WIDTH or y > HEIGHT:
            raise ValueError("a point outside the box")
        if command == "M":
            strokes.append([(x, y)])
        elif not strokes:
            raise ValueError("a line before any move")
        else:
            strokes[-1].append((x, y))
        position = match.end()
        while position < len(text) and text[position] == " ":
            position += 1
    return strokes


def path_of(strokes: list[Stroke]) -> str:
    """Path data written from parsed strokes (the stored, canonical form)."""
    return " ".join(" ".join(f"{'M' if i == 0 else 'L'} {x} {y}" for i, (x, y) in enumerate(s))
                    for s in strokes)


def read(post: Mapping[str, Any]) -> dict[str, str]:
    """The signature in the confirmation POST: ``{"method": "drawn", "path": ..., "name": ...}``
    when a drawing was sent, else ``{"method": "typed", "name": ...}`` when the full name was
    typed and its box ticked. Raises :class:`SignatureRefused` otherwise."""
    raw_name = post.get("signature_name", "")
    name = " ".join(str(raw_name).replace("\x00", "").split())[:MAX_NAME]
    raw_path = post.get("signature_path", "")
    if isinstance(raw_path, str) and raw_path.strip():
        try:
            strokes = parse_path(raw_path)
        except ValueError:
            strokes = []
        if sum(len(s) for s in strokes) >= MIN_POINTS:
            return {"method": DRAWN, "path": path_of(strokes), "name": name}
    if name and post.get("signature_ack") == "on":
        return {"method": TYPED, "name": name}
    if name:
        raise SignatureRefused(_("Tick the box to confirm that the name you typed is your "
                                 "signature."))
    raise SignatureRefused(_("Sign in the box with your finger or a pen, or type your full "
                             "name and tick the box below it."))


@dataclass(frozen=True)
class Shown:
    """A stored signature as the staff pages show it."""

    method: str
    name: str
    svg: SafeString | str


def svg(path: str, label: str) -> SafeString:
    """Inline SVG of stored path data (re-parsed: only numbers reach the markup)."""
    try:
        strokes = parse_path(path)
    except ValueError:
        strokes = []
    return format_html(
        '<svg class="counter-signature__svg" viewBox="0 0 {} {}" width="300" height="100" '
        'role="img" aria-label="{}">'
        '<path d="{}" fill="none" stroke="currentColor" stroke-width="3" '
        'stroke-linecap="round" stroke-linejoin="round"/></svg>',
        WIDTH, HEIGHT, label, path_of(strokes))


def shown(value: Mapping[str, Any]) -> Shown:
    """How staff see a stored signature."""
    method = str(value.get("method", ""))
    name = str(value.get("name", ""))
    if method == DRAWN:
        return Shown(DRAWN, name, svg(str(value.get("path", "")),
                                      _("Signature drawn by the resident")))
    return Shown(TYPED, name, "")
