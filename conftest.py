"""Suite-wide pytest setup."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("MADOGUCHI_TESTING", "1")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--reverse-order", action="store_true", help="run tests in reverse order (CI checks "
        "that no test depends on another having run first)"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--reverse-order"):
        items.reverse()
