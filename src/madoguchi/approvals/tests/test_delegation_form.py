"""The delegation page answers every junk POST with a Japanese message, never a 500."""

from __future__ import annotations

import pytest

from madoguchi.approvals import services
from madoguchi.approvals.models import Delegation
from madoguchi.conftest import client_for, visible_text
from madoguchi.core.models import AuditEvent, User
from madoguchi.demo.accounts import staff_email
from madoguchi.staff.models import StaffMember

WHO = "代わりに決裁する人を選んでください。"
DAYS = "最初の日と最後の日を入力してください。"
ORDER = "最後の日が最初の日より前になっています。"


def staff(name: str) -> User:
    return User.objects.get(email=staff_email(name))


@pytest.mark.parametrize(("post", "expected"), [
    ({}, [WHO, DAYS]),
    ({"delegate": "²", "starts_on": "2026-12-01", "ends_on": "2026-12-05"}, [WHO]),
    ({"delegate": "x\x00", "starts_on": "昨日"}, [WHO, DAYS]),
    ({"delegate": "9" * 30, "starts_on": "2026-12-01", "ends_on": "2026-12-05"}, [WHO]),
    ({"delegate": "-1", "starts_on": "2026-12-01", "ends_on": "2026-12-05"}, [WHO]),
    ({"delegate": "SELF", "starts_on": "2026-12-01", "ends_on": "2026-12-05"}, [WHO]),
    ({"delegate": "OTHER_DEPARTMENT", "starts_on": "2026-12-01", "ends_on": "2026-12-05"},
     [WHO]),
    ({"delegate": "DEPUTY", "starts_on": "令和999年99月99日", "ends_on": "2026-12-05"}, [DAYS]),
    ({"delegate": "DEPUTY", "starts_on": "\x00" * 500, "ends_on": "２０２６年"}, [DAYS]),
    ({"delegate": "DEPUTY", "starts_on": "2026-12-05", "ends_on": "2026-12-01"}, [ORDER]),
])
def test_junk_is_refused_with_a_message(demo, post, expected):
    head = staff("kosodate3")
    names = {"SELF": StaffMember.objects.get(user=head).pk,
             "DEPUTY": StaffMember.objects.get(user=staff("kosodate2")).pk,
             "OTHER_DEPARTMENT": StaffMember.objects.exclude(
                 department__staff__user=head).first().pk}
    post = {k: str(names.get(v, v)) for k, v in post.items()}
    response = client_for(head).post("/staff/delegations/", post)
    assert response.status_code == 422
    text = visible_text(response.content)
    for message in expected:
        assert message in text
    for message in {WHO, DAYS, ORDER} - set(expected):
        assert message not in text
    assert not Delegation.objects.exists()
    assert not AuditEvent.objects.filter(action="approval.delegate").exists()


def test_a_list_where_one_value_is_expected_is_refused(demo):
    response = client_for(staff("kosodate3")).post(
        "/staff/delegations/", {"delegate": ["1", "2"], "starts_on": ["a", "b"]})
    assert response.status_code == 422


def test_a_delegation_is_saved_with_its_audit_event(demo):
    head = staff("kosodate3")
    deputy = StaffMember.objects.get(user=staff("kosodate2"))
    response = client_for(head).post("/staff/delegations/", {
        "delegate": str(deputy.pk), "starts_on": "令和8年12月1日", "ends_on": "2026-12-05"})
    assert response.status_code == 302
    delegation = Delegation.objects.get()
    assert (delegation.delegator, delegation.delegate) == (head, deputy.user)
    event = AuditEvent.objects.get(action="approval.delegate")
    assert (event.target_id, event.details) == (str(deputy.user_id),
                                                {"from": "2026-12-01", "to": "2026-12-05"})


def test_a_failed_audit_write_leaves_no_delegation(demo, monkeypatch):
    head = staff("kosodate3")
    deputy = StaffMember.objects.get(user=staff("kosodate2"))

    def broken(*args, **kwargs):
        raise RuntimeError("the audit table is unavailable")

    monkeypatch.setattr(services.audit, "record", broken)
    with pytest.raises(RuntimeError):
        client_for(head).post("/staff/delegations/", {
            "delegate": str(deputy.pk), "starts_on": "2026-12-01", "ends_on": "2026-12-05"})
    assert not Delegation.objects.exists()
