"""The delegation page answers every junk POST with a Japanese message, never a 500."""

from __future__ import annotations

import pytest

from madoguchi.approvals.models import Delegation
from madoguchi.conftest import client_for, visible_text
from madoguchi.core.models import AuditEvent, User
from madoguchi.demo.city import staff_email
from madoguchi.staff.models import StaffMember


def staff(name: str) -> User:
    return User.objects.get(email=staff_email(name))


@pytest.mark.parametrize(("post", "message"), [
    ({}, "代わりに決裁する人を選んでください。"),
    ({"delegate": "²", "starts_on": "2026-12-01", "ends_on": "2026-12-05"},
     "代わりに決裁する人を選んでください。"),
    ({"delegate": "x\x00", "starts_on": "昨日"}, "代わりに決裁する人を選んでください。"),
    ({"delegate": "9" * 30, "starts_on": "2026-12-01", "ends_on": "2026-12-05"},
     "代わりに決裁する人を選んでください。"),
    ({"delegate": "-1", "starts_on": "2026-12-01", "ends_on": "2026-12-05"},
     "代わりに決裁する人を選んでください。"),
    ({"delegate": "SELF", "starts_on": "2026-12-01", "ends_on": "2026-12-05"},
     "代わりに決裁する人を選んでください。"),
    ({"delegate": "OTHER_DEPARTMENT", "starts_on": "2026-12-01", "ends_on": "2026-12-05"},
     "代わりに決裁する人を選んでください。"),
    ({"delegate": "DEPUTY", "starts_on": "令和999年99月99日", "ends_on": "2026-12-05"},
     "最初の日と最後の日を入力してください。"),
    ({"delegate": "DEPUTY", "starts_on": "\x00" * 500, "ends_on": "２０２６年"},
     "最初の日と最後の日を入力してください。"),
    ({"delegate": "DEPUTY", "starts_on": "2026-12-05", "ends_on": "2026-12-01"},
     "最後の日が最初の日より前になっています。"),
])
def test_junk_is_refused_with_a_message(demo, post, message):
    head = staff("kosodate3")
    names = {"SELF": StaffMember.objects.get(user=head).pk,
             "DEPUTY": StaffMember.objects.get(user=staff("kosodate2")).pk,
             "OTHER_DEPARTMENT": StaffMember.objects.exclude(
                 department__staff__user=head).first().pk}
    post = {k: str(names.get(v, v)) for k, v in post.items()}
    response = client_for(head).post("/staff/delegations/", post)
    assert response.status_code == 422
    assert message in visible_text(response.content)
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
    assert event.details == {"from": "2026-12-01", "to": "2026-12-05"}
