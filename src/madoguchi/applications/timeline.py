"""The seam through which apps above ``applications`` add steps to a case's timeline and say
where the case stands now, for the resident (マイページ, the application page) and for staff.

A case's status is the decision (受付, 審査中, 承認 ...). What happens after the decision belongs
to other apps: a fee asked and paid (``payments``), a certificate posted (``issuance``). Each
registers, in its ``AppConfig.ready()``, a source of :class:`Step` (dated entries of the
timeline), a source of :class:`Progress` (the state to show beside the status, e.g.
支払待ち) and, if it can hold a case back, a release check. ``applications`` never imports
those apps, and they need not import each other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from madoguchi.core.plugins import Registry

if TYPE_CHECKING:
    from .models import Application


@dataclass(frozen=True)
class Step:
    """One dated entry of a case's timeline (already translated text)."""

    at: dt.datetime
    label: str
    detail: str = ""
    url: str = ""
    link_label: str = ""
    kind: str = ""  # a CSS modifier: "due", "paid", "posted"
    by: str = ""  # who did it (staff pages only)


@dataclass(frozen=True)
class Progress:
    """Where the case stands after its decision: a label, and what the resident does next."""

    code: str  # "awaiting_payment", "paid", "posted" ...
    label: str
    rank: int = 0  # the highest rank among the sources is shown
    url: str = ""
    action: str = ""


StepSource = Callable[["Application"], list[Step]]
ProgressSource = Callable[["Application"], "Progress | None"]
# Whether nothing the registering app owns holds the decided case back from being sent (e.g.
# ``payments``: no fee, or the fee paid or waived). ``issuance`` asks through :func:`cleared`.
ReleaseCheck = Callable[["Application"], bool]

timeline_sources: Registry[StepSource] = Registry("timeline_sources")
progress_sources: Registry[ProgressSource] = Registry("progress_sources")
release_checks: Registry[ReleaseCheck] = Registry("release_checks")


def steps(application: Application, *, for_staff: bool = False) -> list[Step]:
    """The status changes and every registered app's steps, oldest first. The resident sees
    the reasons of a 却下 and a 差戻し only; staff see every reason."""
    found = [
        Step(
            at=e.at,
            label=str(e.get_to_status_display()),
            detail=e.reason if for_staff or e.to_status in ("rejected", "returned") else "",
            kind=f"status-{e.to_status}",
            by=str(e.actor) if for_staff and e.actor else "",
        )
        for e in application.events.select_related("actor")
    ]
    for _id, source in timeline_sources.enabled():
        found.extend(source(application))
    return sorted(found, key=lambda s: s.at)


def progress(application: Application) -> Progress | None:
    """The furthest state a registered app reports for the case, or None."""
    shown = [
        p for _id, source in progress_sources.enabled() if (p := source(application)) is not None
    ]
    return max(shown, key=lambda p: p.rank) if shown else None


def cleared(application: Application) -> bool:
    """Whether no registered app holds the case back from its document being sent."""
    return all(check(application) for _id, check in release_checks.enabled())
