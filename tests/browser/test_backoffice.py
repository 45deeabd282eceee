"""A case from submission to a signed document: 差戻し, the resident's correction, a three-step
approval (担当 → 係長 → 課長), issuance, the resident's download and its verification."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browser_support import make_application, screenshot_both, sign_in, submit
from playwright.sync_api import expect
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from madoguchi.applications.models import Application
from madoguchi.approvals.services import set_route
from madoguchi.core.models import User
from madoguchi.demo.accounts import DEMO_PASSWORD, DEMO_RESIDENT_EMAIL, staff_email
from madoguchi.issuance.signing import create_demo_ca, load_identity

pytestmark = pytest.mark.browser

ROUTE = [{"role": "approver", "label": {"ja": "係長", "en": "Section chief"}},
         {"role": "head", "label": {"ja": "課長", "en": "Head"}}]


@pytest.fixture
def signing(settings, tmp_path: Path) -> Path:
    directory = tmp_path / "signing"
    create_demo_ca(directory)
    settings.SIGNING_PKCS12 = str(directory / "city.p12")
    settings.SIGNING_PKCS12_PASSWORD = ""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return directory


def signature_summary(pdf: bytes, signing: Path) -> str:
    """pyHanko's verdict on the PDF's signature, against the city's root.

    pyHanko runs its own event loop; Playwright's sync API holds one in this thread, so the
    check runs in another thread.
    """

    def check() -> str:
        identity = load_identity(signing / "city.p12", "")
        (signature,) = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
        context = ValidationContext(trust_roots=list(identity.trust_roots),
                                    allow_fetching=False)
        return validate_pdf_signature(signature, context).summary()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(check).result()


def open_case(page, application: Application) -> None:
    page.goto(f"/staff/applications/{application.public_id}/")
    expect(page.locator("main h1")).to_contain_text(application.receipt_number)


def click(page, selector: str) -> None:
    with page.expect_navigation():
        page.locator(selector).first.click()


def test_correction_approval_issuance_and_verification(new_page, assert_accessible, signing,
                                                       artifacts_dir: Path, tmp_path: Path):
    from madoguchi.catalog.models import Procedure

    set_route(Procedure.objects.get(slug="tsugaku-hojo").pk, ROUTE)
    application = make_application(User.objects.get(email=DEMO_RESIDENT_EMAIL))

    # 担当: review, then ask the resident to correct the phone number (差戻し).
    clerk = new_page()
    sign_in(clerk, staff_email("kosodate1"), DEMO_PASSWORD, staff=True)
    open_case(clerk, application)
    click(clerk, "main form:has(input[name=to_status][value=under_review]) button")
    clerk.locator("details.card summary").first.click()
    clerk.locator("input[name=fields][value=phone]").check()
    clerk.fill("#fix-message",
               "電話番号がつながりませんでした。日中に連絡がとれる番号をお願いします。")
    assert_accessible(clerk, "case with the correction form")
    click(clerk, "main form[action$='/correction/'] button")
    application.refresh_from_db()
    assert application.status == "returned"

    # The resident corrects only that answer.
    resident = new_page(width=320, height=640)
    sign_in(resident, DEMO_RESIDENT_EMAIL, DEMO_PASSWORD)
    resident.goto(f"/my/applications/{application.public_id}/")
    expect(resident.locator("main")).to_contain_text("日中に連絡がとれる番号")
    click(resident, f"main a[href$='/my/applications/{application.public_id}/correct/']")
    assert resident.locator("main form input[name=phone]").count() == 1
    assert resident.locator("main form input[name=school_name]").count() == 0
    assert_accessible(resident, "correction page")
    resident.fill("input[name=phone]", "０１９９－１２－３４５６")
    submit(resident, "main form button.button--large")
    application.refresh_from_db()
    assert application.status == "under_review"
    assert application.answers["phone"] == "0199123456"

    # 起案 by the clerk, then 係長 and 課長 approve.
    open_case(clerk, application)
    expect(clerk.locator("main")).to_contain_text("申請者が修正しました")
    clerk.fill("#approval-summary", "対象地区に住み、定期代も要件を満たすため承認したい。")
    click(clerk, "main form[action$='/approval/'] button")
    for name in ("kosodate2", "kosodate3"):
        approver = new_page()
        sign_in(approver, staff_email(name), DEMO_PASSWORD, staff=True)
        open_case(approver, application)
        assert_accessible(approver, f"decision of {name}")
        click(approver, "main form[action$='/approval/decide/'] button[value=approve]")
    application.refresh_from_db()
    assert application.status == "approved"

    # Issue the decision notice: signed, and the case is 交付済.
    open_case(clerk, application)
    expect(clerk.locator("main")).to_contain_text("係長")
    click(clerk, "main form[action$='/issue/'] button")
    application.refresh_from_db()
    assert application.status == "issued"
    screenshot_both(clerk, artifacts_dir, "case-issued")

    # The resident downloads the PDF; pyHanko validates the city's signature.
    resident.goto(f"/my/applications/{application.public_id}/")
    assert_accessible(resident, "application with its document")
    with resident.expect_download() as download:
        resident.locator("main a[href*='/my/documents/']").first.click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    assert signature_summary(pdf, signing) == "INTACT:TRUSTED,UNTOUCHED"

    # The verification page accepts the download and rejects a tampered copy.
    document = application.issued_documents.get()
    original, tampered = tmp_path / "notice.pdf", tmp_path / "tampered.pdf"
    original.write_bytes(pdf)
    changed = bytearray(pdf)
    middle = len(changed) // 3
    changed[middle] = (changed[middle] + 1) % 256
    tampered.write_bytes(bytes(changed))
    checker = new_page(width=320, height=640)
    checker.goto(f"/verify/{document.public_id}/")
    assert urlsplit(checker.url).path == f"/verify/{document.public_id}/"
    assert_accessible(checker, "verification page")
    checker.set_input_files("input[type=file]", str(original))
    click(checker, "main form button[type=submit]")
    expect(checker.locator("main")).to_contain_text("改ざんされていません")
    checker.set_input_files("input[type=file]", str(tampered))
    click(checker, "main form button[type=submit]")
    expect(checker.locator("main")).not_to_contain_text("改ざんされていません")
    screenshot_both(checker, artifacts_dir, "verify-tampered")
