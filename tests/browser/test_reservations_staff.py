"""A clerk of 健康増進課 (kenko) runs the day of a health check: opens today's roster, checks
one person in and marks one as not come, books a phone caller, moves a booking, and closes a
time; the resident booked on it receives the notice. Every page has no serious or critical
axe-core violation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browser_support import screenshot_both, sign_in, submit
from playwright.sync_api import expect

from madoguchi.core.models import AuditEvent, MailboxMessage, User
from madoguchi.demo.accounts import DEMO_PASSWORD, DEMO_RESIDENT_EMAIL, staff_email
from madoguchi.reservations import services
from madoguchi.reservations.models import Booking, Slot
from madoguchi.reservations.tests import factories as f

pytestmark = pytest.mark.browser

CLERK = staff_email("kenko1")
REASON = "担当医師の急病のため、この時間の健診を中止します。"


def _slot(service, room, starts_at: dt.datetime, capacity: int = 4) -> Slot:
    return Slot.objects.create(service=service, room=room, starts_at=starts_at,
                               ends_at=starts_at + dt.timedelta(minutes=30), capacity=capacity)


@pytest.fixture
def day_of_checks():
    """A health check of kenko with a time that started five minutes ago (three people), a
    later time (the demo resident booked online), and a time tomorrow to move to."""
    from django.utils import timezone

    clerk = User.objects.get(email=CLERK)
    service = f.service(name={"ja": "特定健診（集団）", "en": "Health check (group)"},
                        capacity=4)
    room = f.room()
    now = timezone.now().replace(second=0, microsecond=0)
    started = _slot(service, room, now - dt.timedelta(minutes=5))
    later = _slot(service, room, now + dt.timedelta(minutes=40))
    tomorrow = _slot(service, room, now + dt.timedelta(days=1))
    people = [services.book(started, person=f.person(n, family_name=family),
                            request_token=f.token(), booked_by=clerk,
                            now=started.starts_at - dt.timedelta(hours=1))
              for n, family in enumerate(["青木", "井上", "上田"])]
    resident = User.objects.get(email=DEMO_RESIDENT_EMAIL)
    online = services.book(later, person=f.person(9, family_name="緑", given_name="太郎",
                                                  email=resident.email),
                           user=resident, request_token=f.token(),
                           now=later.starts_at - dt.timedelta(days=3))  # booked days ago
    return {"service": service, "started": started, "later": later, "tomorrow": tomorrow,
            "people": people, "online": online, "resident": resident}


def path_of(page) -> str:
    return urlsplit(page.url).path


def open_roster(page, slot: Slot) -> None:
    from django.utils import timezone

    day = timezone.localtime(slot.starts_at).date()
    page.goto("/staff/reservations/")
    if day != timezone.localdate():  # the later time fell after midnight
        page.goto(f"/staff/reservations/?date={day.isoformat()}")
    expect(page.locator(f"#slot-{slot.pk}")).to_be_visible()


def click(page, locator) -> None:
    with page.expect_navigation():
        locator.click()


def test_a_day_of_health_checks(new_page, day_of_checks, assert_accessible,
                                artifacts_dir: Path, settings):
    data = day_of_checks
    first, second, third = data["people"]
    page = new_page()
    sign_in(page, CLERK, DEMO_PASSWORD, staff=True)

    # Today's roster: the three people of the started time, with check-in buttons.
    open_roster(page, data["started"])
    row = page.locator(f"#booking-{first.public_id}")
    expect(row).to_contain_text("青木")
    assert_accessible(page, "day roster")
    screenshot_both(page, artifacts_dir, "reservations-staff-roster")
    assert AuditEvent.objects.filter(action="reservation.roster.view").exists()

    # Check one person in with the keyboard alone, and mark another as not come.
    row.locator("button[value=attended]").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    first.refresh_from_db()
    assert first.status == Booking.Status.ATTENDED
    expect(page.locator(f"#booking-{first.public_id} .status")).to_have_class(
        "status status--attended")
    click(page, page.locator(f"#booking-{second.public_id} button[value=no_show]"))
    second.refresh_from_db()
    assert second.status == Booking.Status.NO_SHOW
    assert_accessible(page, "roster after check-in")

    # A phone caller: the form first answers with errors, then books.
    later = data["later"]
    open_roster(page, later)
    click(page, page.locator(f"a[href*='/slots/{later.pk}/book/']"))
    assert_accessible(page, "phone booking form")
    submit(page, "main form button.button--large")
    expect(page.locator("#error-summary")).to_be_visible()
    assert page.title().startswith(("エラー", "Error"))
    assert_accessible(page, "phone booking form with errors")
    page.fill("#id_family_name", "髙橋")
    page.fill("#id_given_name", "𠮷男")
    page.fill("#id_family_kana", "たかはし")
    page.fill("#id_given_kana", "よしお")
    page.fill("#id_phone", "０９０－２２２２－３３３３")
    submit(page, "main form button.button--large")
    caller = Booking.objects.get(slot=later, channel=Booking.Channel.PHONE)
    assert caller.booked_by.email == CLERK and caller.given_name == "𠮷男"
    expect(page.locator(f"#booking-{caller.public_id}")).to_contain_text("髙橋")

    # Move the third person of the started time to tomorrow.
    open_roster(page, data["started"])
    click(page, page.locator(f"#booking-{third.public_id} th a"))
    expect(page.locator("main h1")).to_contain_text("上田")
    assert_accessible(page, "booking page")
    click(page, page.locator("main a[href$='/move/'], main a[href*='/move/?']").first)
    assert_accessible(page, "move page")
    page.locator(f"#move-{data['tomorrow'].pk}").check()
    submit(page, "main form button[type=submit]")
    third.refresh_from_db()
    assert third.slot_id == data["tomorrow"].pk
    expect(page.locator(f"#booking-{third.public_id}")).to_be_visible()

    # Close the later time: it asks once, naming the time and the people, then tells them.
    MailboxMessage.objects.all().delete()
    open_roster(page, later)
    click(page, page.locator(f"a[href*='/slots/{later.pk}/close/']"))
    expect(page.locator("main")).to_contain_text("緑 太郎")
    expect(page.locator("main")).to_contain_text("髙橋 𠮷男")
    assert_accessible(page, "close a time")
    page.fill("#id_reason", REASON)
    submit(page, "main form button.button--danger")
    later.refresh_from_db()
    assert later.status == Slot.Status.CLOSED
    online = data["online"]
    online.refresh_from_db()
    caller.refresh_from_db()
    assert online.status == caller.status == Booking.Status.CANCELLED
    expect(page.locator(f"#slot-{later.pk}")).to_contain_text(REASON)

    # The resident who booked online receives the notice with the reason (the phone caller
    # left no e-mail address: the page told the clerk to phone them).
    mail = MailboxMessage.objects.get(to=data["resident"].email)
    assert REASON in mail.body and data["service"].code in mail.body
    assert MailboxMessage.objects.count() == 1
    settings.DEMO = True  # the demo mailbox shows what was sent
    resident = new_page()
    resident.goto("/demo/mail/")
    expect(resident.locator("main")).to_contain_text(REASON)

    # The other staff pages.
    for path in ("/staff/reservations/utilisation/", "/staff/reservations/export/",
                 "/staff/reservations/sessions/new/", "/staff/reservations/close-day/"):
        page.goto(path)
        assert path_of(page) == path
        assert_accessible(page, path)
    page.goto("/staff/reservations/utilisation/")
    screenshot_both(page, artifacts_dir, "reservations-staff-utilisation")

    # The day's bookings as CSV for Excel (UTF-8 with a BOM), audit-logged.
    page.goto("/staff/reservations/export/")
    page.locator("#id_service").select_option(data["service"].code)
    with page.expect_download() as download:
        page.locator("main form button.button--large").click()
    body = Path(download.value.path()).read_bytes()
    assert body.startswith(b"\xef\xbb\xbf") and "青木".encode() in body
    # The event is written when the stream ends, just after the last bytes were sent.
    for _ in range(50):
        if AuditEvent.objects.filter(action="reservation.export").exists():
            break
        page.wait_for_timeout(100)
    assert AuditEvent.objects.filter(action="reservation.export").exists()


def test_another_department_cannot_open_the_roster_entries(new_page, day_of_checks):
    first = day_of_checks["people"][0]
    page = new_page()
    sign_in(page, staff_email("kosodate1"), DEMO_PASSWORD, staff=True)
    response = page.goto(f"/staff/reservations/bookings/{first.public_id}/")
    assert response.status == 404
    page.goto("/staff/reservations/")
    expect(page.locator("main")).not_to_contain_text("青木")
