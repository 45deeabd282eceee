"""Tickets in a real browser: kiosk → ticket → display → console calls → serve → done.

The kiosk, the ticket slip and the display work without JavaScript (the display reloads itself
through a refresh inside <noscript>); with JavaScript the display swaps its board in place and
announces a new call without reloading. axe-core checks the kiosk, the ticket, the display and
the console.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from browser_support import sign_in, submit
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from madoguchi.demo.accounts import DEMO_PASSWORD, staff_email
from madoguchi.tickets import display
from madoguchi.tickets.models import DailySequence, Ticket

pytestmark = pytest.mark.browser


def reload(page: Page) -> None:
    """Reload, tolerating the page's own refresh (a meta refresh in <noscript>) landing first:
    either way the page shown afterwards is a fresh one, and ``expect`` waits for its text."""
    try:
        page.reload()
    except PlaywrightError:
        page.wait_for_load_state()


def test_kiosk_ticket_display_console(new_page, settings, assert_accessible) -> None:
    settings.TICKETS_SNAPSHOT_SECONDS = 0
    Ticket.objects.all().delete()
    DailySequence.objects.all().delete()
    display.forget()

    kiosk = new_page(js=False)
    kiosk.goto("/tickets/kiosk/")
    expect(kiosk.locator("h1")).to_have_text("番号札をお取りください")
    assert_accessible(kiosk, "kiosk")
    kiosk.get_by_role("button", name="転入・転居・転出").click()
    assert urlsplit(kiosk.url).path.startswith("/tickets/t/")
    expect(kiosk.locator("#ticket-number")).to_contain_text("A001")
    expect(kiosk.locator(".ticket__qr svg")).to_have_count(1)
    assert_accessible(kiosk, "ticket")

    screen = new_page(js=False)
    screen.goto("/tickets/display/")
    expect(screen.locator('noscript meta[http-equiv="refresh"]')).to_have_attribute("content", "5")
    expect(screen.locator(".display__queues tbody tr").first).to_contain_text("1人")
    expect(screen.locator(".display__calls")).to_contain_text("まだお呼び出しはありません。")
    assert_accessible(screen, "display")

    console = new_page()
    sign_in(console, staff_email("shimin1"), DEMO_PASSWORD, staff=True)
    console.goto("/staff/tickets/")
    console.locator("#console-counter").select_option(label="1番窓口 (市民課)")
    submit(console, "main button:text-is('この窓口を使う')")
    submit(console, "main button:text-is('次の方を呼ぶ')")
    expect(console.locator(".notice--success")).to_contain_text("A001を1番窓口に呼び出しました。")
    assert_accessible(console, "console")

    reload(screen)
    expect(screen.locator(".display__latest")).to_contain_text("A001")
    expect(screen.locator(".display__latest")).to_contain_text("1番窓口")
    reload(kiosk)
    expect(kiosk.locator(".ticket__call")).to_contain_text("1番窓口へお越しください。")

    submit(console, "main button:text-is('対応開始')")
    submit(console, "main button:text-is('完了')")
    expect(console.locator(".notice--success")).to_contain_text("A001の対応を完了しました。")
    assert Ticket.objects.get().state == "done"
    reload(screen)
    expect(screen.locator(".display__calls")).to_contain_text("まだお呼び出しはありません。")


def test_display_with_javascript_shows_a_call_without_reloading(new_page, settings,
                                                                 assert_accessible) -> None:
    settings.TICKETS_SNAPSHOT_SECONDS = 0
    settings.TICKETS_DISPLAY_REFRESH = 1
    Ticket.objects.all().delete()
    DailySequence.objects.all().delete()
    display.forget()

    kiosk = new_page(js=False)
    kiosk.goto("/tickets/kiosk/")
    kiosk.get_by_role("button", name="転入・転居・転出").click()
    expect(kiosk.locator("#ticket-number")).to_contain_text("A001")

    screen = new_page()
    screen.goto("/tickets/display/")
    expect(screen.locator(".display__calls")).to_contain_text("まだお呼び出しはありません。")
    screen.evaluate("window.notReloaded = true")
    assert_accessible(screen, "display with JavaScript")

    console = new_page()
    sign_in(console, staff_email("shimin1"), DEMO_PASSWORD, staff=True)
    console.goto("/staff/tickets/")
    console.locator("#console-counter").select_option(label="1番窓口 (市民課)")
    submit(console, "main button:text-is('この窓口を使う')")
    submit(console, "main button:text-is('次の方を呼ぶ')")

    expect(screen.locator(".display__latest")).to_contain_text("A001", timeout=10_000)
    expect(screen.locator(".display__latest")).to_contain_text("1番窓口")
    expect(screen.locator("#display-announce")).to_have_text("A001番の方、1番窓口へお越しください。")
    assert screen.evaluate("window.notReloaded") is True  # swapped in place, not reloaded
    assert_accessible(screen, "display after a call")
