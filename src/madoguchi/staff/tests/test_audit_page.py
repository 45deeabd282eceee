"""The audit log page: administrators only, own department, search, pages, CP932-safe."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from madoguchi.conftest import client_for
from madoguchi.core.models import AuditEvent, User
from madoguchi.demo.accounts import DEMO_PASSWORD, staff_email
from madoguchi.staff.audit_views import PAGE_SIZE, cp932_safe_html
from madoguchi.staff.models import Department, StaffMember

URL = "/staff/audit/"


@pytest.fixture
def admin_user(demo) -> User:
    """The demo administrator of 市民課."""
    return User.objects.get(email=staff_email("shimin-admin"))


@pytest.fixture
def shimin_clerk(demo) -> User:
    return User.objects.get(email=staff_email("shimin1"))


def event(actor: User | None, action: str, *, at: dt.datetime | None = None,
          target_type: str = "", target_id: str = "", details: dict | None = None) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor, actor_label=actor.email if actor else "anonymous", action=action,
        target_type=target_type, target_id=target_id, details=details or {},
        at=at or timezone.now(),
    )


def listed(response) -> list[AuditEvent]:
    return [row["event"] for row in response.context["rows"]]


@pytest.mark.parametrize("who", ["kosodate1", "shimin1", "shimin2", "shimin3"])
def test_only_administrators_open_the_audit_log(demo, who):
    assert client_for(User.objects.get(email=staff_email(who))).get(URL).status_code == 403


def test_dx_office_cannot_open_the_audit_log(demo):
    user = User.objects.create_user(email="dx@city.midorigaoka.example", password=DEMO_PASSWORD,
                                    kind=User.Kind.STAFF)
    StaffMember.objects.create(user=user, department=Department.objects.get(code="shimin"),
                               role="dx", family_name="試験", given_name="DX")
    assert client_for(user).get(URL).status_code == 403


def test_anonymous_and_residents_are_kept_out(demo, resident):
    assert client_for(None).get(URL)["Location"].startswith("/staff/login/")
    assert client_for(resident).get(URL).status_code == 403


def test_administrator_sees_own_department_only(admin_user, shimin_clerk, staff_user, resident):
    ours = event(shimin_clerk, "application.view.staff", target_type="application",
                 target_id="a1")
    about_ours = event(None, "signin.2fa.throttled", target_type="user",
                       target_id=str(shimin_clerk.pk))
    theirs = event(staff_user, "application.view.staff", target_type="application",
                   target_id="a2")
    residents = event(resident, "application.view", target_type="application", target_id="a3")
    response = client_for(admin_user).get(URL)
    assert response.status_code == 200
    shown = listed(response)
    assert ours in shown and about_ours in shown
    assert theirs not in shown and residents not in shown


def test_viewing_the_audit_log_is_itself_logged(admin_user):
    client_for(admin_user).get(URL, {"action": "signin", "target_id": "42"})
    logged = AuditEvent.objects.filter(action="audit.view", actor=admin_user).get()
    assert logged.details["filters"] == {"action": "signin", "target_id": "42"}
    assert logged.target_id == str(admin_user.staff_profile.department_id)


def test_search_by_actor_action_target_and_dates(admin_user, shimin_clerk):
    other = User.objects.get(email=staff_email("shimin2"))
    now = timezone.now()
    old = event(shimin_clerk, "application.view.staff", target_id="X-1",
                at=now - dt.timedelta(days=40))
    mine = event(shimin_clerk, "signin.2fa", target_type="user", target_id=str(shimin_clerk.pk))
    theirs = event(other, "application.status", target_id="X-2")
    client = client_for(admin_user)

    def search(**params):
        response = client.get(URL, params)
        assert response.status_code == 200
        return set(listed(response)) & {old, mine, theirs}

    assert search(actor="shimin1@") == {old, mine}
    assert search(actor="試験") == set()
    assert search(action="signin") == {mine}
    assert search(action="application.") == {old, theirs}
    assert search(target_id="X-2") == {theirs}
    today = timezone.localdate()
    assert search(date_from=(today - dt.timedelta(days=1)).isoformat()) == {mine, theirs}
    assert search(date_to=(today - dt.timedelta(days=30)).isoformat()) == {old}
    assert search(date_from=today.isoformat(), date_to=today.isoformat()) == {mine, theirs}


@pytest.mark.parametrize("params", [
    {"date_from": "2026-13-01"}, {"date_from": "2026-11-23", "date_to": "2026-11-01"},
    {"actor": "a\x00b"},
])
def test_bad_searches_show_errors_not_everything(admin_user, shimin_clerk, params):
    event(shimin_clerk, "application.view.staff")
    response = client_for(admin_user).get(URL, params)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert listed(response) == []


def test_pages_keep_the_search(admin_user, shimin_clerk):
    for n in range(PAGE_SIZE + 5):
        event(shimin_clerk, "application.view.staff", target_id=f"T{n}")
    client = client_for(admin_user)
    first = client.get(URL, {"action": "application.view"})
    html = first.content.decode()
    assert len(listed(first)) == PAGE_SIZE
    assert "?action=application.view&amp;page=2" in html
    second = client.get(URL, {"action": "application.view", "page": "2"})
    assert len(listed(second)) == 5
    for page in ("abc", "-1", "999"):
        assert client.get(URL, {"page": page}).status_code == 200


def test_values_are_shown_cp932_safe(admin_user, shimin_clerk):
    event(shimin_clerk, "application.view.staff", target_type="application",
          target_id="evil\u202etxt.exe",
          details={"name": "𠮷野 髙﨑", "route": "北山〜駅前", "note": "<script>x</script>"})
    html = client_for(admin_user).get(URL).content.decode()
    assert "\u202e" not in html and "[U+202E]" in html
    assert "𠮷<small" in html and "(U+20BB7)" in html  # kept, with its code point
    assert "髙﨑" in html and "U+9AD9" not in html  # in CP932 (NEC/IBM extensions)
    assert "北山〜駅前" in html and "U+301C" not in html  # the JIS wave dash
    assert "<script>x</script>" not in html and "&lt;script&gt;" in html


def test_cp932_safe_html_unit():
    assert cp932_safe_html("abc あ") == "abc あ"
    assert cp932_safe_html("a\x00b") == 'a<small class="meta codepoint">[U+0000]</small>b'
    assert cp932_safe_html("\u200b") == '<small class="meta codepoint">[U+200B]</small>'
    assert cp932_safe_html("😀") == '😀<small class="meta codepoint">(U+1F600)</small>'
    assert cp932_safe_html("<&>") == "&lt;&amp;&gt;"
    assert cp932_safe_html(None) == ""
