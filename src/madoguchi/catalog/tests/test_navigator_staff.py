"""Staff maintain the navigator without code: who may change what, and what the forms store."""

from __future__ import annotations

import pytest
from django.test import Client

from madoguchi.catalog import navigator
from madoguchi.catalog.models import LifeEvent, NavigatorQuestion, NavigatorRule, Procedure
from madoguchi.core.models import AuditEvent, User
from madoguchi.staff.models import StaffMember
from madoguchi.staff.tests.helpers import staff_login


def member(role: str, department: str) -> User:
    existing = StaffMember.objects.filter(role=role, department__code=department).first()
    if existing is not None:
        return existing.user
    user = User.objects.create_user(email=f"navi-{role}-{department}@city.midorigaoka.example",
                                    password="navi-password-2026", kind=User.Kind.STAFF)
    department_obj = StaffMember.objects.filter(department__code=department).first().department
    StaffMember.objects.create(user=user, department=department_obj, role=role,
                               family_name="試験", given_name=role)
    return user


def as_staff(role: str, department: str = "kosodate") -> Client:
    return staff_login(Client(), member(role, department))


def rule_of(event: str, procedure: str) -> NavigatorRule:
    return NavigatorRule.objects.filter(event__slug=event, procedure__slug=procedure).first()


RULE_POST = {
    "procedure": "", "why_ja": "テスト理由", "why_en": "Test reason", "match": "all",
    "deadline_kind": "within", "deadline_amount": "15", "deadline_unit": "days",
    "extend_if_closed": "on", "opens_days_before": "0", "deadline_basis_ja": "根拠",
    "deadline_basis_en": "Basis", "sort_order": "0",
    "cond0_question": "kokuho", "cond0_comparison": "is_yes", "cond0_number": "",
    "cond1_question": "", "cond1_comparison": "", "cond1_number": "",
    "cond2_question": "", "cond2_comparison": "", "cond2_number": "",
}


def staff_pages() -> dict[str, tuple[str, tuple[str, ...], bool]]:
    """name → (path, roles allowed, scoped to the department); rules: a 子育て支援課 rule."""
    rule = rule_of("birth", "jido-teate")
    question = NavigatorQuestion.objects.get(event__slug="birth", key="kokuho")
    return {
        "index": ("/staff/navigator/", ("head", "admin"), False),
        "event": ("/staff/navigator/events/birth/", ("head", "admin"), False),
        "event new": ("/staff/navigator/events/new/", ("admin",), False),
        "event edit": ("/staff/navigator/events/birth/edit/", ("admin",), False),
        "question new": ("/staff/navigator/events/birth/questions/new/", ("admin",), False),
        "question": (f"/staff/navigator/events/birth/questions/{question.pk}/", ("admin",),
                     False),
        "question delete": (f"/staff/navigator/events/birth/questions/{question.pk}/delete/",
                            ("admin",), False),
        "rule new": ("/staff/navigator/events/birth/rules/new/", ("head", "admin"), False),
        "rule": (f"/staff/navigator/events/birth/rules/{rule.pk}/", ("head", "admin"), True),
        "rule delete": (f"/staff/navigator/events/birth/rules/{rule.pk}/delete/",
                        ("head", "admin"), True),
    }


@pytest.mark.parametrize("role", ["clerk", "approver", "head", "admin", "dx"])
@pytest.mark.parametrize("own", [True, False], ids=["own department", "other department"])
def test_staff_pages_by_role_and_department(demo, role, own):
    client = as_staff(role, "kosodate" if own else "shimin")
    for name, (path, allowed, scoped) in staff_pages().items():
        status = client.get(path).status_code
        if role not in allowed:
            expected = 403
        elif scoped and not own:
            expected = 404
        else:
            expected = 200
        assert status == expected, (name, role, own, status)


def test_residents_and_anonymous_cannot_open_staff_pages(client, demo, resident):
    assert client.get("/staff/navigator/").status_code == 302
    client.force_login(resident)
    assert client.get("/staff/navigator/").status_code == 403


def test_head_adds_a_rule_with_select_lists(demo):
    client = as_staff("head", "kosodate")
    procedure = Procedure.objects.get(slug="hoikusho")
    post = {**RULE_POST, "procedure": str(procedure.pk),
            "cond1_question": "born_abroad", "cond1_comparison": "is_no", "match": "any"}
    response = client.post("/staff/navigator/events/birth/rules/new/", post)
    assert response.status_code == 302
    rule = NavigatorRule.objects.filter(event__slug="birth", procedure=procedure,
                                        why={"ja": "テスト理由", "en": "Test reason"}).get()
    assert rule.condition == {"or": [{"==": [{"var": "kokuho"}, "yes"]},
                                     {"==": [{"var": "born_abroad"}, "no"]}]}
    assert (rule.deadline_kind, rule.deadline_amount, rule.count_first_day,
            rule.extend_if_closed) == ("within", 15, False, True)
    event = AuditEvent.objects.filter(action="navigator.rule.save").latest("pk")
    assert event.target_id == str(rule.pk)
    # The edit page shows the rows again.
    html = client.get(f"/staff/navigator/events/birth/rules/{rule.pk}/").content.decode()
    assert '<option value="born_abroad" selected>' in html
    assert '<option value="any" selected>' in html


def test_head_cannot_use_another_departments_procedure(demo):
    client = as_staff("head", "kosodate")
    shussei = Procedure.objects.get(slug="shussei")  # 市民課
    response = client.post("/staff/navigator/events/birth/rules/new/",
                           {**RULE_POST, "procedure": str(shussei.pk)})
    assert response.status_code == 422
    assert not NavigatorRule.objects.filter(why__ja="テスト理由").exists()
    foreign = rule_of("birth", "shussei")
    assert client.post(f"/staff/navigator/events/birth/rules/{foreign.pk}/",
                       {**RULE_POST, "procedure": str(shussei.pk)}).status_code == 404
    assert client.post(f"/staff/navigator/events/birth/rules/{foreign.pk}/delete/"
                       ).status_code == 404
    assert NavigatorRule.objects.filter(pk=foreign.pk).exists()


@pytest.mark.parametrize(("changes", "field"), [
    ({"cond0_comparison": "gte", "cond0_number": "1"}, "cond0_comparison"),  # yes/no question
    ({"cond0_question": "", "cond0_comparison": "is_yes"}, "cond0_question"),
    ({"deadline_kind": "within", "deadline_amount": "0"}, "deadline_amount"),
    ({"why_ja": ""}, "why_ja"),
    ({"cond0_question": "no_such_question"}, "cond0_question"),
])
def test_rule_form_errors(demo, changes, field):
    client = as_staff("head", "kosodate")
    procedure = Procedure.objects.get(slug="hoikusho")
    response = client.post("/staff/navigator/events/birth/rules/new/",
                           {**RULE_POST, "procedure": str(procedure.pk), **changes})
    assert response.status_code == 422
    assert f'href="#id_{field}"' in response.content.decode()


def test_number_conditions(demo):
    client = as_staff("head", "kosodate")
    procedure = Procedure.objects.get(slug="hoikusho")
    post = {**RULE_POST, "procedure": str(procedure.pk), "cond0_question": "children",
            "cond0_comparison": "gte", "cond0_number": ""}
    response = client.post("/staff/navigator/events/move_in/rules/new/", post)
    assert response.status_code == 422
    assert 'href="#id_cond0_number"' in response.content.decode()
    post["cond0_number"] = "2"
    assert client.post("/staff/navigator/events/move_in/rules/new/", post).status_code == 302
    rule = NavigatorRule.objects.get(event__slug="move_in", procedure=procedure)
    assert rule.condition == {">=": [{"var": "children"}, 2]}


def test_head_edits_and_deletes_own_rule(demo):
    client = as_staff("head", "kosodate")
    rule = rule_of("birth", "jido-teate")
    post = {**RULE_POST, "procedure": str(rule.procedure_id), "cond0_question": "",
            "cond0_comparison": "", "deadline_amount": "16"}
    assert client.post(f"/staff/navigator/events/birth/rules/{rule.pk}/", post).status_code == 302
    rule.refresh_from_db()
    assert rule.condition is None and rule.deadline_amount == 16
    page = client.get(f"/staff/navigator/events/birth/rules/{rule.pk}/delete/")
    assert "児童手当の認定請求" in page.content.decode()
    assert client.post(f"/staff/navigator/events/birth/rules/{rule.pk}/delete/").status_code == 302
    assert not NavigatorRule.objects.filter(pk=rule.pk).exists()
    assert AuditEvent.objects.filter(action="navigator.rule.delete",
                                     target_id=str(rule.pk)).exists()


def test_admin_manages_events_and_questions(demo):
    client = as_staff("admin", "shimin")
    response = client.post("/staff/navigator/events/new/", {
        "slug": "retirement", "name_ja": "退職した", "name_en": "Leaving a job",
        "summary_ja": "", "summary_en": "", "date_label_ja": "退職した日",
        "date_label_en": "Last day at work", "date_hint_ja": "", "date_hint_en": "",
        "is_published": "on", "sort_order": "20"})
    assert response.status_code == 302
    event = LifeEvent.objects.get(slug="retirement")
    assert event.name == {"ja": "退職した", "en": "Leaving a job"}
    response = client.post("/staff/navigator/events/retirement/questions/new/", {
        "key": "dependants", "kind": "number", "text_ja": "扶養家族の人数",
        "text_en": "Dependants", "hint_ja": "", "hint_en": "", "minimum": "0",
        "maximum": "10", "sort_order": "0"})
    assert response.status_code == 302
    question = NavigatorQuestion.objects.get(event=event, key="dependants")
    assert (question.kind, question.maximum) == ("number", 10)
    # The same key twice, a reserved key, a bad range: refused with messages.
    for key, problem in (("dependants", {}), ("date", {}), ("x1", {"minimum": "5",
                                                                   "maximum": "1"})):
        response = client.post("/staff/navigator/events/retirement/questions/new/", {
            "key": key, "kind": "number", "text_ja": "x", "text_en": "x", "minimum": "0",
            "maximum": "10", "sort_order": "0", **problem})
        assert response.status_code == 422, key
    # The resident can use it straight away.
    resident = Client()
    assert resident.get("/navi/retirement/").status_code == 200
    assert AuditEvent.objects.filter(action="navigator.question.save").exists()


def test_a_question_used_by_rules_cannot_be_deleted(demo):
    client = as_staff("admin", "shimin")
    question = NavigatorQuestion.objects.get(event__slug="birth", key="kokuho")
    response = client.post(f"/staff/navigator/events/birth/questions/{question.pk}/delete/")
    assert response.status_code == 409
    assert NavigatorQuestion.objects.filter(pk=question.pk).exists()
    unused = NavigatorQuestion.objects.create(event=question.event, key="unused", kind="yes_no",
                                              text={"ja": "未使用", "en": "Unused"})
    response = client.post(f"/staff/navigator/events/birth/questions/{unused.pk}/delete/")
    assert response.status_code == 302
    assert not NavigatorQuestion.objects.filter(pk=unused.pk).exists()


def test_event_page_shows_conditions_in_words_and_example_deadlines(demo):
    client = as_staff("head", "shimin")
    html = client.get("/staff/navigator/events/birth/").content.decode()
    assert "is yes" in html or "はい" in html
    assert f'/staff/navigator/events/birth/rules/{rule_of("birth", "shussei").pk}/' in html
    # 子育て支援課's rule is listed but not editable by 市民課.
    assert f'/staff/navigator/events/birth/rules/{rule_of("birth", "jido-teate").pk}/' not in html


def test_life_events_are_in_the_site_search(demo):
    from madoguchi.catalog.search_source import LIFE_EVENT
    from madoguchi.search.models import Entry

    event = LifeEvent.objects.get(slug="birth")
    entry = Entry.objects.filter(kind=LIFE_EVENT, key=str(event.pk)).first()
    assert entry is not None
    event.is_published = False
    event.save()
    assert not Entry.objects.filter(kind=LIFE_EVENT, key=str(event.pk)).exists()
    event.is_published = True
    event.save()
    assert Entry.objects.filter(kind=LIFE_EVENT, key=str(event.pk)).exists()


def test_demo_rules_round_trip_through_the_editor(demo):
    for rule in NavigatorRule.objects.all():
        assert navigator.logic_to_rows(rule.condition) is not None, rule
