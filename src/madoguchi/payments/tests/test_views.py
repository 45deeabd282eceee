"""Resident and staff pages of fees paid online: who may open what, the pay-after-review
flow from the case page to the resident's payment, the fee editor, the receipt."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from madoguchi.conftest import client_for
from madoguchi.core.models import AuditEvent, MailboxMessage
from madoguchi.issuance.signing import create_demo_ca
from madoguchi.payments.models import FeeSchedule, Payment
from madoguchi.staff.tests.helpers import member, staff_login


@pytest.fixture(scope="session")
def signing_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("signing")
    create_demo_ca(directory)
    return directory


@pytest.fixture
def requested(application, schedule, django_capture_on_commit_callbacks):
    """The clerk asked the resident to pay for 2 copies."""
    clerk = staff_login(Client(), member("clerk", "kosodate"))
    with django_capture_on_commit_callbacks(execute=True):
        response = clerk.post(f"/staff/payments/cases/{application.public_id}/request/",
                              {"copies": "２"})
    assert response.status_code == 302
    return Payment.objects.get(application=application)


def test_the_case_page_shows_the_fee_panel(application, schedule):
    clerk = staff_login(Client(), member("clerk", "kosodate"))
    page = clerk.get(f"/staff/applications/{application.public_id}/").content.decode()
    assert f"/staff/payments/cases/{application.public_id}/request/" in page


def test_pay_after_review_from_the_case_to_the_receipt(requested, resident, application,
                                                       django_capture_on_commit_callbacks,
                                                       settings, signing_dir):
    settings.SIGNING_PKCS12 = str(signing_dir / "city.p12")
    settings.SIGNING_PKCS12_PASSWORD = ""
    assert (requested.amount, requested.stage, requested.status) == (710, "after_review",
                                                                    "pending")
    asked = MailboxMessage.objects.get(to__contains=application.contact_email)
    assert f"/my/payments/{requested.public_id}/" in asked.body and "710" in asked.body
    client = client_for(resident)
    my_page = client.get("/my/").content.decode()
    assert f"/my/payments/{requested.public_id}/" in my_page and "710" in my_page
    mine = client.get("/my/payments/").content.decode()
    assert "710" in mine and f"/my/payments/{requested.public_id}/" in mine
    page = client.get(f"/my/payments/{requested.public_id}/")
    assert page.status_code == 200
    go = client.post(f"/my/payments/{requested.public_id}/")
    assert go.status_code == 302 and go["Location"].startswith("/payments/demo/")
    demo_page = client.get(go["Location"]).content.decode()
    assert "demo" in demo_page.lower() or "デモ" in demo_page
    with django_capture_on_commit_callbacks(execute=True):
        back = client.post(go["Location"], {"choice": "pay"})
    client.get(back["Location"])
    requested.refresh_from_db()
    assert requested.status == "paid"
    assert MailboxMessage.objects.filter(to__contains=application.contact_email).count() == 2
    receipt = client.get(f"/my/payments/{requested.public_id}/receipt.pdf")
    assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="payments.receipt.download").exists()


def test_a_second_request_while_one_is_open_is_refused(requested, application):
    clerk = staff_login(Client(), member("clerk", "kosodate"))
    clerk.post(f"/staff/payments/cases/{application.public_id}/request/", {"copies": "1"})
    assert Payment.objects.filter(application=application).count() == 1


@pytest.mark.parametrize("who", ["owner", "other resident", "anonymous", "staff"])
def test_resident_payment_pages_by_who_asks(requested, resident, other_resident, staff_user,
                                            who):
    client = {"owner": lambda: client_for(resident),
              "other resident": lambda: client_for(other_resident),
              "anonymous": Client, "staff": lambda: staff_login(Client(), staff_user)}[who]()
    expected = {"owner": 200, "other resident": 404, "anonymous": 302, "staff": 403}[who]
    assert client.get(f"/my/payments/{requested.public_id}/").status_code == expected
    receipt = client.get(f"/my/payments/{requested.public_id}/receipt.pdf").status_code
    assert receipt == (404 if who == "owner" else expected)  # not paid yet
    assert client.post(f"/my/payments/{requested.public_id}/").status_code in (
        {302} if who == "owner" else {expected})


def test_another_department_cannot_request_or_refund(requested, application):
    other = staff_login(Client(), member("approver", "shimin"))
    assert other.post(f"/staff/payments/cases/{application.public_id}/request/",
                      {"copies": "1"}).status_code == 404
    assert other.post(f"/staff/payments/p/{requested.public_id}/refund/",
                      {"amount": "1", "reason": "x"}).status_code == 404
    assert not requested.refunds.exists()


def test_the_admin_edits_a_procedures_fee(procedure):
    admin = staff_login(Client(), member("admin", "kosodate"))
    url = f"/staff/payments/procedures/{procedure.slug}/fee/"
    bad = admin.post(url, {"per_copy": "三百", "postage": "110", "max_copies": "10",
                           "charged": "after_review"})
    assert bad.status_code == 422 and not FeeSchedule.objects.filter(
        procedure=procedure).exists()
    ok = admin.post(url, {"per_copy": "300", "postage": "110", "max_copies": "5",
                          "charged": "before_sending", "exemptions": "生活保護受給者\n"})
    assert ok.status_code == 302
    fee = FeeSchedule.objects.get(procedure=procedure)
    assert (fee.per_copy, fee.postage, fee.max_copies, fee.charged) == (
        300, 110, 5, "before_sending")
    assert [e.label["ja"] for e in fee.exemptions.all()] == ["生活保護受給者"]


def test_pay_before_sending_goes_from_the_check_page_to_the_provider(resident_client,
                                                                     schedule):
    from madoguchi.applications.models import Application
    from madoguchi.conftest import CHECK_URL, check_token, fill_wizard

    schedule.charged = "before_sending"
    schedule.save()
    fill_wizard(resident_client)
    sent = resident_client.post(CHECK_URL, {"token": check_token(resident_client)})
    application = Application.objects.get()
    payment = Payment.objects.get(application=application)
    assert (payment.stage, payment.status, payment.amount) == ("before_sending", "pending", 410)
    assert sent.status_code == 302
    assert sent["Location"] == f"/payments/demo/{payment.provider_payment_id}/"
    resident_client.post(sent["Location"], {"choice": "pay"})
    payment.refresh_from_db()
    assert payment.status == "paid"


def test_without_a_fee_before_sending_the_resident_sees_the_sent_page(resident_client,
                                                                      schedule):
    from madoguchi.applications.models import Application
    from madoguchi.conftest import CHECK_URL, check_token, fill_wizard

    fill_wizard(resident_client)  # the fee is charged after review
    sent = resident_client.post(CHECK_URL, {"token": check_token(resident_client)})
    application = Application.objects.get()
    assert sent["Location"] == f"/my/applications/{application.public_id}/submitted/"
    assert not Payment.objects.exists()
