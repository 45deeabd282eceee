"""Demo data for this app (called by ``load_demo_city``; must be idempotent)."""

from __future__ import annotations


def load_demo() -> dict[str, int]:
    """Create or update the demo rows. Returns counts for the summary line."""
    return {}
