"""A notice prints only what was decided for it: never an earlier message of the case.

After a 差戻し the application's status reason still holds the correction request; a decision
notice issued later, directly or through 電子決裁, must not print it as its 備考. Every kind of
notice is issued after every path to its decision.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from madoguchi.applications import services as cases
from madoguchi.applications.models import Application, Status
from madoguchi.approvals import services as approvals
from madoguchi.core.models import User
from madoguchi.demo.accounts import staff_email
from madoguchi.issuance import services

from .pdftext import pdf_text

pytestmark = pytest.mark.django_db
CORRECTION = "定期券の写しと金額が合いません。金額をご確認ください。"
RETURN_COMMENT = "起案の根拠を追記してください。"
ROUTE = [{"role": "approver", "label": {"ja": "係長", "en": "Section chief"}},
         {"role": "head", "label": {"ja": "課長", "en": "Head"}}]


def staff(name: str) -> User:
    return User.objects.get(email=staff_email(name))


def correction_round(application: Application, clerk: User) -> None:
    """差戻し and the resident's resubmission: the status reason keeps the request."""
    correction = cases.request_correction(application=application, fields=["phone"],
                                          message=CORRECTION, actor=clerk)
    cases.resubmit_correction(application=application, correction=correction,
                              clean={"phone": "0312345678"}, user=application.applicant)
    application.refresh_from_db()
    assert application.status == Status.UNDER_REVIEW
    assert application.status_reason == CORRECTION


def directly(outcome: str, reason: str) -> Callable[[Application, User], None]:
    def decide(application: Application, clerk: User) -> None:
        cases.change_status(application=application, to_status=outcome, actor=clerk,
                            reason=reason)
    return decide


def through_approval(proposal: str, summary: str, *, last: str = "approve", comment: str = "",
                     returned_first: bool = False) -> Callable[[Application, User], None]:
    """起案 along the 係長 → 課長 route; the 課長 takes the ``last`` decision."""
    def decide(application: Application, clerk: User) -> None:
        approvals.set_route(application.procedure_id, ROUTE)
        if returned_first:  # 係長 returns the first request with a comment
            first = approvals.start(application=application, proposal=proposal,
                                    summary=summary, actor=clerk)
            approvals.decide(request=first, kind="return", comment=RETURN_COMMENT,
                             actor=staff("kosodate2"))
        request = approvals.start(application=application, proposal=proposal, summary=summary,
                                  actor=clerk)
        approvals.decide(request=request, kind="approve", comment="", actor=staff("kosodate2"))
        approvals.decide(request=request, kind=last, comment=comment, actor=staff("kosodate3"))
    return decide


APPROVALS = {
    "direct": directly(Status.APPROVED, ""),
    "approval route": through_approval("approve", "要件を満たすため承認したい。"),
    "approval route, returned once": through_approval("approve", "要件を満たすため承認したい。",
                                                      returned_first=True),
}
REJECTIONS = {  # each with the reason it decided
    "direct": (directly(Status.REJECTED, "通学距離が6km未満のため。"), "通学距離が6km未満のため。"),
    "approval route, proposed": (through_approval("reject", "市外の学校ではないため。"),
                                 "市外の学校ではないため。"),
    "approval route, rejected by the head": (
        through_approval("approve", "承認したい。", last="reject",
                         comment="所得要件を超えるため。"),
        "所得要件を超えるため。"),
}


def issued_text(application: Application, kind: str, clerk: User) -> str:
    document = services.issue(application, kind, clerk)
    with document.pdf.open("rb") as handle:
        return pdf_text(handle.read()).replace("\n", "")


@pytest.fixture
def reviewed(application, staff_user) -> Application:
    cases.change_status(application=application, to_status=Status.UNDER_REVIEW, actor=staff_user)
    return application


@pytest.mark.parametrize("corrected", [False, True], ids=["first time", "after a correction"])
@pytest.mark.parametrize("path", list(APPROVALS))
@pytest.mark.parametrize("kind", ["decision", "grant"])
def test_an_approval_notice_prints_no_earlier_message(reviewed, staff_user, kind, path,
                                                      corrected):
    if corrected:
        correction_round(reviewed, staff_user)
    APPROVALS[path](reviewed, staff_user)
    reviewed.refresh_from_db()
    assert reviewed.status == Status.APPROVED
    text = issued_text(reviewed, kind, staff_user)
    assert reviewed.receipt_number in text
    for earlier in (CORRECTION, RETURN_COMMENT, "要件を満たすため承認したい。", "備考"):
        assert earlier not in text, (earlier, kind, path)


@pytest.mark.parametrize("corrected", [False, True], ids=["first time", "after a correction"])
@pytest.mark.parametrize("path", list(REJECTIONS))
def test_a_rejection_notice_prints_the_reason_of_its_rejection(reviewed, staff_user, path,
                                                               corrected):
    if corrected:
        correction_round(reviewed, staff_user)
    decide, reason = REJECTIONS[path]
    decide(reviewed, staff_user)
    reviewed.refresh_from_db()
    assert reviewed.status == Status.REJECTED
    text = issued_text(reviewed, "rejection", staff_user)
    assert reason in text
    assert CORRECTION not in text and RETURN_COMMENT not in text


def test_a_note_given_with_a_direct_approval_is_its_notes(reviewed, staff_user):
    correction_round(reviewed, staff_user)
    directly(Status.APPROVED, "次回から定期券の写しを添付してください。")(reviewed, staff_user)
    text = issued_text(reviewed, "decision", staff_user)
    assert "備考　次回から定期券の写しを添付してください。" in text
    assert CORRECTION not in text


def test_a_rejection_notice_needs_a_rejection(reviewed, staff_user):
    correction_round(reviewed, staff_user)  # a status reason, but no rejection was decided
    with pytest.raises(services.IssueRefused):
        services.issue(reviewed, "rejection", staff_user)
