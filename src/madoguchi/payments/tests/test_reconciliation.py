"""Reconciliation of a settlement file (Stripe's itemized payout report) with the city's
records: matched, missing and a wrong amount; the staff page and its CP932 CSV."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory
from django.utils import timezone

from madoguchi.payments import reconciliation as rec
from madoguchi.payments import services
from madoguchi.payments.plugins import payment_providers
from madoguchi.staff.tests.helpers import member, staff_login

HEADER = ("automatic_payout_id,balance_transaction_id,created_utc,currency,gross,fee,net,"
          "reporting_category,source_id,description,payment_intent_id,"
          "payment_metadata[reference]\n")


def line(reference: str, gross: str, category: str = "charge") -> str:
    return (f"po_1,txn_{reference},2026-12-06 10:00:00,jpy,{gross},-11,{gross},{category},"
            f"ch_{reference},支払い,pi_{reference},{reference}\n")


def test_parse_and_reconcile():
    text = (HEADER + line("P-A", "710") + line("P-B", "710") + line("P-B", "-300", "refund")
            + line("P-C", "999") + line("", "5000", "payout") + line("P-X", "300"))
    settled = rec.parse(text)
    assert settled == {"P-A": 710, "P-B": 410, "P-C": 999, "P-X": 300}
    report = rec.reconcile(settled, [rec.Expected("P-A", 710), rec.Expected("P-B", 410),
                                     rec.Expected("P-C", 710), rec.Expected("P-D", 410)])
    assert report.matched == [("P-A", 710), ("P-B", 410)]
    assert report.differs == [("P-C", 710, 999)]
    assert report.missing_in_file == [("P-D", 410)]
    assert report.missing_in_records == [("P-X", 300)]
    assert not report.clean


@pytest.mark.parametrize(("text", "code"), [
    ("a,b\n1,2\n", "columns"),
    (HEADER + line("P-A", "71.5"), "amount"),
    (HEADER + line("P-A", "abc"), "amount"),
])
def test_a_broken_file_is_refused_with_the_line(text, code):
    with pytest.raises(rec.SettlementFileError) as exc:
        rec.parse(text)
    assert exc.value.code == code


def test_cp932_and_utf8_bom_are_read():
    text = HEADER + line("P-A", "710")
    assert rec.parse(rec.decode(text.encode("cp932"))) == {"P-A": 710}
    assert rec.parse(rec.decode(b"\xef\xbb\xbf" + text.encode())) == {"P-A": 710}


def paid(application):
    payment = services.create_payment(application, copies=2)
    services.start(RequestFactory().get("/"), payment, return_url="http://testserver/r/")
    payment.refresh_from_db()
    payment_providers["demo"].decide(payment.provider_payment_id, pay=True)
    services.sync(payment)
    payment.refresh_from_db()
    return payment


def test_the_page_reports_a_missing_and_a_wrong_amount(make_application, schedule):
    first, second, third = (paid(make_application()) for _ in range(3))
    day = timezone.localdate().isoformat()
    text = (HEADER + line(first.reference, "710") + line(second.reference, "610")
            + line("P-UNKNOWN", "300"))
    head = staff_login(Client(), member("head", "kosodate"))
    upload = SimpleUploadedFile("payout.csv", text.encode("cp932"), "text/csv")
    response = head.post("/staff/payments/reconciliation/", {"date": day, "file": upload})
    assert response.status_code == 200
    report = response.context["report"]
    assert report.matched == [(first.reference, 710)]
    assert report.differs == [(second.reference, 710, 610)]
    assert report.missing_in_file == [(third.reference, 710)]
    assert report.missing_in_records == [("P-UNKNOWN", 300)]
    upload = SimpleUploadedFile("payout.csv", text.encode("cp932"), "text/csv")
    download = head.post("/staff/payments/reconciliation/",
                         {"date": day, "file": upload, "format": "csv"})
    assert download["Content-Type"] == "text/csv; charset=cp932"
    rows = list(csv.reader(io.StringIO(download.content.decode("cp932"))))
    assert [r[1:] for r in rows[1:]] == [
        [first.reference, "710", "710"], [second.reference, "710", "610"],
        [third.reference, "710", ""], ["P-UNKNOWN", "", "300"]]
    assert len({r[0] for r in rows[1:]}) == 4  # four different results, labelled


def test_another_departments_payment_is_not_shown_to_a_head(make_application, schedule):
    payment = paid(make_application())
    day = timezone.localdate().isoformat()
    text = HEADER + line(payment.reference, "710")
    head = staff_login(Client(), member("head", "shimin"))
    upload = SimpleUploadedFile("payout.csv", text.encode(), "text/csv")
    report = head.post("/staff/payments/reconciliation/",
                       {"date": day, "file": upload}).context["report"]
    assert report.rows and not list(report.rows())


def test_a_file_without_the_columns_gets_a_message(schedule):
    head = staff_login(Client(), member("head", "kosodate"))
    upload = SimpleUploadedFile("payout.csv", b"a,b\n1,2\n", "text/csv")
    response = head.post("/staff/payments/reconciliation/", {"date": "2026-12-06",
                                                             "file": upload})
    assert response.status_code == 422
    assert "reporting_category" in response.content.decode()
