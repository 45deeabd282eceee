"""The department inbox: filters, search, sorts, keyset pages; assignment, bulk status changes
and internal comments."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

import pytest
from django.db import connection

from madoguchi.applications import selectors
from madoguchi.applications.inbox import InboxFilters, parse_filters
from madoguchi.applications.models import Application, InternalComment, Status, StatusEvent
from madoguchi.catalog.models import Procedure
from madoguchi.conftest import client_for, visible_text
from madoguchi.core.models import AuditEvent, User
from madoguchi.demo.accounts import staff_email
from madoguchi.jp.names import furigana_search_key, name_search_key
from madoguchi.jp.receipt import make_receipt_number
from madoguchi.staff.models import Department, StaffMember

INBOX = "/staff/"
BULK = "/staff/applications/bulk-status/"
JST = dt.timezone(dt.timedelta(hours=9))
RECEIPT_RE = re.compile(r"\d{4}-\d{7}-\d")


def at(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=JST)


def staff(name: str) -> User:
    return User.objects.get(email=staff_email(name))


@pytest.fixture
def make_case(make_application):
    """An application of 子育て支援課 with the given name, time, status, procedure, assignee."""

    def make(name: str = "髙﨑 𠮷男", *, submitted: dt.datetime | None = None,
             status: str = Status.RECEIVED, procedure: str = "", department: str = "",
             assignee: User | None = None, updated: dt.datetime | None = None,
             furigana: str = "") -> Application:
        application = make_application()
        changes: dict[str, Any] = {"applicant_name": name,
                                   "applicant_name_key": name_search_key(name),
                                   "applicant_kana_key": furigana_search_key(furigana, name),
                                   "status": status, "assignee": assignee}
        if submitted is not None:
            changes["submitted_at"] = submitted
            changes["updated_at"] = updated or submitted
        if procedure:
            changes["procedure"] = Procedure.objects.get(slug=procedure)
        if department:
            changes["department"] = Department.objects.get(code=department)
        Application.objects.filter(pk=application.pk).update(**changes)
        application.refresh_from_db()
        return application

    return make


def listed(client, query: str = "") -> list[str]:
    """Receipt numbers in the inbox table, in order."""
    response = client.get(INBOX + query)
    assert response.status_code == 200
    return [a.receipt_number for a in response.context["page"].rows]


# --- filters ----------------------------------------------------------------------------------
def test_filter_by_status(staff_user, make_case):
    received = make_case(status=Status.RECEIVED)
    reviewing = make_case(status=Status.UNDER_REVIEW)
    client = client_for(staff_user)
    assert listed(client, "?status=under_review") == [reviewing.receipt_number]
    assert listed(client, "?status=received") == [received.receipt_number]
    assert set(listed(client)) == {received.receipt_number, reviewing.receipt_number}


def test_filter_by_procedure_of_the_department(staff_user, make_case):
    hojo = make_case()
    teate = make_case(procedure="jido-teate")
    client = client_for(staff_user)
    assert listed(client, "?procedure=jido-teate") == [teate.receipt_number]
    assert listed(client, "?procedure=tsugaku-hojo") == [hojo.receipt_number]
    # 転入届 belongs to 市民課: ignored, and said so.
    response = client.get(INBOX + "?procedure=tennyu")
    assert len(response.context["page"].rows) == 2
    assert response.context["ignored"]


@pytest.mark.parametrize(("query", "expected"), [
    ("?from=2026-11-01&to=2026-11-30", ["first_day", "last_day"]),
    ("?from=令和8年11月1日&to=令和8年11月30日", ["first_day", "last_day"]),
    ("?from=R8.11.1&to=Ｒ８．１１．３０", ["first_day", "last_day"]),
    ("?from=2026-12-01", ["next_month"]),
    ("?to=2026-10-31", ["before"]),
    ("?from=2026-11-30&to=2026-11-30", ["last_day"]),
])
def test_filter_by_submitted_date_in_city_time(staff_user, make_case, query, expected):
    cases = {
        "before": make_case(submitted=at(2026, 10, 31, 23, 59)),
        "first_day": make_case(submitted=at(2026, 11, 1, 0, 0)),
        "last_day": make_case(submitted=at(2026, 11, 30, 23, 59)),
        "next_month": make_case(submitted=at(2026, 12, 1, 0, 0)),
    }
    found = set(listed(client_for(staff_user), query))
    assert found == {cases[name].receipt_number for name in expected}


def test_bad_dates_are_ignored_and_shown_back(staff_user, make_case):
    a = make_case(submitted=at(2026, 11, 5))
    response = client_for(staff_user).get(INBOX, {"from": "平成31年5月1日", "to": "2026-02-30"})
    assert [r.receipt_number for r in response.context["page"].rows] == [a.receipt_number]
    text = response.content.decode()
    assert 'value="平成31年5月1日"' in text and 'value="2026-02-30"' in text
    assert len(response.context["ignored"]) == 2


def test_filter_by_assignee(staff_user, make_case):
    colleague = staff("kosodate2")
    mine = make_case(assignee=staff_user)
    theirs = make_case(assignee=colleague)
    nobodys = make_case()
    client = client_for(staff_user)
    assert listed(client, "?assignee=me") == [mine.receipt_number]
    assert listed(client, f"?assignee={staff_user.pk}") == [mine.receipt_number]
    assert listed(client, "?assignee=nobody") == [nobodys.receipt_number]
    assert listed(client, f"?assignee={colleague.pk}") == [theirs.receipt_number]
    # A member of another department is not a choice: the filter is ignored.
    response = client.get(INBOX + f"?assignee={staff('shimin1').pk}")
    assert len(response.context["page"].rows) == 3
    assert response.context["ignored"]


def test_filters_combine(staff_user, make_case):
    wanted = make_case(status=Status.UNDER_REVIEW, submitted=at(2026, 11, 10),
                       assignee=staff_user, procedure="jido-teate")
    make_case(status=Status.UNDER_REVIEW, submitted=at(2026, 11, 10), procedure="jido-teate")
    make_case(status=Status.RECEIVED, submitted=at(2026, 11, 10), assignee=staff_user,
              procedure="jido-teate")
    make_case(status=Status.UNDER_REVIEW, submitted=at(2026, 9, 10), assignee=staff_user,
              procedure="jido-teate")
    query = "?status=under_review&procedure=jido-teate&from=2026-11-01&assignee=me"
    assert listed(client_for(staff_user), query) == [wanted.receipt_number]


# --- search -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("stored", "typed"), [
    ("高田 花子", "髙田"),
    ("髙田 花子", "高田"),
    ("渡邊 太郎", "渡辺"),
    ("渡辺 太郎", "渡邉"),
    ("山﨑 一郎", "山崎"),
    ("齋藤 茂", "斉藤"),
    ("𠮷田 和子", "吉田"),
    ("たかだ はなこ", "タカダ"),
    ("タカダ ハナコ", "たかだ"),
    ("ﾀｶﾀﾞ ﾊﾅｺ", "タカダ"),
    ("高田 花子", "髙田　花子"),
    ("Smith John", "ＳＭＩＴＨ"),
])
def test_name_search_folds_itaiji_kana_and_width(staff_user, make_case, stored, typed):
    wanted = make_case(stored)
    make_case("佐藤 次郎")
    assert listed(client_for(staff_user), "?" + _q(typed)) == [wanted.receipt_number]


def _q(text: str) -> str:
    from urllib.parse import urlencode

    return urlencode({"q": text})


@pytest.mark.parametrize("typed", [
    "タカダ", "たかだ", "ﾀｶﾀﾞ", "タカダ　ハナコ", "たかだ はなこ", "ﾀｶﾀﾞ ﾊﾅｺ", "たか", "タカダハ",
])
def test_furigana_search_finds_a_kanji_name(staff_user, make_case, typed):
    wanted = make_case("髙田 花子", furigana="タカダ　ハナコ")
    make_case("高橋 花子", furigana="タカハシ　ハナコ")
    make_case("田中 花子", furigana="タナカ　ハナコ")
    expected = [wanted.receipt_number]
    if typed == "たか":
        expected = listed(client_for(staff_user), "?" + _q("タカ"))
        assert len(expected) == 2 and wanted.receipt_number in expected
    assert listed(client_for(staff_user), "?" + _q(typed)) == expected


def test_furigana_search_writes_small_kana_large_like_the_key(staff_user, make_case):
    wanted = make_case("東海林 恭子", furigana="ショウジ　キョウコ")
    make_case("庄司 太郎", furigana="ショウシ　タロウ")
    client = client_for(staff_user)
    for typed in ("しょうじ", "シヨウジ", "ｼｮｳｼﾞ", "ショウジ キョウコ"):
        assert listed(client, "?" + _q(typed)) == [wanted.receipt_number], typed


def test_kanji_search_does_not_read_the_furigana(staff_user, make_case):
    takada = make_case("髙田 花子", furigana="タカダ　ハナコ")
    make_case("山田 太郎", furigana="ヤマダ　タロウ")
    client = client_for(staff_user)
    assert listed(client, "?" + _q("高田")) == [takada.receipt_number]
    assert listed(client, "?" + _q("ヤマダ太郎")) == []  # mixed: a name, and nobody has it


def test_a_submitted_application_is_found_by_its_furigana(staff_user, application):
    # The demo answers give 髙﨑 𠮷男 with the furigana たかさき ﾖｼｵ (hiragana, half-width).
    assert application.applicant_kana_key == "タカサキヨシオ"
    client = client_for(staff_user)
    for typed in ("タカサキ", "たかさき よしお", "ﾀｶｻｷ"):
        assert listed(client, "?" + _q(typed)) == [application.receipt_number], typed


def test_the_migration_fills_the_furigana_of_stored_applications(application, make_case):
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "madoguchi.applications.migrations.0006_applicant_kana_key")
    kana_only = make_case("たなか はなこ")
    Application.objects.update(applicant_kana_key="")
    migration.fill_kana_keys(apps, None)
    application.refresh_from_db()
    kana_only.refresh_from_db()
    assert application.applicant_kana_key == "タカサキヨシオ"  # from the answers' furigana
    assert kana_only.applicant_kana_key == "タカサキヨシオ"  # its answers are the demo's too
    Application.objects.filter(pk=kana_only.pk).update(
        answers={}, applicant_kana_key="")
    migration.fill_kana_keys(apps, None)
    kana_only.refresh_from_db()
    assert kana_only.applicant_kana_key == "タナカハナコ"  # no furigana: the name in kana


def test_name_search_is_by_the_start_of_the_name(staff_user, make_case):
    takada = make_case("高田 花子")
    make_case("山田 高子")
    client = client_for(staff_user)
    assert listed(client, "?" + _q("高")) == [takada.receipt_number]
    assert listed(client, "?" + _q("花子")) == []  # given names alone are not searched


def test_name_search_treats_like_wildcards_as_text(staff_user, make_case):
    make_case("高田 花子")
    client = client_for(staff_user)
    assert listed(client, "?" + _q("%")) == []
    assert listed(client, "?" + _q("_")) == []


def test_receipt_search_accepts_full_width_and_no_hyphens(staff_user, make_case):
    wanted = make_case()
    make_case()
    number = wanted.receipt_number
    full_width = number.translate(str.maketrans("0123456789-", "０１２３４５６７８９－"))
    client = client_for(staff_user)
    for typed in (number, full_width, number.replace("-", ""), f" {number} ",
                  full_width.replace("－", "")):
        assert listed(client, "?" + _q(typed)) == [wanted.receipt_number], typed


def test_receipt_search_with_a_wrong_check_digit_finds_nothing_and_says_so(staff_user,
                                                                           make_case):
    a = make_case()
    wrong = a.receipt_number[:-1] + str((int(a.receipt_number[-1]) + 1) % 10)
    response = client_for(staff_user).get(INBOX, {"q": wrong})
    assert response.context["page"].rows == []
    assert response.context["filters"].bad_receipt
    assert "2026-0000123-4" in visible_text(response.content)


# --- another department -----------------------------------------------------------------------
def test_other_department_is_never_listed(staff_user, make_case):
    ours = make_case("高田 花子", assignee=staff_user)
    theirs = make_case("高田 花子", department="shimin", procedure="tennyu")
    client = client_for(staff_user)
    queries = ["", "?" + _q("髙田"), "?" + _q(theirs.receipt_number), "?procedure=tennyu",
               "?status=received", "?sort=receipt", "?sort=updated", "?sort=oldest",
               f"?assignee={staff('shimin1').pk}", "?assignee=nobody"]
    for query in queries:
        assert theirs.receipt_number not in listed(client, query), query
    assert theirs.receipt_number not in client.get(INBOX).content.decode()
    other = client_for(staff("shimin1"))
    assert listed(other, "?" + _q("高田")) == [theirs.receipt_number]
    assert ours.receipt_number not in other.get(INBOX).content.decode()
    counts = client.get(INBOX).context["counts"]
    assert counts[Status.RECEIVED].n == 1


# --- sorts and pages --------------------------------------------------------------------------
def clone(application: Application, count: int, start: dt.datetime,
          step: dt.timedelta = dt.timedelta(minutes=1)) -> list[Application]:
    """``count`` copies of ``application``, one ``step`` apart from ``start``."""
    first = (Application.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    rows = []
    for i in range(count):
        pk = first + i
        moment = start + step * i
        rows.append(Application(
            pk=pk, public_id=uuid.uuid4(), submission_token=uuid.uuid4(),
            receipt_number=make_receipt_number(2026, pk), form_version=application.form_version,
            procedure=application.procedure, department=application.department,
            applicant_name=application.applicant_name,
            applicant_name_key=application.applicant_name_key,
            contact_email=application.contact_email, submitted_at=moment,
            updated_at=moment + dt.timedelta(days=(i * 7) % 11),
        ))
    Application.objects.bulk_create(rows)
    return rows


def walk(client, query: str = "") -> list[str]:
    """Every receipt number, following the Next links from the first page."""
    seen: list[str] = []
    url = INBOX + query
    for _ in range(50):
        response = client.get(url)
        page = response.context["page"]
        seen += [a.receipt_number for a in page.rows]
        if not page.has_next:
            return seen
        url = INBOX + response.context["next_url"]
    raise AssertionError("too many pages")


@pytest.mark.parametrize(("sort", "key"), [
    ("", lambda a: (a.submitted_at, a.pk)),
    ("newest", lambda a: (a.submitted_at, a.pk)),
    ("oldest", lambda a: (a.submitted_at, a.pk)),
    ("updated", lambda a: (a.updated_at, a.pk)),
    ("receipt", lambda a: (a.receipt_number, a.pk)),
])
def test_pages_follow_each_sort_without_gaps_or_repeats(staff_user, application, sort, key):
    # Ties on the sort column (pairs with the same second) must not lose or repeat rows.
    rows = clone(application, 60, at(2026, 4, 1), dt.timedelta(seconds=30))
    for row in rows[::2]:
        Application.objects.filter(pk=row.pk).update(submitted_at=row.submitted_at
                                                     - dt.timedelta(seconds=30))
    everything = list(Application.objects.filter(department=application.department))
    descending = sort in ("", "newest", "updated")
    expected = [a.receipt_number for a in sorted(everything, key=key, reverse=descending)]
    seen = walk(client_for(staff_user), f"?sort={sort}" if sort else "")
    assert seen == expected


def test_previous_pages_show_the_same_rows(staff_user, application):
    clone(application, 120, at(2026, 4, 1))
    client = client_for(staff_user)
    first = client.get(INBOX + "?status=received")
    second = client.get(INBOX + first.context["next_url"])
    third = client.get(INBOX + second.context["next_url"])
    assert [len(r.context["page"].rows) for r in (first, second, third)] == [50, 50, 21]
    assert not third.context["page"].has_next
    back = client.get(INBOX + third.context["previous_url"])
    assert back.context["page"].rows == second.context["page"].rows
    assert back.context["page"].has_previous and back.context["page"].has_next
    again = client.get(INBOX + back.context["previous_url"])
    assert again.context["page"].rows == first.context["page"].rows
    assert not again.context["page"].has_previous
    # The links keep the filters.
    assert "status=received" in second.context["next_url"]


def test_counts_are_bounded(staff_user, application):
    clone(application, 30, at(2026, 4, 1))
    member = StaffMember.objects.get(user=staff_user)
    counts = selectors.status_counts(member, limit=10)
    assert counts[Status.RECEIVED] == selectors.BoundedCount(10, True)
    assert counts[Status.APPROVED] == selectors.BoundedCount(0, False)
    exact = selectors.status_counts(member)
    assert exact[Status.RECEIVED] == selectors.BoundedCount(31, False)
    filtered = selectors.inbox(member, filters=InboxFilters(status=Status.RECEIVED))
    assert selectors.bounded_count(filtered, limit=5) == selectors.BoundedCount(5, True)
    text = visible_text(client_for(staff_user).get(INBOX).content)
    assert "31" in text


def test_parse_filters_without_a_request():
    filters = parse_filters({"status": "approved", "q": "２０２６", "sort": "receipt"},
                            procedures={}, assignable={}, user_id=1)
    assert filters.status == "approved"
    assert filters.bad_receipt
    assert filters.sort.key == "receipt"
    assert filters.querystring() == "?q=%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%96" \
        "&status=approved&sort=receipt"


# --- assignment -------------------------------------------------------------------------------
def assign_url(application: Application) -> str:
    return f"/staff/applications/{application.public_id}/assign/"


def test_assign_to_me_a_colleague_and_nobody(staff_user, application):
    client = client_for(staff_user)
    colleague = staff("kosodate2")
    response = client.post(assign_url(application), {"assignee": "me"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.assignee == staff_user
    client.post(assign_url(application), {"assignee": str(colleague.pk)})
    application.refresh_from_db()
    assert application.assignee == colleague
    client.post(assign_url(application), {"assignee": ""})
    application.refresh_from_db()
    assert application.assignee is None
    events = AuditEvent.objects.filter(action="application.assign",
                                       target_id=str(application.public_id))
    assert [e.details["assignee"] for e in events.order_by("id")] == [
        staff_user.pk, colleague.pk, None]
    page = client.get(f"/staff/applications/{application.public_id}/")
    assert 'name="assignee"' in page.content.decode()


@pytest.mark.parametrize("who", ["shimin1", "resident", "dx"])
def test_assign_only_to_staff_of_the_department_who_work_on_cases(staff_user, application,
                                                                   resident, who):
    if who == "resident":
        target = resident
    elif who == "dx":
        target = User.objects.create_user(email="dx-kosodate@city.midorigaoka.example",
                                          password="x" * 16, kind=User.Kind.STAFF)
        StaffMember.objects.create(user=target, department=application.department,
                                   role=StaffMember.Role.DX, family_name="統計",
                                   given_name="担当")
    else:
        target = staff(who)
    response = client_for(staff_user).post(assign_url(application),
                                           {"assignee": str(target.pk)}, follow=True)
    assert response.status_code == 200
    assert len(list(response.context["messages"])) == 1
    application.refresh_from_db()
    assert application.assignee is None
    assert not AuditEvent.objects.filter(action="application.assign").exists()


def test_assign_refuses_other_departments_and_residents(other_staff_user, resident, application):
    assert client_for(other_staff_user).post(assign_url(application),
                                             {"assignee": "me"}).status_code == 404
    assert client_for(resident).post(assign_url(application),
                                     {"assignee": "me"}).status_code == 403
    assert client_for(None).post(assign_url(application), {"assignee": "me"}).status_code == 302
    application.refresh_from_db()
    assert application.assignee is None


# --- bulk status change -----------------------------------------------------------------------
def test_bulk_change_asks_once_then_changes_the_allowed_ones(staff_user, make_case):
    first = make_case(status=Status.RECEIVED)
    second = make_case(status=Status.RECEIVED)
    approved = make_case(status=Status.APPROVED)
    theirs = make_case(department="shimin", procedure="tennyu")
    client = client_for(staff_user)
    ids = [str(a.public_id) for a in (first, second, approved, theirs)]
    post = {"case": ids, "to_status": Status.UNDER_REVIEW, "back": "status=received&sort=oldest"}
    confirm = client.post(BULK, post)
    assert confirm.status_code == 200
    assert len(confirm.context["applications"]) == 3  # the other department's is left out
    assert theirs.receipt_number not in confirm.content.decode()
    assert Application.objects.filter(status=Status.UNDER_REVIEW).count() == 0

    response = client.post(BULK, {**post, "confirm": "yes"})
    assert response.status_code == 302
    assert response["Location"] == "/staff/?status=received&sort=oldest"
    for a in (first, second, approved, theirs):
        a.refresh_from_db()
    assert first.status == second.status == Status.UNDER_REVIEW
    assert approved.status == Status.APPROVED
    assert theirs.status == Status.RECEIVED
    assert StatusEvent.objects.filter(to_status=Status.UNDER_REVIEW).count() == 2
    audited = AuditEvent.objects.filter(action="application.status")
    assert sorted(e.target_id for e in audited) == sorted([str(first.public_id),
                                                          str(second.public_id)])
    messages = [str(m) for m in client.get(INBOX).context["messages"]]
    assert len(messages) == 2
    assert any(approved.receipt_number in m for m in messages)


def test_bulk_reject_needs_a_reason(staff_user, make_case):
    a = make_case(status=Status.UNDER_REVIEW)
    client = client_for(staff_user)
    post = {"case": [str(a.public_id)], "to_status": Status.REJECTED, "confirm": "yes"}
    response = client.post(BULK, post)
    assert response.status_code == 200
    assert response.context["error"]
    assert "エラー" in response.content.decode() or "Error" in response.content.decode()
    a.refresh_from_db()
    assert a.status == Status.UNDER_REVIEW
    client.post(BULK, {**post, "reason": "要件を満たしていません。"})
    a.refresh_from_db()
    assert a.status == Status.REJECTED
    assert a.status_reason == "要件を満たしていません。"


def test_bulk_refuses_statuses_that_have_their_own_step(staff_user, make_case):
    a = make_case(status=Status.UNDER_REVIEW)
    client = client_for(staff_user)
    for target in (Status.RETURNED, Status.IN_APPROVAL, Status.ISSUED, "nonsense", ""):
        response = client.post(BULK, {"case": [str(a.public_id)], "to_status": target,
                                      "confirm": "yes"})
        assert response.status_code == 302
    a.refresh_from_db()
    assert a.status == Status.UNDER_REVIEW


def test_bulk_is_for_case_handlers_only(resident, other_staff_user, make_case):
    a = make_case()
    post = {"case": [str(a.public_id)], "to_status": Status.UNDER_REVIEW, "confirm": "yes"}
    assert client_for(resident).post(BULK, post).status_code == 403
    assert client_for(None).post(BULK, post).status_code == 302
    assert client_for(other_staff_user).post(BULK, post).status_code == 302  # nothing found
    assert client_for(other_staff_user).get(BULK).status_code == 405
    a.refresh_from_db()
    assert a.status == Status.RECEIVED


# --- comments ---------------------------------------------------------------------------------
def comment_url(application: Application) -> str:
    return f"/staff/applications/{application.public_id}/comments/"


def test_comments_are_appended_and_shown_with_author_and_time(staff_user, application):
    client = client_for(staff_user)
    colleague = client_for(staff("kosodate2"))
    response = client.post(comment_url(application), {"text": "  住所を確認中。\x00 "})
    assert response.status_code == 302
    colleague.post(comment_url(application), {"text": "確認しました。"})
    comments = list(InternalComment.objects.filter(application=application))
    assert [c.text for c in comments] == ["住所を確認中。", "確認しました。"]
    assert [c.author for c in comments] == [staff_user, staff("kosodate2")]
    page = client.get(f"/staff/applications/{application.public_id}/").content.decode()
    assert "住所を確認中。" in page and "確認しました。" in page
    assert str(staff("kosodate2")) in page
    assert AuditEvent.objects.filter(action="application.comment").count() == 2


def test_comments_are_append_only(staff_user, application):
    client_for(staff_user).post(comment_url(application), {"text": "最初のメモ"})
    comment = InternalComment.objects.get(application=application)
    comment.text = "書き換え"
    with pytest.raises(ValueError, match="append-only"):
        comment.save()
    # There is no page to change or remove one: the address takes new comments only.
    client = client_for(staff_user)
    assert client.get(comment_url(application)).status_code == 405
    assert client.delete(comment_url(application)).status_code == 405
    assert InternalComment.objects.get(application=application).text == "最初のメモ"


def test_empty_comment_is_refused(staff_user, application):
    client = client_for(staff_user)
    for text in ("", "   ", "\x00\x00", "\u3000"):
        client.post(comment_url(application), {"text": text})
    assert not InternalComment.objects.exists()


def test_comments_are_staff_only(staff_user, other_staff_user, resident, application):
    client_for(staff_user).post(comment_url(application), {"text": "内部メモ：本人確認未了"})
    assert client_for(other_staff_user).post(comment_url(application),
                                             {"text": "x"}).status_code == 404
    assert client_for(resident).post(comment_url(application), {"text": "x"}).status_code == 403
    assert InternalComment.objects.count() == 1
    other = client_for(other_staff_user).get(f"/staff/applications/{application.public_id}/")
    assert "内部メモ" not in other.content.decode()
    for path in (f"/my/applications/{application.public_id}/", "/my/"):
        page = client_for(resident).get(path)
        assert page.status_code == 200
        assert "内部メモ" not in page.content.decode()


# --- hostile input ----------------------------------------------------------------------------
HOSTILE_QUERIES = [
    {"status": "\x00"}, {"status": "received\x00"}, {"procedure": "\x00tsugaku-hojo"},
    {"procedure": "../" * 50}, {"from": "\x00"}, {"from": "R999999999999999.1.1"},
    {"from": "9999-12-31", "to": "9999-12-31"}, {"from": "0001-01-01"}, {"to": "H31.5.1"},
    {"from": "x" * 10_000}, {"assignee": "\x00"}, {"assignee": "9" * 40}, {"assignee": "-1"},
    {"assignee": "１"}, {"q": "\x00"}, {"q": "%_%"}, {"q": "𠮷" * 5000},
    {"q": "2026-0000001"}, {"q": "２０２６"}, {"q": "-"}, {"q": "0" * 30}, {"q": "\u200d"},
    {"sort": "\x00"}, {"sort": "-id"}, {"sort": "receipt", "after": "\x00_1"},
    {"after": "abc"}, {"after": "_"}, {"after": "1_"}, {"after": "9" * 40 + "_1"},
    {"after": "-" + "9" * 18 + "_1"}, {"after": "9" * 18 + "_" + "9" * 18},
    {"before": "1_1"}, {"before": "\x00"}, {"sort": "receipt", "before": "ｚ" * 30 + "_1"},
    {"sort": "receipt", "after": "2026-0000001-8_99"}, {"page": "-1"}, {"page": "\x00"},
]


@pytest.mark.parametrize("params", HOSTILE_QUERIES)
def test_hostile_inbox_parameters_never_fail(staff_user, application, params):
    response = client_for(staff_user).get(INBOX, params)
    assert response.status_code == 200


def test_hostile_repeated_and_raw_parameters(staff_user, application):
    client = client_for(staff_user)
    raw = ("?status=received&status=approved&q=%00%FF%FE%ED%A0%80&from=%E4%BB%A4&to=%C0%AF"
           "&after=%00_%00&assignee[]=1&sort=&procedure=%25")
    assert client.get(INBOX + raw).status_code == 200


@pytest.mark.parametrize("post", [
    {"case": ["\x00"], "to_status": "under_review"},
    {"case": ["not-a-uuid", "1' OR '1'='1"], "to_status": "under_review", "confirm": "yes"},
    {"case": [str(uuid.uuid4())], "to_status": "\x00", "confirm": "yes"},
    {"case": [], "to_status": "under_review", "back": "\x00" * 3000},
    {"to_status": "under_review", "back": "https://evil.example/?status=received"},
    {"case": ["{id}"] * 500, "to_status": "under_review", "back": "q=%00&after=\x00"},
    {"case": ["{id}"], "to_status": "rejected", "reason": "\x00" * 5000, "confirm": "yes"},
    {"case": ["{id}"], "to_status": "under_review", "back": "//evil.example"},
])
def test_hostile_bulk_posts_never_fail_or_leave_the_inbox(staff_user, application, post):
    post = {k: [v.format(id=application.public_id) for v in value] if isinstance(value, list)
            else value for k, value in post.items()}
    response = client_for(staff_user).post(BULK, post)
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert response["Location"].startswith("/staff/")


@pytest.mark.parametrize("value", ["\x00", "9" * 40, "-1", "me\x00", "１", "nobody", " "])
def test_hostile_assign_and_comment_posts(staff_user, application, value):
    client = client_for(staff_user)
    assert client.post(assign_url(application), {"assignee": value}).status_code == 302
    assert client.post(comment_url(application), {"text": value * 3000}).status_code == 302
    application.refresh_from_db()
    assert application.assignee is None


def test_name_prefix_uses_the_backend_path():
    """Both paths of the per-backend name search are exercised (SQLite and PostgreSQL runs)."""
    qs = selectors._name_starts_with(Application.objects.all(), "高田")
    sql = str(qs.query)
    if connection.vendor == "sqlite":
        assert ">=" in sql and "LIKE" not in sql
    else:
        assert "LIKE" in sql
    kana = str(selectors._name_starts_with(Application.objects.all(), "タカダ",
                                           column="applicant_kana_key").query)
    where = kana.split(" WHERE ", 1)[1]
    assert "applicant_kana_key" in where and "applicant_name_key" not in where


def test_a_kana_query_is_a_furigana_search():
    kwargs: dict[str, Any] = {"procedures": {}, "assignable": {}, "user_id": 1}
    assert parse_filters({"q": "たかだ"}, **kwargs).kana_key == "タカダ"
    assert parse_filters({"q": "ﾀｶﾀﾞ ﾊﾅｺ"}, **kwargs).kana_key == "タカダハナコ"
    assert parse_filters({"q": "髙田"}, **kwargs).kana_key == ""
    assert parse_filters({"q": "髙田"}, **kwargs).name_key == "高田"
    assert parse_filters({"q": "SMITH"}, **kwargs).name_key == "smith"


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL plans by table statistics")
def test_furigana_and_name_search_each_read_their_own_index(staff_user, application):
    """A kana query is a range of the furigana index exactly as a name query is of the name
    index (SQLite plans without statistics, so this holds at any size)."""
    staff = StaffMember.objects.get(user=staff_user)
    kwargs: dict[str, Any] = {"procedures": {}, "assignable": {}, "user_id": staff_user.pk}
    kana = selectors.inbox(staff, filters=parse_filters({"q": "たかだ"}, **kwargs)).explain()
    name = selectors.inbox(staff, filters=parse_filters({"q": "髙田"}, **kwargs)).explain()
    assert "USING INDEX app_dept_kana_idx" in kana
    assert "USING INDEX app_dept_name_idx" in name
