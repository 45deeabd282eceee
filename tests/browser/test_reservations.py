"""Booking a seat as a resident in a real browser: without and with JavaScript, cancelling,
joining a waitlist and being offered the seat; axe-core on every page."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from browser_support import screenshot_both, scroll_width
from django.utils import timezone
from playwright.sync_api import expect

from madoguchi.reservations import services
from madoguchi.reservations.models import Booking, Slot, WaitlistEntry
from madoguchi.reservations.tests import factories as f

pytestmark = pytest.mark.browser


def fill_details(page, *, family: str = "緑川", email: str = "hanako@example.jp") -> None:
    page.fill("#id_family_name", family)
    page.fill("#id_given_name", "花子")
    page.fill("#id_family_kana", "みどりかわ")
    page.fill("#id_given_kana", "はなこ")
    page.fill("#id_birth_date", "昭和45年5月1日")
    page.check("#id_sex_0")
    page.fill("#id_phone", "090-1234-5678")
    page.fill("#id_email", email)


def test_booking_without_javascript(nojs_page, assert_accessible, artifacts_dir) -> None:
    page = nojs_page
    slot = f.slot(capacity=2)
    service = slot.service
    day = timezone.localtime(slot.starts_at).date()
    page.goto("/reservations/")
    assert_accessible(page, "services")
    page.click(f"a[href='/reservations/{service.code}/']")
    page.goto(f"/reservations/{service.code}/?month={day:%Y-%m}")
    expect(page.locator("table.resv-calendar")).to_have_count(1)
    assert_accessible(page, "calendar")
    screenshot_both(page, artifacts_dir, "reservations-calendar")
    page.set_viewport_size({"width": 320, "height": 640})
    assert scroll_width(page) <= 320
    page.set_viewport_size({"width": 1280, "height": 800})
    page.click(f"table.resv-calendar a[href='/reservations/{service.code}/{day:%Y-%m-%d}/']")
    assert_accessible(page, "day")
    page.click(f"a[href='/reservations/{service.code}/slot/{slot.pk}/']")
    # A mistake first: the summary box and the message next to the field.
    fill_details(page)
    page.fill("#id_phone", "12")
    page.click("form.resv-form button[type=submit]")
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator("#id_phone")).to_have_attribute("aria-invalid", "true")
    assert page.title().startswith("エラー")
    assert_accessible(page, "details with an error")
    screenshot_both(page, artifacts_dir, "reservations-details-error")
    page.set_viewport_size({"width": 320, "height": 640})
    assert scroll_width(page) <= 320
    page.set_viewport_size({"width": 1280, "height": 800})
    page.fill("#id_phone", "090-1234-5678")
    page.click("form.resv-form button[type=submit]")
    expect(page.locator(".panel-receipt")).to_be_visible()
    assert urlsplit(page.url).path.endswith("/done/")
    assert_accessible(page, "confirmation")
    screenshot_both(page, artifacts_dir, "reservations-confirmation")
    page.set_viewport_size({"width": 320, "height": 640})
    assert scroll_width(page) <= 320
    booking = Booking.objects.get(slot=slot)
    assert booking.family_kana == "ミドリカワ"
    assert Slot.objects.get(pk=slot.pk).booked == 1


def test_booking_with_javascript_double_click_makes_one_booking(page, assert_accessible) -> None:
    slot = f.slot(capacity=3)
    page.goto(f"/reservations/{slot.service.code}/slot/{slot.pk}/")
    assert_accessible(page, "details (JS)")
    fill_details(page)
    page.locator("form.resv-form button[type=submit]").dblclick()
    expect(page.locator(".panel-receipt")).to_be_visible()
    assert Booking.objects.filter(slot=slot).count() == 1
    assert Slot.objects.get(pk=slot.pk).booked == 1


def test_cancelling_from_the_manage_link(nojs_page, assert_accessible, artifacts_dir) -> None:
    page = nojs_page
    slot = f.slot(capacity=1)
    booking = services.book(slot, person=f.person(), request_token=f.token())
    page.goto(f"/reservations/manage/{booking.public_id}/{booking.manage_token}/")
    assert_accessible(page, "manage")
    screenshot_both(page, artifacts_dir, "reservations-manage")
    page.click(f"a[href$='/{booking.manage_token}/cancel/']")
    assert_accessible(page, "cancel question")
    page.click("form button.button--danger")
    expect(page.locator(".status--rejected")).to_be_visible()
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    assert Slot.objects.get(pk=slot.pk).booked == 0


def test_joining_a_waitlist_and_being_offered_the_seat(new_page, assert_accessible,
                                                       artifacts_dir) -> None:
    slot = f.slot(capacity=1)
    first = services.book(slot, person=f.person(50), request_token=f.token())
    page = new_page(js=False)
    page.goto(f"/reservations/{slot.service.code}/slot/{slot.pk}/")
    expect(page.locator("input[name=waitlist]")).to_have_count(1)
    assert_accessible(page, "waitlist form")
    fill_details(page, family="青木", email="aoki@example.jp")
    page.click("form.resv-form button[type=submit]")
    expect(page.locator(".resv-position")).to_be_visible()
    assert_accessible(page, "waiting")
    screenshot_both(page, artifacts_dir, "reservations-waitlist")
    entry = WaitlistEntry.objects.get(slot=slot)
    services.cancel(first)  # someone cancels: the seat is offered to the first in line
    page.reload()
    expect(page.locator("button[value=accept]")).to_be_visible()
    assert_accessible(page, "offer")
    page.click("button[value=accept]")
    expect(page.locator(".panel-receipt")).to_be_visible()
    entry.refresh_from_db()
    assert entry.status == "accepted"
    assert Booking.objects.get(pk=entry.booking_id).family_name == "青木"
    assert Slot.objects.get(pk=slot.pk).booked == 1


GAN_PAGES = {
    "applicant": {
        "applicant_name-family": "青木", "applicant_name-given": "春子",
        "applicant_name-family_kana": "あおき", "applicant_name-given_kana": "はるこ",
        "birth_date": "昭和43年4月1日", "sex": "female", "phone": "090-2222-3333",
        "address-postal_code": "999-0101", "address-prefecture": "緑ヶ丘県",
        "address-city": "緑ヶ丘市", "address-town": "北山", "address-street": "1-2-3",
    },
    "screenings": {"place": "clinic", "under_treatment": "no"},
    "consent": {"consent": "yes"},
}


def test_booking_step_of_the_cancer_screening_form(nojs_page, assert_accessible,
                                                   artifacts_dir) -> None:
    from browser_support import fill_form_page, sign_in, submit

    from madoguchi.applications.models import Application
    from madoguchi.catalog.models import Procedure
    from madoguchi.demo.accounts import DEMO_PASSWORD, DEMO_RESIDENT_EMAIL
    from madoguchi.demo.city import _publish_demo_form
    from madoguchi.reservations.models import Service

    Procedure.objects.filter(slug="gan-kenshin").update(online=True)
    _publish_demo_form("gan-kenshin", Procedure.objects.get(slug="gan-kenshin"))
    slot = f.slot(Service.objects.get(code="nyugan"), days=20, hour=15, capacity=2)
    page = nojs_page
    sign_in(page, DEMO_RESIDENT_EMAIL, DEMO_PASSWORD)
    page.goto("/apply/gan-kenshin/applicant/")
    for key, values in GAN_PAGES.items():
        if key == "screenings":
            page.check("input[name=screenings][value=breast]")
        fill_form_page(page, values)
        assert submit(page).ok
    assert urlsplit(page.url).path == "/apply/gan-kenshin/booking/"
    page.select_option("#f-booking-service", "nyugan")
    page.select_option("#f-booking-month", timezone.localtime(slot.starts_at).strftime("%Y-%m"))
    with page.expect_navigation():
        page.click("button[name=_action][value='booking:show']")
    page.check(f"#f-booking-slot-{slot.pk}")
    assert_accessible(page, "form booking step")
    screenshot_both(page, artifacts_dir, "reservations-form-step")
    page.set_viewport_size({"width": 320, "height": 640})
    assert scroll_width(page) <= 320
    assert submit(page).ok
    assert urlsplit(page.url).path == "/apply/gan-kenshin/check/"
    expect(page.locator("main")).to_contain_text("乳がん検診")
    assert submit(page).ok
    application = Application.objects.get(form_version__form__slug="gan-kenshin")
    assert Booking.objects.get(application=application).slot_id == slot.pk
    assert Slot.objects.get(pk=slot.pk).booked == 1
