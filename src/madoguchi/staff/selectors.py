"""Reads for the staff pages: a department's staff."""

from __future__ import annotations

from .models import StaffMember, StaffTOTP


def department_staff(department_id: int) -> list[tuple[StaffMember, StaffTOTP | None]]:
    """The staff of a department, by name, each with their authenticator (or None)."""
    members = list(
        StaffMember.objects.filter(department_id=department_id)
        .select_related("user", "department")
        .order_by("family_name", "given_name", "pk")
    )
    totps = {t.user_id: t for t in StaffTOTP.objects.filter(
        user_id__in=[m.user_id for m in members]).only("id", "user_id", "confirmed_at")}
    return [(m, totps.get(m.user_id)) for m in members]
