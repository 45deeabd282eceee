"""住民票の写しの郵送請求 end to end in the services: approved with the fee stated, paid only by
the provider's notification, the certificate printed from the registry (every read audited),
posted only once paid, and the resident told at each step (e-mail and LINE)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.test import RequestFactory
from django.utils import timezone, translation

from madoguchi.applications import timeline
from madoguchi.applications.models import Application, Status
from madoguchi.applications.services import (
    TransitionRefused,
    change_status,
    manual_transitions,
    submit_application,
)
from madoguchi.channels import services as channel_services
from madoguchi.channels.tests.conftest import line_api  # noqa: F401 (fixture)
from madoguchi.core.models import AuditEvent, MailboxMessage, User
from madoguchi.demo.accounts import DEMO_RESIDENT_EMAIL, staff_email
from madoguchi.forms.definition import FormSpec
from madoguchi.forms.models import FormDefinition
from madoguchi.issuance import certificates
from madoguchi.issuance.certificates import CertificateRefused, refusal_message
from madoguchi.issuance.tests.pdftext import pdf_text
from madoguchi.payments import selectors as payment_selectors
from madoguchi.payments import services as payment_services
from madoguchi.payments.models import Payment, PaymentEvent
from madoguchi.payments.plugins import PaymentResult
from madoguchi.registry import selectors as registry_selectors
from madoguchi.registry.contrib.file_import import importer
from madoguchi.registry.plugins import ResidentQuery
from madoguchi.registry.tests.helpers import person, write

pytestmark = pytest.mark.django_db
SLUG = "juminhyo-yuso"
POST = {
    "you": {
        "name-family": "緑川",
        "name-given": "太郎",
        "birth_date": "1980-04-01",
        "address-postal_code": "999-0101",
        "address-prefecture": "山形県",
        "address-city": "緑ヶ丘市",
        "address-town": "若葉町",
        "address-street": "2丁目14番3号",
        "phone": "090-1234-5678",
    },
    "request": {"copies": "2", "scope": "household", "include": ["relationship"], "purpose": "job"},
    "delivery": {"consent": "yes"},
}
VERIFIED = {
    "provider": "card",
    "label": "マイナンバーカード",
    "level": 3,
    "verified_at": "2026-12-07T09:00:00+09:00",
    "fields": ["address", "birth_date", "name"],
}
LINE_USER = "U" + "b" * 32


def answers(changes: dict[str, dict[str, object]] | None = None) -> dict[str, object]:
    spec = FormSpec(FormDefinition.objects.get(slug=SLUG).live_version.definition)
    clean: dict[str, object] = {}
    for page in spec.pages:
        _raw, values, errors = spec.validate_page(
            page, {**POST[page.key], **(changes or {}).get(page.key, {})}
        )
        assert not errors, errors
        clean.update(values)
    return clean


@pytest.fixture
def registry(demo, tmp_path):
    rows = [
        person(
            "11111111101",
            "緑川　太郎",
            "ミドリカワ　タロウ",
            household="10000001",
            birth="1980-04-01",
            address="緑ヶ丘市若葉町2丁目14番3号",
        ),
        person(
            "11111111102",
            "緑川　花子",
            "ミドリカワ　ハナコ",
            household="10000001",
            birth="1982-06-06",
            sex="女",
            relationship="妻",
            address="緑ヶ丘市若葉町2丁目14番3号",
        ),
        person(
            "11111111201",
            "緑川　太郎",
            "ミドリカワ　タロウ",
            household="10000002",
            birth="1980-04-01",
            address="緑ヶ丘市桜坂1丁目2番3号",
        ),
    ]
    importer.import_file(write(tmp_path / "registry.csv", rows))


@pytest.fixture
def resident(demo) -> User:
    return User.objects.get(email=DEMO_RESIDENT_EMAIL)


@pytest.fixture
def clerk(demo) -> User:
    return User.objects.get(email=staff_email("shimin1"))


def record_id(code: str) -> str:
    """The registry's id of the person with the 住民票コード ``code``."""
    return registry_selectors.find(ResidentQuery(resident_code=code))[0].record_id


def request_as(user: User):
    request = RequestFactory().get("/")
    request.user = user
    return request


def submit(resident: User, changes: dict | None = None) -> Application:
    version = FormDefinition.objects.get(slug=SLUG).live_version
    return submit_application(
        user=resident,
        version=version,
        answers=answers(changes),
        token=uuid.uuid4(),
        identity_verification=VERIFIED,
    )


def reviewed(application: Application, clerk: User) -> Application:
    change_status(application=application, to_status=Status.UNDER_REVIEW, actor=clerk)
    return application


def paid(payment: Payment) -> payment_services.Applied:
    """What the demo provider's signed notification says of a paid payment."""
    return payment_services.apply_result(
        "demo",
        PaymentResult(
            reference=payment.reference,
            payment_id=payment.provider_payment_id or "dc_1",
            status="paid",
            amount=payment.amount,
            method="card",
        ),
        source="webhook",
    )


def subjects() -> list[str]:
    return list(MailboxMessage.objects.order_by("id").values_list("subject", flat=True))


def test_the_demo_procedure_asks_for_the_card_and_charges_after_review(demo):
    form = FormDefinition.objects.get(slug=SLUG)
    assert form.live_version.definition["assurance"] == "high"
    schedule = payment_selectors.schedule_of(form.procedure_id)
    assert (schedule.per_copy, schedule.postage, schedule.charged) == (300, 110, "after_review")


def test_plain_approval_is_refused_and_approving_states_the_amount(
    resident, clerk, django_capture_on_commit_callbacks
):
    application = reviewed(submit(resident), clerk)
    assert Status.APPROVED not in manual_transitions(application)
    assert Status.REJECTED in manual_transitions(application)
    with pytest.raises(TransitionRefused):
        change_status(application=application, to_status=Status.APPROVED, actor=clerk)
    MailboxMessage.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        approved = payment_services.approve_with_fee(application, actor=clerk, copies=2)
    application.refresh_from_db()
    assert application.status == Status.APPROVED
    assert approved.amount == 2 * 300 + 110 == approved.payment.amount
    assert payment_selectors.fee_state(application) == "awaiting"
    assert timeline.progress(application).code == "awaiting_payment"
    # One notice for the step: approved, with the amount and the pay link.
    mails = list(MailboxMessage.objects.all())
    assert len(mails) == 1 and "710" in mails[0].body
    assert f"/my/payments/{approved.payment.public_id}/" in mails[0].body


def test_a_wrong_copy_count_approves_nothing(resident, clerk):
    application = reviewed(submit(resident), clerk)
    with pytest.raises(payment_services.PaymentRefused) as refused:
        payment_services.approve_with_fee(application, actor=clerk, copies=11)
    assert refused.value.code == "copies"
    application.refresh_from_db()
    assert application.status == Status.UNDER_REVIEW
    assert not Payment.objects.filter(application=application).exists()


def test_a_full_exemption_approves_with_nothing_to_pay(resident, clerk):
    application = reviewed(submit(resident), clerk)
    approved = payment_services.approve_with_fee(
        application, actor=clerk, copies=1, exemption="seikatsu-hogo"
    )
    assert approved.payment is None
    assert payment_selectors.fee_state(application) == "waived"
    assert payment_selectors.fee_cleared(application)


def test_posting_before_payment_is_refused_in_japanese(registry, resident, clerk):
    application = reviewed(submit(resident), clerk)
    payment_services.approve_with_fee(application, actor=clerk, copies=2)
    with pytest.raises(CertificateRefused) as refused:
        certificates.mark_posted(application, actor=clerk, posted_on=timezone.localdate())
    assert refused.value.code == "not_paid"
    with translation.override("ja"):
        assert "手数料のお支払いが確認できていません" in refusal_message(refused.value.code)
    with pytest.raises(CertificateRefused):
        certificates.render(request_as(clerk), application)
    application.refresh_from_db()
    assert application.status == Status.APPROVED


def test_a_repeated_notification_makes_one_status_change_and_one_notice(
    resident, clerk, django_capture_on_commit_callbacks
):
    application = reviewed(submit(resident), clerk)
    payment = payment_services.approve_with_fee(application, actor=clerk, copies=1).payment
    MailboxMessage.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        first = paid(payment)
        second = paid(payment)
    assert (first.changed, second.changed) == (True, False)
    assert PaymentEvent.objects.filter(payment=payment, to_status="paid").count() == 1
    assert MailboxMessage.objects.count() == 1
    assert payment_selectors.fee_state(application) == "paid"
    assert timeline.progress(application).code == "paid"


def test_from_the_registry_to_posted(registry, resident, clerk, django_capture_on_commit_callbacks):
    application = reviewed(submit(resident), clerk)
    payment = payment_services.approve_with_fee(application, actor=clerk, copies=2).payment
    paid(payment)
    request = request_as(clerk)

    proposal = certificates.proposal(request, application)
    assert proposal.unique is not None  # name, birth date and the verified address
    assert proposal.unique.record.record_id == record_id("11111111101")
    found = AuditEvent.objects.filter(
        action="registry.certificate.find", target_id=str(application.public_id)
    ).first()
    assert found.details["found"] == [record_id("11111111101")] and found.actor == clerk

    with pytest.raises(CertificateRefused) as refused:
        certificates.mark_posted(application, actor=clerk, posted_on=timezone.localdate())
    assert refused.value.code == "not_printed"
    certificates.choose(
        request,
        application,
        source=proposal.unique.source,
        record_id=record_id("11111111101"),
        actor=clerk,
    )
    data = certificates.render(request, application)
    text = pdf_text(data)
    for expected in (
        "住民票の写し",
        "緑川　太郎",
        "緑川　花子",
        "世帯主",
        "妻",
        "若葉町2丁目14番3号",
        "2通",
    ):
        assert expected in text, expected
    read = AuditEvent.objects.filter(action="registry.certificate.read").order_by("id").last()
    assert read.details["household"] == [record_id("11111111101"), record_id("11111111102")]

    MailboxMessage.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        certificates.mark_posted(application, actor=clerk, posted_on=timezone.localdate())
    application.refresh_from_db()
    assert application.status == Status.ISSUED
    assert timeline.progress(application).code == "posted"
    assert [s.kind for s in timeline.steps(application)][-1] == "posted"
    assert len(subjects()) == 1 and "郵送" in subjects()[0]
    with pytest.raises(CertificateRefused) as again:
        certificates.mark_posted(application, actor=clerk, posted_on=timezone.localdate())
    assert again.value.code == "posted"


def test_no_unique_match_leaves_the_choice_to_the_clerk(registry, resident, clerk):
    changes = {"you": {"address-town": "", "address-street": "中央1番"}}
    application = reviewed(submit(resident, changes), clerk)
    proposal = certificates.proposal(request_as(clerk), application)
    assert proposal.unique is None
    assert sorted(f.record.record_id for f in proposal.records) == sorted(
        [record_id("11111111101"), record_id("11111111201")]
    )


def test_a_day_in_the_future_and_a_domicile_request_are_refused(registry, resident, clerk):
    application = reviewed(submit(resident, {"request": {"include": ["domicile"]}}), clerk)
    payment = payment_services.approve_with_fee(application, actor=clerk, copies=1).payment
    paid(payment)
    request = request_as(clerk)
    certificates.choose(
        request, application, source="file_import", record_id=record_id("11111111101"), actor=clerk
    )
    with pytest.raises(CertificateRefused) as refused:
        certificates.render(request, application)
    assert refused.value.code == "domicile"
    with pytest.raises(CertificateRefused) as future:
        certificates.mark_posted(
            application, actor=clerk, posted_on=timezone.localdate() + dt.timedelta(days=1)
        )
    assert future.value.code in ("date", "not_printed")


def test_each_step_is_pushed_on_line(
    line_api,  # noqa: F811
    resident,
    clerk,
    django_capture_on_commit_callbacks,
):
    nonce = channel_services.create_link_nonce(resident)
    channel_services.link_account(LINE_USER, nonce)
    channel_services.set_channel_preference(resident, ["email", "line"])
    application = reviewed(submit(resident), clerk)
    line_api.pushes.clear()
    with django_capture_on_commit_callbacks(execute=True):
        payment = payment_services.approve_with_fee(application, actor=clerk, copies=2).payment
    with django_capture_on_commit_callbacks(execute=True):
        paid(payment)
    texts = [m["text"] for body in line_api.pushes for m in body["messages"]]
    assert len(texts) == 2
    assert "710" in texts[0] and "710" in texts[1]
