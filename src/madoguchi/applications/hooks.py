"""What apps on higher floors may do right after a resident sends an application.

An app registers, in its ``ready()``, a function ``(request, application) -> url | None``;
the first one that answers a URL takes the resident there instead of the 「送信しました」
page (the payments app: a fee charged before sending, paid at once). Applications never
import those apps.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

from madoguchi.core.plugins import Registry

AfterSubmit = Callable[[HttpRequest, Any], "str | None"]

after_submit: Registry[AfterSubmit] = Registry("after_submit")


def next_url(request: HttpRequest, application: Any) -> str | None:
    """The URL the first hook answers for ``application``, else None."""
    for _hook_id, hook in after_submit.enabled():
        url = hook(request, application)
        if url:
            return url
    return None
