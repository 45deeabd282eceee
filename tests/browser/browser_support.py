"""Shared helpers of the browser tests: pages, axe-core, and the steps of the 通学費 journey."""

from __future__ import annotations

import contextlib
import importlib.resources
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS_DIR = ROOT / "test-artifacts"

AXE_PATH = Path(str(importlib.resources.files("axe_playwright_python") / "axe.min.js"))
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING_IMPACTS = {"serious", "critical"}

SLUG = "tsugaku-hojo"
PAGE_KEYS = ["applicant", "student", "commute", "bank", "consent"]
RECEIPT_RE = re.compile(r"^\d{4}-\d{7}-\d$")
UUID_RE = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

# What a resident types, page by page, as the form posts it (field name -> value). Full-width
# digits, hiragana furigana and a 和暦 date are deliberate: the server must normalise them.
FORM_POST: dict[str, dict[str, str]] = {
    "applicant": {
        "applicant_name-family": "緑",
        "applicant_name-given": "花子",
        "applicant_name-family_kana": "みどり",
        "applicant_name-given_kana": "はなこ",
        "relationship": "mother",
        "phone": "０９０－１２３４－５６７８",
        "address-postal_code": "９９９－０１０１",
        "address-prefecture": "緑ヶ丘県",
        "address-city": "緑ヶ丘市",
        "address-town": "北山",
        "address-street": "1234番地5",
        "address-building": "緑ヶ丘ハイツ101",
    },
    "student": {
        "student_name-family": "緑",
        "student_name-given": "一郎",
        "student_name-family_kana": "みどり",
        "student_name-given_kana": "いちろう",
        "student_birth_date": "平成21年4月2日",
        "school_name": "緑ヶ丘県立緑ヶ丘高等学校",
        "grade": "2",
    },
    "commute": {
        "district": "kitayama",
        "term": "first",
        "transport": "bus",
        "monthly_pass_cost": "１２，０００",
        "route": "北山停留所〜緑ヶ丘駅前（市営バス）",
    },
    "bank": {
        "payment_account-bank_code": "みずほ",
        "payment_account-branch_code": "０３５",
        "payment_account-account_type": "ordinary",
        "payment_account-number": "１２３４５６",
        "payment_account-holder": "みどり　はなこ",
    },
    "consent": {"consent": "yes"},
}


# --- Pages -------------------------------------------------------------------------------------


@dataclass
class ConsoleLog:
    """Console messages and uncaught errors of one page."""

    messages: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def on_console(self, message: Any) -> None:
        self.messages.append(f"{message.type}: {message.text}")

    def on_page_error(self, error: Any) -> None:
        self.errors.append(str(error))

    def csp_violations(self) -> list[str]:
        return [m for m in self.messages if "Content Security Policy" in m]


class PageFactory:
    """Opens pages, each in its own browser context, and closes them all at the end."""

    def __init__(self, browser: Any, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.contexts: list[Any] = []
        self._mirror: AxeMirror | None = None

    def mirror(self) -> AxeMirror:
        if self._mirror is None:
            self._mirror = AxeMirror(self.browser)
        return self._mirror

    def __call__(
        self,
        *,
        js: bool = True,
        bypass_csp: bool = True,
        width: int = 1280,
        height: int = 800,
        locale: str = "ja-JP",
    ) -> Any:
        context = self.browser.new_context(
            base_url=self.base_url,
            locale=locale,
            java_script_enabled=js,
            bypass_csp=bypass_csp,
            viewport={"width": width, "height": height},
        )
        context.set_default_timeout(15_000)
        context.set_default_navigation_timeout(30_000)
        self.contexts.append(context)
        page = context.new_page()
        log = ConsoleLog()
        page.on("console", log.on_console)
        page.on("pageerror", log.on_page_error)
        # Remembered for assert_accessible and for tests that check the console.
        page.madoguchi_js = js
        page.madoguchi_bypass_csp = bypass_csp
        page.madoguchi_console = log
        page.madoguchi_factory = self
        return page

    def save_screenshots(self, directory: Path, name: str) -> None:
        """Keep what every open page showed when a test failed (for CI artifacts)."""
        directory.mkdir(parents=True, exist_ok=True)
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name)
        for n, context in enumerate(self.contexts):
            for m, page in enumerate(context.pages):
                with contextlib.suppress(Exception):  # best effort while reporting a failure
                    page.screenshot(path=str(directory / f"{safe}-{n}-{m}.png"), full_page=True)

    def close(self) -> None:
        for context in self.contexts:
            context.close()
        self.contexts.clear()
        if self._mirror is not None:
            self._mirror.close()
            self._mirror = None


def submit(
    page: Any,
    selector: str = (
        "main form button[type=submit]:not([name=_action]):not([name=_save])"
        ":not(.visually-hidden)"
    ),
) -> Any:
    """Click a submit button and wait for the page it leads to; returns the response."""
    with page.expect_navigation() as navigation:
        page.locator(selector).click()
    return navigation.value


# --- Accessibility -----------------------------------------------------------------------------


class AxeMirror:
    """A JavaScript-enabled page that shows a copy of another page's DOM, for axe-core.

    axe.run needs timers, which never fire in a context with JavaScript off. The copy is served
    at the original page's own URL by intercepting that one request, so stylesheets load as
    usual and colours are real. axe-core is preloaded into every document of this context.
    """

    def __init__(self, browser: Any) -> None:
        self.context = browser.new_context(
            bypass_csp=True, java_script_enabled=True, locale="ja-JP"
        )
        self.context.add_init_script(path=str(AXE_PATH))
        self.html = ""
        self.url = ""
        self.page = self.context.new_page()
        self.page.route(
            lambda u: u.split("#", 1)[0] == self.url,
            lambda route: route.fulfill(
                status=200, content_type="text/html; charset=utf-8", body=self.html
            ),
        )

    def show(self, page: Any) -> Any:
        self.html = page.content()
        self.url = page.url.split("#", 1)[0]
        self.page.set_viewport_size(page.viewport_size)
        self.page.goto(self.url)
        return self.page

    def close(self) -> None:
        self.context.close()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core (WCAG 2.0-2.2 A and AA rules) on the page; all violations."""
    target = page
    if not getattr(page, "madoguchi_js", True):
        target = page.madoguchi_factory.mirror().show(page)
    elif not getattr(page, "madoguchi_bypass_csp", True):
        raise AssertionError(
            "axe-core cannot be injected under the site's CSP: use a page with bypass_csp=True"
        )
    if not target.evaluate("() => typeof window.axe === 'object'"):
        target.add_script_tag(path=str(AXE_PATH))
    result = target.evaluate(
        """tags => axe.run(document, {
            runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']
        })""",
        WCAG_TAGS,
    )
    return result["violations"]


def assert_accessible(page: Any, label: str = "") -> None:
    """Fail with a readable list of serious or critical axe-core violations on the page."""
    blocking = [v for v in axe_violations(page) if v.get("impact") in BLOCKING_IMPACTS]
    if not blocking:
        return
    lines = [
        f"{len(blocking)} serious/critical accessibility violation(s) on {label or page.url} "
        f"({page.title()!r}):"
    ]
    for v in blocking:
        lines.append(f"- {v['id']} [{v['impact']}]: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:8]:
            target = " ".join(str(t) for t in node["target"])
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    {target}: {summary[:300]}")
        if len(v["nodes"]) > 8:
            lines.append(f"    … and {len(v['nodes']) - 8} more")
    raise AssertionError("\n".join(lines))


# --- Steps of the journey ----------------------------------------------------------------------


def fill_form_page(page: Any, values: dict[str, Any]) -> None:
    """Type one form page's answers into the fields with these names (a list ticks each of its
    values among the checkboxes of that name)."""
    form = page.locator("main form[method=post]")
    for name, value in values.items():
        if isinstance(value, list):
            for item in value:
                form.locator(f'input[name="{name}"][value="{item}"]').check()
            continue
        element = form.locator(f'[name="{name}"]')
        kind = element.first.evaluate("e => e.type")
        if kind == "radio":
            form.locator(f'input[name="{name}"][value="{value}"]').check()
        elif kind == "checkbox":
            element.check()
        elif kind.startswith("select"):
            element.select_option(value)
        else:
            element.fill(value)


def fill_all_pages(page: Any, *, check_each: Any = None) -> None:
    """From the first form page, answer every page and arrive at the check page."""
    for key in PAGE_KEYS:
        path = urlsplit(page.url).path
        assert path == f"/apply/{SLUG}/{key}/", f"expected the {key!r} page, got {page.url}"
        if check_each is not None:
            check_each(page, key)
        fill_form_page(page, FORM_POST[key])
        response = submit(page)
        assert response is not None and response.ok, f"{key}: {response and response.status}"
    assert urlsplit(page.url).path == f"/apply/{SLUG}/check/", page.url


def sign_in(page: Any, email: str, password: str, *, staff: bool = False) -> Any:
    """Sign in through the resident or staff sign-in page; returns the final response.

    Staff then pass the second factor as a person would: on the set-up page (first sign-in)
    the key shown for typing by hand goes into an authenticator (pyotp here); on the code page
    the code comes from the account's stored key.
    """
    page.goto("/staff/login/" if staff else "/account/login/")
    page.locator("#id_email").fill(email)
    page.locator("#id_password").fill(password)
    response = submit(page)
    if not staff:
        return response
    path = urlsplit(page.url).path
    if path == "/staff/login/setup/":
        import pyotp

        secret = page.locator("#totp-secret").inner_text().replace(" ", "")
        page.locator("#id_code").fill(pyotp.TOTP(secret).now())
        response = submit(page)
    elif path == "/staff/login/code/":
        from madoguchi.core.models import User
        from madoguchi.staff.tests.helpers import next_code

        page.locator("#id_code").fill(next_code(User.objects.get(email=email.lower())))
        response = submit(page)
    return response


def make_application(user: Any, post: dict[str, dict[str, str]] | None = None) -> Any:
    """Submit the 通学費 form for ``user`` through the services layer, as the browser would."""
    from madoguchi.applications.services import submit_application
    from madoguchi.forms.definition import FormSpec
    from madoguchi.forms.models import FormDefinition

    version = FormDefinition.objects.get(slug=SLUG).live_version
    spec = FormSpec(version.definition)
    answers: dict[str, Any] = {}
    for key, data in (post or FORM_POST).items():
        _raw, clean, errors = spec.validate_page(spec.page(key), data)
        assert not errors, errors
        answers.update(clean)
    return submit_application(user=user, version=version, answers=answers, token=uuid.uuid4())


def screenshot_both(page: Any, directory: Path, name: str) -> None:
    """Save the page at a phone size (320x640) and a desktop size (1280x800)."""
    original = page.viewport_size
    for width, height in ((320, 640), (1280, 800)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(directory / f"{name}-{width}x{height}.png"), full_page=True)
    page.set_viewport_size(original)


def scroll_width(page: Any) -> int:
    """The document's scrollable width in CSS pixels (wider than the viewport: it scrolls)."""
    return page.evaluate("() => document.documentElement.scrollWidth")


def text_without_ruby(locator: Any) -> str:
    """The element's text as read aloud: ruby readings (rt, rp) left out, spaces collapsed."""
    text = locator.evaluate(
        "el => { const copy = el.cloneNode(true);"
        " copy.querySelectorAll('rt, rp').forEach(r => r.remove());"
        " return copy.textContent; }")
    return " ".join(text.split())
