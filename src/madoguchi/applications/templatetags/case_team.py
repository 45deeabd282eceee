"""The case page's team panel: who works on the case, and the staff's internal comments."""

from __future__ import annotations

from typing import Any

from django import template

from .. import selectors

register = template.Library()


@register.inclusion_tag("applications/staff/_team.html")
def case_team(application: Any, staff: Any, part: str = "", back: str = "") -> dict[str, Any]:
    """Assignment form and comments, or one ``part`` ("assign" or "comments"); staff pages only
    (the resident's pages never load it). ``back`` carries the inbox filters through the POST."""
    return {
        "application": application,
        "staff": staff,
        "back": back,
        "assign": part != "comments",
        "assignable": selectors.assignable_staff(staff.department_id) if part != "comments" else [],
        "show_comments": part != "assign",
        "comments": selectors.comments(application) if part != "assign" else [],
    }
