"""The seam through which an app above ``applications`` shows something of its own on the staff
case page, beside the answers (e.g. the resident's signature given at a counter visit).

``applications`` never imports those apps: each registers a panel here in its
``AppConfig.ready()``. A panel is given the application and returns HTML (already escaped, a
``SafeString``) or "" when it has nothing to show for it. The case page's view is audit-logged
as a whole, so a panel shows only what belongs to that case.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.utils.safestring import SafeString

from madoguchi.core.plugins import Registry

if TYPE_CHECKING:
    from .models import Application

CasePanel = Callable[["Application"], SafeString | str]

case_panels: Registry[CasePanel] = Registry("case_panels")


def panels(application: Application) -> list[SafeString | str]:
    """The HTML of every enabled panel that has something to show for ``application``."""
    shown = []
    for _id, panel in case_panels.enabled():
        html = panel(application)
        if html:
            shown.append(html)
    return shown
