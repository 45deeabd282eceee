"""来させない, end to end: a resident signs in with the card-based identity provider (the local
OpenID provider), requests 住民票の写し by post with verified, locked identity fields; the
市民課 clerk approves stating the fee; the resident pays with the demo provider (confirmed by
its signed notification); the clerk makes the certificate from the resident registry, prints it
and marks it posted; the resident follows each step on マイページ and got an e-mail for each.

With MADOGUCHI_SHOTS=<directory>, マイページ and the clerk's case page are saved there at
320 and 1280 px wide."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from browser_support import screenshot_both, scroll_width, sign_in, submit
from playwright.sync_api import expect

from madoguchi.conftest import local_idp, local_idp_server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser
SLUG = "juminhyo-yuso"
EMAIL = "midorikawa@example.jp"


def person() -> dict:
    """The card's 基本4情報: a resident of 緑ヶ丘市 whom the registry knows."""
    return {
        "sub": "card-0002",
        "name": "緑川 太郎",
        "birthdate": "1980-04-01",
        "gender": "male",
        "address": {
            "formatted": "山形県緑ヶ丘市若葉町2丁目14番3号",
            "postal_code": "999-0101",
            "region": "山形県",
            "locality": "緑ヶ丘市",
            "street_address": "若葉町2丁目14番3号",
        },
        "email": EMAIL,
        "email_verified": True,
    }


def shots(page, name: str) -> None:
    directory = os.environ.get("MADOGUCHI_SHOTS")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        screenshot_both(page, Path(directory), name)


def test_certificate_of_residence_by_post(
    new_page,
    local_idp,  # noqa: F811
    settings,
    tmp_path,
) -> None:
    from madoguchi.applications.models import Application
    from madoguchi.core.models import MailboxMessage
    from madoguchi.demo.accounts import DEMO_PASSWORD, staff_email
    from madoguchi.issuance.signing import create_demo_ca
    from madoguchi.registry.contrib.file_import import importer
    from madoguchi.registry.tests.helpers import person as registry_person
    from madoguchi.registry.tests.helpers import write

    create_demo_ca(tmp_path)  # the receipt (領収書) is signed like an issued document
    settings.SIGNING_PKCS12 = str(tmp_path / "city.p12")
    settings.SIGNING_PKCS12_PASSWORD = ""
    importer.import_file(
        write(
            tmp_path / "registry.csv",
            [
                registry_person(
                    "11111111101",
                    "緑川　太郎",
                    "ミドリカワ　タロウ",
                    household="10000001",
                    address="緑ヶ丘市若葉町2丁目14番3号",
                ),
                registry_person(
                    "11111111102",
                    "緑川　花子",
                    "ミドリカワ　ハナコ",
                    household="10000001",
                    birth="1982-06-06",
                    sex="女",
                    relationship="妻",
                    address="緑ヶ丘市若葉町2丁目14番3号",
                ),
            ],
        )
    )
    local_idp.person = person()

    # The resident signs in with the card and fills the form: 氏名・生年月日・住所 are locked.
    resident = new_page()
    resident.goto("/account/login/")
    with resident.expect_navigation(url="**/my/"):
        resident.get_by_role("link", name="マイナンバーカードでサインイン").click()
    resident.goto(f"/apply/{SLUG}/")
    verified = resident.locator(".field--verified")
    expect(verified).to_have_count(3)
    expect(verified.first).to_contain_text("緑川　太郎")
    assert resident.locator('input[name="name-family"]').count() == 0
    resident.locator('input[name="phone"]').fill("090-1234-5678")
    submit(resident)
    resident.locator('input[name="copies"]').fill("2")
    resident.get_by_label("世帯全員").check()
    resident.get_by_label("世帯主の氏名と続柄").check()
    resident.locator('select[name="purpose"]').select_option("job")
    submit(resident)
    resident.locator('input[name="consent"]').check()
    submit(resident)
    expect(resident.locator("main")).to_contain_text("若葉町2丁目14番3号")
    submit(resident)
    application = Application.objects.get(form_version__form__slug=SLUG)
    assert application.identity_verification["provider"] == "card"

    # The clerk reviews; the plain 承認 button is not offered, approving states the amount.
    clerk = new_page()
    sign_in(clerk, staff_email("shimin1"), DEMO_PASSWORD, staff=True)
    case_url = f"/staff/applications/{application.public_id}/"
    clerk.goto(case_url)
    submit(clerk, "form:has(input[value=under_review]) button")
    assert clerk.locator("form:has(input[name=to_status][value=approved])").count() == 0
    expect(clerk.locator("#approve-copies")).to_have_value("2")
    submit(clerk, "form[action$='/approve/'] button[type=submit]")
    expect(clerk.locator("main")).to_contain_text("710円")
    expect(clerk.locator("#case-progress")).to_contain_text("支払待ち")
    expect(clerk.locator("#certificate-panel")).to_contain_text("支払待ち")

    # The resident pays on the demo provider's page; its signed notification confirms it.
    resident.goto("/my/")
    expect(resident.locator("main")).to_contain_text("支払待ち（710円）")
    shots(resident, "mypage-awaiting-payment")
    with resident.expect_navigation():
        resident.get_by_role("link", name="手数料を支払う").first.click()
    submit(resident)
    submit(resident, "button[value=pay]")
    expect(resident.locator("#payment-status")).to_have_text("支払済み")

    # The clerk makes the certificate from the registry, prints it and marks it posted.
    clerk.goto(case_url)
    expect(clerk.locator("#case-progress")).to_contain_text("支払済み")
    clerk.get_by_role("link", name="住民票の写しを作成").click()
    expect(clerk.locator("main")).to_contain_text("次の記録と一致します")
    submit(clerk, "button:has-text('この記録を使う')")
    expect(clerk.locator("#chosen-record")).to_contain_text("緑川　太郎")
    shots(clerk, "clerk-certificate")
    with clerk.expect_download() as download:
        clerk.locator("#print-certificate").click()
    assert download.value.suggested_filename.endswith(".pdf")
    submit(clerk, "#mark-posted")
    expect(clerk.locator("#case-progress")).to_contain_text("郵送済み")
    shots(clerk, "clerk-case")

    # The resident sees every step; an e-mail went out for each.
    resident.goto("/my/")
    expect(resident.locator("main")).to_contain_text("郵送済み")
    shots(resident, "mypage")
    assert scroll_width(resident) <= 1280
    resident.goto(f"/my/applications/{application.public_id}/")
    timeline = resident.locator("#case-timeline")
    for step in (
        "受付",
        "承認",
        "お支払いいただく手数料：710円",
        "お支払いを確認しました",
        "住民登録の住所へ郵送しました",
    ):
        expect(timeline).to_contain_text(step)
    expect(timeline.get_by_role("link", name="領収書（PDF）")).to_be_visible()
    shots(resident, "application")
    subjects = list(
        MailboxMessage.objects.filter(to__contains=EMAIL)
        .order_by("id")
        .values_list("subject", flat=True)
    )
    for expected in (
        "申請を受け付けました",
        "手数料をお支払いください",
        "お支払いを確認",
        "郵送しました",
    ):
        assert any(expected in s for s in subjects), (expected, subjects)
