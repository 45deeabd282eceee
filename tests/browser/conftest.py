"""Browser tests: a live Django server, the demo city, and headless Debian Chromium.

Playwright's sync API is used directly (not the pytest-playwright fixtures) so that the browser
is launched exactly as the machine needs: Debian's /usr/bin/chromium, no downloaded browsers.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an asyncio event loop in this thread; Django would otherwise refuse
# ORM calls made by the test code ("You cannot call this from an async context").
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser_support import (  # noqa: E402
    ARTIFACTS_DIR,
    ConsoleLog,
    PageFactory,
    assert_accessible as _assert_accessible,
)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium fonts-ipaexfont")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def demo_city(transactional_db: None, settings) -> None:  # noqa: ANN001
    """Every browser test starts from the demo city (the live server needs real commits).

    pytest-django swaps in Django's in-memory e-mail backend; the browser tests read sent mail
    from the project's mailbox model instead, as the demo does.
    """
    from madoguchi.catalog.demo import load_demo_city

    settings.EMAIL_BACKEND = "madoguchi.core.mail.MailboxBackend"
    load_demo_city()


@pytest.fixture
def new_page(browser, live_server) -> Iterator[PageFactory]:  # noqa: ANN001
    """Make pages in fresh browser contexts; all are closed at the end of the test.

    ``new_page(js=False)`` turns JavaScript off; ``bypass_csp=False`` keeps the site's Content
    Security Policy in force (axe-core cannot then be injected, so use it only for CSP checks).
    """
    factory = PageFactory(browser, live_server.url)
    yield factory
    factory.close()


@pytest.fixture
def page(new_page: PageFactory):  # noqa: ANN201
    """A JavaScript-enabled page, locale ja-JP, in a fresh context."""
    return new_page()


@pytest.fixture
def nojs_page(new_page: PageFactory):  # noqa: ANN201
    """A page with JavaScript turned off, locale ja-JP, in a fresh context."""
    return new_page(js=False)


@pytest.fixture
def assert_accessible() -> Callable[..., None]:
    """``assert_accessible(page)``: axe-core WCAG 2.x A/AA, fails on serious/critical issues."""
    return _assert_accessible


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    path = ARTIFACTS_DIR / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


__all__ = ["ConsoleLog"]
