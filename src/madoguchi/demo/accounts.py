"""The demo's published accounts: one password for all, the demo resident, staff addresses."""

from __future__ import annotations

STAFF_EMAIL_DOMAIN = "city.midorigaoka.example"
DEMO_PASSWORD = "madoguchi-demo"  # noqa: S105 - published demo credential, demo data only
DEMO_RESIDENT_EMAIL = "taro@example.jp"


def staff_email(username: str) -> str:
    """The demo address of a staff member, e.g. ``kosodate1@city.midorigaoka.example``."""
    return f"{username}@{STAFF_EMAIL_DOMAIN}"
