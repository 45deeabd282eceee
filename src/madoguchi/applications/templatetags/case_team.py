"""The case page's team panel: who works on the case, and the staff's internal comments."""

from __future__ import annotations

from typing import Any

from django import template

from .. import selectors

register = template.Library()


@register.inclusion_tag("applications/staff/_team.html")
def case_team(application: Any, staff: Any) -> dict[str, Any]:
    """Assignment form and comments; staff pages only (the resident's pages never load it)."""
    return {
        "application": application,
        "staff": staff,
        "assignable": selectors.assignable_staff(staff.department_id),
        "comments": selectors.comments(application),
    }
