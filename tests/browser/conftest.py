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
from playwright.sync_api import expect

sys.path.insert(0, str(Path(__file__).resolve().parent))

import browser_support
from browser_support import ARTIFACTS_DIR, PageFactory

# Generous limits: they only matter when something is broken, and CI machines can be busy.
expect.set_options(timeout=10_000)

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


class BrowserSession:
    """One Chromium for all the browser tests, stopped as soon as they are over.

    Playwright's sync API keeps an asyncio event loop running in this thread while it is
    started, so Django's async-safety check must be relaxed for the test code's ORM calls
    (DJANGO_ALLOW_ASYNC_UNSAFE). Both are undone when the run leaves this directory, so unit
    tests collected after (or, with --reverse-order, before) these keep Django's checks and
    can still use asyncio.run.
    """

    def __init__(self) -> None:
        self._playwright = None
        self._browser = None

    def get(self):
        if self._browser is None:
            if not Path(CHROMIUM).exists():
                pytest.fail(
                    f"{CHROMIUM} is missing: run scripts/ensure-system-packages.sh test as root"
                )
            from playwright.sync_api import sync_playwright

            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS
            )
        return self._browser

    def stop(self) -> None:
        if self._browser is not None:
            self._browser.close()
            self._playwright.stop()
            self._browser = self._playwright = None
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


BROWSER_SESSION = BrowserSession()
HERE = Path(__file__).resolve().parent


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    result = yield
    if nextitem is None or HERE not in Path(nextitem.path).resolve().parents:
        BROWSER_SESSION.stop()
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    report = yield
    if report.when == "call":
        item.madoguchi_failed = report.failed
    return report


@pytest.fixture
def browser():
    """Headless Debian Chromium, launched once and shared by the browser tests."""
    return BROWSER_SESSION.get()


@pytest.fixture(autouse=True)
def demo_city(transactional_db: None, settings) -> None:
    """Every browser test starts from the demo city (the live server needs real commits).

    pytest-django swaps in Django's in-memory e-mail backend; the browser tests read sent mail
    from the project's mailbox model instead, as the demo does.
    """
    from madoguchi.demo.city import load_demo_city

    settings.EMAIL_BACKEND = "madoguchi.core.mail.MailboxBackend"
    load_demo_city()


@pytest.fixture
def new_page(browser, live_server, request: pytest.FixtureRequest) -> Iterator[PageFactory]:
    """Make pages in fresh browser contexts; all are closed at the end of the test.

    ``new_page(js=False)`` turns JavaScript off; ``bypass_csp=False`` keeps the site's Content
    Security Policy in force (axe-core cannot then be injected, so use it only for CSP checks).
    """
    factory = PageFactory(browser, live_server.url)
    yield factory
    if getattr(request.node, "madoguchi_failed", False):
        factory.save_screenshots(ARTIFACTS_DIR / "failures", request.node.name)
    factory.close()


@pytest.fixture
def page(new_page: PageFactory):
    """A JavaScript-enabled page, locale ja-JP, in a fresh context."""
    return new_page()


@pytest.fixture
def nojs_page(new_page: PageFactory):
    """A page with JavaScript turned off, locale ja-JP, in a fresh context."""
    return new_page(js=False)


@pytest.fixture
def assert_accessible() -> Callable[..., None]:
    """``assert_accessible(page)``: axe-core WCAG 2.x A/AA, fails on serious/critical issues."""
    return browser_support.assert_accessible


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    path = ARTIFACTS_DIR / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path

