"""The waiting room for the opening rush (順番待ち)."""

from __future__ import annotations
