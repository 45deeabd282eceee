"""The treasury's transfer page, its files and downloads, and the clerk's amount on the case:
who may, what is audit-logged, and bad input answered with a message (never a 500)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.test import Client

from madoguchi.applications.models import Status
from madoguchi.applications.services import change_status
from madoguchi.approvals import services as approvals
from madoguchi.conftest import ACCOUNT_HOLDER, staff_email, visible_text
from madoguchi.core.models import AuditEvent, User
from madoguchi.jp import zengin_transfer as zt
from madoguchi.payments.models import Payout, TransferBatch
from madoguchi.staff.tests.helpers import member, staff_login

from .days import future_holidays, label

URL = "/staff/payments/transfers/"
PAY_DAY = zt.next_business_day(dt.date.today() + dt.timedelta(days=3))


def _client(user: User) -> Client:
    return staff_login(Client(), user)


@pytest.fixture
def clerk(demo) -> User:
    return User.objects.get(email=staff_email("kosodate1"))


@pytest.fixture
def treasury(demo) -> Client:
    return _client(User.objects.get(email=staff_email("kaikei1")))


@pytest.fixture
def approved(application, clerk):
    """A case the clerk approved with its amount on the case page."""
    change_status(application=application, to_status=Status.UNDER_REVIEW, actor=clerk)
    response = _client(clerk).post(f"/staff/payments/cases/{application.public_id}/amount/",
                                   {"amount": "３０，０００円", "approve": "1"})
    assert response.status_code == 302
    application.refresh_from_db()
    return application


def _export(client: Client, case, reason: str = "", day: str = PAY_DAY.isoformat()):
    return client.post(f"{URL}export/", {"procedure": "tsugaku-hojo", "date": day,
                                         "case": [str(case.public_id)], "reason": reason})


def test_the_clerk_approves_with_the_amount_on_the_case_page(approved, clerk):
    assert approved.status == Status.APPROVED
    assert Payout.objects.get(application=approved).amount == 30_000
    page = visible_text(_client(clerk).get(f"/staff/applications/{approved.public_id}/").content)
    assert "30,000" in page


def test_the_case_page_offers_the_amount_with_the_approval(application, clerk):
    change_status(application=application, to_status=Status.UNDER_REVIEW, actor=clerk)
    html = _client(clerk).get(f"/staff/applications/{application.public_id}/").content.decode()
    assert f"/staff/payments/cases/{application.public_id}/amount/" in html
    assert 'name="approve" value="1"' in html


@pytest.mark.parametrize("typed", ["", "abc", "-5", "0", "1.5", "12345678901", "\x00"])
def test_a_bad_amount_gets_a_message_and_changes_nothing(application, clerk, typed):
    change_status(application=application, to_status=Status.UNDER_REVIEW, actor=clerk)
    client = _client(clerk)
    response = client.post(f"/staff/payments/cases/{application.public_id}/amount/",
                           {"amount": typed, "approve": "1"}, follow=True)
    assert response.status_code == 200
    assert "円" in visible_text(response.content)
    application.refresh_from_db()
    assert application.status == Status.UNDER_REVIEW and not Payout.objects.exists()


def test_another_departments_clerk_cannot_confirm_an_amount(application, clerk):
    change_status(application=application, to_status=Status.UNDER_REVIEW, actor=clerk)
    client = _client(member("clerk", "shimin"))
    response = client.post(f"/staff/payments/cases/{application.public_id}/amount/",
                           {"amount": "1000", "approve": "1"})
    assert response.status_code == 404 and not Payout.objects.exists()


def test_the_treasury_sees_the_payees_and_the_view_is_audited(approved, treasury):
    response = treasury.get(URL, {"procedure": "tsugaku-hojo", "date": PAY_DAY.isoformat()})
    assert response.status_code == 200
    page = visible_text(response.content)
    assert approved.receipt_number in page and ACCOUNT_HOLDER in page and "30,000" in page
    event = AuditEvent.objects.get(action="payments.payees.view")
    assert event.target_id == "tsugaku-hojo"
    assert event.details == {"count": 1, "receipts": [approved.receipt_number]}


@pytest.mark.parametrize("holiday", future_holidays())
def test_a_bank_holiday_is_refused_in_japanese(approved, treasury, holiday):
    day, shown = holiday.isoformat(), label(holiday)
    response = treasury.get(URL, {"procedure": "tsugaku-hojo", "date": day})
    assert response.status_code == 422
    assert f"{shown}は銀行の休業日です" in visible_text(response.content)
    posted = _export(treasury, approved, day=day)
    assert posted.status_code == 302 and not TransferBatch.objects.exists()


PROCEDURE_MESSAGE = "一覧から手続きを選んでください"
DATE_MESSAGE = "振込指定日を「2026-12-09」や「令和8年12月9日」の形で入力してください"


def test_a_payment_day_not_after_today_is_refused(approved, treasury):
    today = dt.date.today().isoformat()
    response = treasury.get(URL, {"procedure": "tsugaku-hojo", "date": today})
    assert response.status_code == 422
    assert "振込指定日は明日以降の日にしてください" in visible_text(response.content)
    assert _export(treasury, approved, day=today).status_code == 302
    assert not TransferBatch.objects.exists()


@pytest.mark.parametrize(("query", "messages"), [
    ({"procedure": "nope", "date": "2026-12-09"}, [PROCEDURE_MESSAGE]),
    ({"procedure": "tsugaku-hojo", "date": "x"}, [DATE_MESSAGE]),
    ({"procedure": "\x00", "date": "\x00"}, [PROCEDURE_MESSAGE, DATE_MESSAGE]),
    ({"procedure": "a" * 500, "date": "9" * 500}, [PROCEDURE_MESSAGE, DATE_MESSAGE]),
])
def test_bad_choices_get_a_message(treasury, query, messages):
    response = treasury.get(URL, query)
    assert response.status_code == 422
    page = visible_text(response.content)
    assert "エラーがあります" in page and all(m in page for m in messages)


@pytest.mark.parametrize("data", [
    {}, {"procedure": "tsugaku-hojo"}, {"procedure": "tsugaku-hojo", "date": "x"},
    {"procedure": "tsugaku-hojo", "date": PAY_DAY.isoformat(), "case": ["not-a-uuid"]},
    {"procedure": "tsugaku-hojo", "date": PAY_DAY.isoformat(), "case": [str(uuid.uuid4())]},
])
def test_bad_exports_are_refused_without_a_500(treasury, data):
    response = treasury.post(f"{URL}export/", data)
    assert response.status_code in (302, 404)
    assert not TransferBatch.objects.exists()


def test_export_then_download_the_file_and_the_check_lists(approved, treasury):
    response = _export(treasury, approved)
    batch = TransferBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{URL}{batch.public_id}/"
    page = treasury.get(f"{URL}{batch.public_id}/")
    assert page.status_code == 200 and ACCOUNT_HOLDER in visible_text(page.content)
    zengin = treasury.get(f"{URL}{batch.public_id}/zengin/")
    assert zengin.status_code == 200 and "attachment" in zengin["Content-Disposition"]
    parsed = zt.parse_file(zengin.content)
    assert parsed.data[0]["payee_name"] == ACCOUNT_HOLDER
    assert int(parsed.trailer["total"]) == 30_000
    csv = treasury.get(f"{URL}{batch.public_id}/csv/")
    assert ACCOUNT_HOLDER in csv.content.decode("cp932")
    xlsx = treasury.get(f"{URL}{batch.public_id}/xlsx/")
    assert xlsx.content[:2] == b"PK"
    assert treasury.get(f"{URL}{batch.public_id}/pdf/").status_code == 404
    downloads = AuditEvent.objects.filter(action="payments.transfer.download")
    assert sorted(e.details["format"] for e in downloads) == ["csv", "xlsx", "zengin"]
    assert AuditEvent.objects.filter(action="payments.transfer.view").count() == 1


def test_a_second_export_needs_a_reason_and_is_audited(approved, treasury):
    _export(treasury, approved)
    refused = _export(treasury, approved)
    assert TransferBatch.objects.count() == 1
    message = visible_text(treasury.get(refused["Location"]).content)
    assert approved.receipt_number in message and "理由" in message
    again = _export(treasury, approved, reason="組戻しのため再振込")
    assert again.status_code == 302 and TransferBatch.objects.count() == 2
    event = AuditEvent.objects.get(action="payments.transfer.reexport")
    assert event.target_id == str(approved.public_id)
    assert event.details["reason"] == "組戻しのため再振込"


def test_a_head_pays_only_their_own_department(approved, treasury):
    _export(treasury, approved)
    batch = TransferBatch.objects.get()
    own = _client(member("head", "kosodate"))
    other = _client(member("head", "shimin"))
    assert own.get(f"{URL}{batch.public_id}/").status_code == 200
    assert other.get(f"{URL}{batch.public_id}/").status_code == 404
    assert other.get(f"{URL}{batch.public_id}/zengin/").status_code == 404
    listed = other.get(URL, {"procedure": "tsugaku-hojo", "date": PAY_DAY.isoformat()})
    assert listed.status_code == 422  # not a procedure they may pay out
    assert other.post(f"{URL}export/", {"procedure": "tsugaku-hojo",
                                        "date": PAY_DAY.isoformat(),
                                        "case": [str(approved.public_id)]}).status_code == 404


@pytest.mark.parametrize("role", ["clerk", "approver", "admin", "dx", "counter"])
def test_other_roles_may_not_export(approved, role):
    client = _client(member(role, "kosodate"))
    assert client.get(URL).status_code == 403
    assert _export(client, approved).status_code == 403
    assert not TransferBatch.objects.exists()


# --- with an approval route: the last approver confirms the amount with the decision ----------
ROUTE = [{"role": "approver", "label": {"ja": "係長", "en": "Section chief"}},
         {"role": "head", "label": {"ja": "課長", "en": "Head"}}]


@pytest.fixture
def in_approval(application, clerk, procedure):
    approvals.set_route(procedure.pk, ROUTE)
    change_status(application=application, to_status=Status.UNDER_REVIEW, actor=clerk)
    approvals.start(application=application, proposal="approve", summary="要件を満たす",
                    actor=clerk)
    approver = member("approver", "kosodate")
    _client(approver).post(f"/staff/applications/{application.public_id}/approval/decide/",
                           {"kind": "approve"})
    return application


def test_the_last_approver_confirms_the_amount_with_the_decision(in_approval):
    head = _client(member("head", "kosodate"))
    html = head.get(f"/staff/applications/{in_approval.public_id}/").content.decode()
    assert 'id="decision-amount"' in html
    response = head.post(f"/staff/applications/{in_approval.public_id}/approval/decide/",
                         {"kind": "approve", "amount": "45,000"})
    assert response.status_code == 302
    in_approval.refresh_from_db()
    assert in_approval.status == Status.APPROVED
    assert Payout.objects.get(application=in_approval).amount == 45_000
    assert AuditEvent.objects.filter(action="payout.confirm",
                                     target_id=str(in_approval.public_id)).exists()


@pytest.mark.parametrize("typed", ["abc", "0", "99999999999"])
def test_a_bad_amount_at_the_last_step_decides_nothing(in_approval, typed):
    head = _client(member("head", "kosodate"))
    response = head.post(f"/staff/applications/{in_approval.public_id}/approval/decide/",
                         {"kind": "approve", "amount": typed}, follow=True)
    assert response.status_code == 200 and "円" in visible_text(response.content)
    in_approval.refresh_from_db()
    assert in_approval.status == Status.IN_APPROVAL and not Payout.objects.exists()
