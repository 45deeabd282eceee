"""Subsidies paid by transfer: the amount confirmed at approval, the 全銀 file made once per
case (again only with a reason, audited), read back field by field."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import RequestFactory

from madoguchi.applications.models import Status
from madoguchi.applications.services import change_status
from madoguchi.catalog.models import City
from madoguchi.conftest import ACCOUNT_HOLDER, ACCOUNT_NUMBER, BANK_CODES, staff_email
from madoguchi.core.models import AuditEvent, User
from madoguchi.jp import zengin_transfer as zt
from madoguchi.jp.zengin import ALLOWED
from madoguchi.payments.models import Payout, TransferItem
from madoguchi.payments.transfers import files, selectors, services
from madoguchi.staff.models import StaffMember

from .days import future_holidays

PAY_DAY = zt.next_business_day(dt.date.today() + dt.timedelta(days=3))
ALLOWED_BYTES = {ch.encode("cp932")[0] for ch in ALLOWED}


def _request(user: User):
    request = RequestFactory().post("/staff/payments/transfers/export/")
    request.user = user
    return request


@pytest.fixture
def clerk(demo) -> User:
    return User.objects.get(email=staff_email("kosodate1"))


@pytest.fixture
def treasurer(demo) -> User:
    return User.objects.get(email=staff_email("kaikei1"))


@pytest.fixture
def approve(clerk):
    """Approve a case with a confirmed amount, as the clerk does on the case page."""
    def run(application, amount: int = 30_000):
        change_status(application=application, to_status=Status.UNDER_REVIEW, actor=clerk)
        services.confirm_amount(application=application, amount=amount, actor=clerk,
                                approve=True, request=_request(clerk))
        application.refresh_from_db()
        return application

    return run


def _export(user: User, procedure, applications, reason: str = "", day: dt.date = PAY_DAY):
    return services.create_batch(request=_request(user), staff=user.staff_profile,
                                 procedure=procedure, payment_date=day,
                                 public_ids=[a.public_id for a in applications], reason=reason)


def test_the_clerk_confirms_the_amount_and_approves_in_one_step(application, approve, clerk):
    approve(application, 45_000)
    assert application.status == Status.APPROVED
    payout = Payout.objects.get(application=application)
    assert (payout.amount, payout.confirmed_by) == (45_000, clerk)
    event = AuditEvent.objects.get(action="payout.confirm")
    assert event.target_id == str(application.public_id)
    assert event.details == {"amount": 45_000, "approved": True, "previous": None}


@pytest.mark.parametrize(("amount", "code"), [(0, "amount"), (10_000_000_000, "amount"),
                                               (True, "amount")])
def test_an_amount_out_of_range_is_refused(application, clerk, amount, code):
    change_status(application=application, to_status=Status.UNDER_REVIEW, actor=clerk)
    with pytest.raises(services.PayoutRefused) as exc:
        services.confirm_amount(application=application, amount=amount, actor=clerk,
                                approve=True)
    assert exc.value.code == code
    application.refresh_from_db()
    assert application.status == Status.UNDER_REVIEW and not Payout.objects.exists()


def test_an_amount_is_confirmed_only_on_an_approved_case(application, clerk):
    with pytest.raises(services.PayoutRefused) as exc:
        services.confirm_amount(application=application, amount=1000, actor=clerk)
    assert exc.value.code == "status"
    with pytest.raises(services.PayoutRefused):  # received → approved is not a transition
        services.confirm_amount(application=application, amount=1000, actor=clerk,
                                approve=True)
    assert not Payout.objects.exists()


def test_the_file_reads_back_field_by_field(make_application, approve, treasurer, procedure):
    first, second = approve(make_application(), 30_000), approve(make_application(), 7_500)
    batch = _export(treasurer, procedure, [first, second])
    content = files.zengin_file(batch, selectors.sender(), selectors.batch_payees(batch))
    lines = content.split(b"\r\n")
    assert lines[-1] == b"" and all(len(line) == 120 for line in lines[:-1])
    assert all(set(line) <= ALLOWED_BYTES for line in lines[:-1])
    parsed = zt.parse_file(content)
    account = City.objects.get().transfer_account
    assert parsed.header == {
        "record_type": "1", "kind_code": "21", "code_type": "0",
        "sender_code": account["code"], "sender_name": "ﾐﾄﾞﾘｶﾞｵｶｼ",
        "payment_date": f"{PAY_DAY:%m%d}", "bank_code": "0001", "bank_name": "ﾐｽﾞﾎ",
        "branch_code": "001", "branch_name": "ﾄｳｷﾖｳ", "account_type": "2",
        "account_number": account["number"], "dummy": "",
    }
    by_amount = {int(d["amount"]): d for d in parsed.data}
    assert set(by_amount) == {30_000, 7_500}
    for case, amount in ((first, 30_000), (second, 7_500)):
        serial_and_check, year = files.customer_codes(case.receipt_number)
        assert by_amount[amount] == {
            "record_type": "2", "bank_code": BANK_CODES[0], "bank_name": "ﾐｽﾞﾎ",
            "branch_code": BANK_CODES[1], "branch_name": "ﾄｳｷﾖｳ",
            "clearing_house": "0000", "account_type": "1", "account_number": ACCOUNT_NUMBER,
            "payee_name": ACCOUNT_HOLDER, "amount": f"{amount:010d}", "new_code": "0",
            "customer_code1": serial_and_check.zfill(10), "customer_code2": year.zfill(10),
            "transfer_kind": "7", "edi_flag": "", "dummy": "",
        }
    assert parsed.trailer == {"record_type": "8", "count": "000002", "total": f"{37_500:012d}",
                              "dummy": ""}
    assert (batch.count, batch.total) == (2, 37_500)


def test_customer_codes_lead_back_to_the_receipt_number():
    assert files.customer_codes("2026-0000123-4") == ("00001234", "2026")
    assert files.customer_codes(None) == ("0", "0")


def test_a_case_goes_into_one_file_and_again_only_with_a_reason(
        make_application, approve, treasurer, procedure):
    case = approve(make_application())
    first = _export(treasurer, procedure, [case])
    with pytest.raises(services.ExportRefused) as exc:
        _export(treasurer, procedure, [case])
    assert exc.value.code == "reason" and exc.value.receipt == case.receipt_number
    assert TransferItem.objects.count() == 1
    again = _export(treasurer, procedure, [case], reason="口座解約で組戻しのため再振込")
    item = again.items.get()
    assert item.repeated and again.reason == "口座解約で組戻しのため再振込"
    repeat = AuditEvent.objects.get(action="payments.transfer.reexport")
    assert repeat.target_id == str(case.public_id)
    assert repeat.details == {"batch": str(again.public_id), "reason": again.reason,
                              "earlier": [str(first.public_id)]}
    exports = AuditEvent.objects.filter(action="payments.transfer.export").order_by("pk")
    assert [e.details["repeated"] for e in exports] == [[], [case.receipt_number]]


def test_an_exported_amount_can_no_longer_change(make_application, approve, treasurer, clerk,
                                                 procedure):
    case = approve(make_application())
    services.confirm_amount(application=case, amount=31_000, actor=clerk)  # before: allowed
    _export(treasurer, procedure, [case])
    with pytest.raises(services.PayoutRefused) as exc:
        services.confirm_amount(application=case, amount=32_000, actor=clerk)
    assert exc.value.code == "exported"
    assert Payout.objects.get(application=case).amount == 31_000


@pytest.mark.parametrize("day", future_holidays())
def test_a_bank_holiday_is_refused_and_nothing_is_saved(make_application, approve, treasurer,
                                                        procedure, day):
    case = approve(make_application())
    with pytest.raises(services.ExportRefused) as exc:
        _export(treasurer, procedure, [case], day=day)
    assert exc.value.code == "holiday" and not TransferItem.objects.exists()


@pytest.mark.parametrize("days", [0, -1])
def test_a_payment_day_not_after_today_is_refused(make_application, approve, treasurer,
                                                  procedure, days):
    case = approve(make_application())
    with pytest.raises(services.ExportRefused) as exc:
        _export(treasurer, procedure, [case], day=dt.date.today() + dt.timedelta(days=days))
    assert exc.value.code == "past" and not TransferItem.objects.exists()


def test_without_the_citys_account_no_file_is_made(make_application, approve, treasurer,
                                                   procedure):
    case = approve(make_application())
    City.objects.update(transfer_account={})
    with pytest.raises(services.ExportRefused) as exc:
        _export(treasurer, procedure, [case])
    assert exc.value.code == "sender"


def test_a_holder_that_does_not_fit_is_refused_with_the_case(make_application, approve,
                                                             treasurer, procedure, monkeypatch):
    case = approve(make_application())
    real = selectors._account_of
    monkeypatch.setattr(selectors, "_account_of",
                        lambda application: {**real(application), "holder": "ｱ" * 31})
    with pytest.raises(services.ExportRefused) as exc:
        _export(treasurer, procedure, [case])
    assert exc.value.code == "file" and exc.value.receipt == case.receipt_number
    assert "受取人名" in exc.value.detail and not TransferItem.objects.exists()


def test_cases_without_a_confirmed_amount_are_not_payees(make_application, clerk, procedure):
    case = make_application()
    change_status(application=case, to_status=Status.UNDER_REVIEW, actor=clerk)
    change_status(application=case, to_status=Status.APPROVED, actor=clerk)
    assert selectors.payees(procedure) == []
    assert [a.pk for a in selectors.unconfirmed(procedure)] == [case.pk]


def test_the_treasury_pays_every_department_and_a_head_only_their_own(demo):
    treasury = StaffMember.objects.get(role="treasury")
    kosodate_head = StaffMember.objects.get(role="head", department__code="kosodate")
    shimin_head = StaffMember.objects.get(role="head", department__code="shimin")
    slugs = {p.slug for p in selectors.payable_procedures(treasury)}
    assert "tsugaku-hojo" in slugs
    assert "tsugaku-hojo" in {p.slug for p in selectors.payable_procedures(kosodate_head)}
    assert "tsugaku-hojo" not in {p.slug for p in selectors.payable_procedures(shimin_head)}


def test_the_check_list_matches_the_file(make_application, approve, treasurer, procedure):
    batch = _export(treasurer, procedure, [approve(make_application(), 12_345)])
    table = files.checklist(batch, selectors.batch_payees(batch))
    assert table[1][3] == ACCOUNT_HOLDER and table[1][9] == ACCOUNT_NUMBER
    assert table[1][10] == "12345" and table[-1][10] == "12345"
    content, result = files.checklist_csv(table)
    text = content.decode("cp932")
    assert ACCOUNT_HOLDER in text and "\r\n" in text and result.rows == 2
    workbook = files.checklist_xlsx(table, "高校生等通学費補助金")
    assert workbook[:2] == b"PK"
