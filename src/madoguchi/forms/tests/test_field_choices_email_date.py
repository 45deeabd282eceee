"""Checkboxes, e-mail typed twice, date bounds; spec checks of text, number, choice and date."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils import timezone, translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from madoguchi.forms.fields import FieldError, registry, resolve_date_bound
from madoguchi.forms.tests.field_helpers import build, error_of
from madoguchi.forms.tests.field_wizard import publish_form, submit

HYPOTHESIS = settings(max_examples=150, deadline=None,
                      suppress_health_check=[HealthCheck.function_scoped_fixture])
OPTIONS = [
    {"value": "bus", "label": {"ja": "バス", "en": "Bus"}},
    {"value": "train", "label": {"ja": "電車", "en": "Train"}},
    {"value": 3, "label": {"ja": "自転車", "en": "Bicycle"}},
]


def checkboxes(**spec):
    return build("choice", widget="checkboxes", options=OPTIONS, **spec)


# --- checkboxes ---------------------------------------------------------------------------------
def test_checkboxes_template_and_input_id():
    field = checkboxes()
    assert field.template == "forms/fields/checkboxes.html"
    assert field.input_id == "f-f-0"
    assert field.multiple
    assert build("choice", options=OPTIONS).template == "forms/fields/radio.html"
    assert build("choice", widget="select", options=OPTIONS).template == "forms/fields/select.html"


def test_checkboxes_read_every_ticked_value_and_keep_the_option_order():
    field = checkboxes(required=True)
    raw = field.raw_from_post(QueryDict("f=3&f=bus&f=3&other=x"))
    assert raw == ["3", "bus", "3"]
    value = field.validate(raw)
    assert value == ["bus", "3"]
    assert field.display(value) == "バス、自転車"
    with translation.override("en"):
        assert field.display(value) == "Bus, Bicycle"
    assert field.validate(field.raw_from_value(value)) == value
    assert field.raw_from_value(None) == []


def test_checkboxes_from_a_plain_mapping_and_hostile_values():
    field = checkboxes()
    assert field.raw_from_post({"f": "train"}) == ["train"]
    assert field.raw_from_post({"f": ["bus", 3, None, "train"]}) == ["bus", "train"]
    assert field.raw_from_post({"f": 12}) == []
    assert field.raw_from_post({}) == []
    many = QueryDict(mutable=True)
    many.setlist("f", ["bus"] * 5000)
    assert len(field.raw_from_post(many)) == 100
    assert len(field.raw_from_post({"f": ["あ" * 5000]})[0]) == 2000


def test_checkboxes_required_optional_and_unknown_values():
    assert error_of(checkboxes(required=True), []) == "項目を選んでください。"
    assert checkboxes().validate([]) is None
    assert error_of(checkboxes(), ["bus", "plane"]) == "項目は選択肢から選んでください。"
    assert error_of(checkboxes(), {"bus": 1}) == "項目は選択肢から選んでください。"
    assert checkboxes().validate("train") == ["train"]


def test_checkboxes_min_and_max_choices():
    field = checkboxes(min_choices=2, max_choices=2)
    assert error_of(field, ["bus"]) == "項目は2個以上選んでください。"
    assert error_of(field, ["bus", "train", "3"]) == "項目は2個以内で選んでください。"
    assert field.validate(["train", "bus"]) == ["bus", "train"]
    assert field.choices_hint == "2個から2個まで選んでください。"
    assert checkboxes(min_choices=1).choices_hint == "1個以上選んでください。"
    assert checkboxes(max_choices=2).choices_hint == "2個まで選べます。"
    assert checkboxes().choices_hint == ""
    with translation.override("en"):
        assert error_of(field, ["bus"]) == "Choose at least 2 options for Item."
        assert error_of(checkboxes(max_choices=1), ["bus", "3"]) == (
            "Choose at most 1 option for Item.")


def test_checkboxes_template_ticks_the_chosen_options():
    field = checkboxes(max_choices=2)
    html = render_to_string(field.template, {"field": field, "raw": ["3"], "error": "x"})
    assert "<fieldset" in html and "<legend>項目" in html
    assert re.search(r'type="checkbox" id="f-f-2" name="f" value="3" checked', html)
    assert not re.search(r'value="bus" checked', html)
    assert 'id="f-f-limits">2個まで選べます。' in html
    assert 'aria-describedby=" f-f-limits f-f-error"' in html


@HYPOTHESIS
@given(st.lists(st.one_of(st.sampled_from(["bus", "train", "3"]), st.text(max_size=10)),
                max_size=6))
def test_checkboxes_never_raise_anything_but_field_error(values):
    field = checkboxes(min_choices=1, max_choices=2)
    query = QueryDict(mutable=True)
    query.setlist("f", values)
    try:
        value = field.validate(field.raw_from_post(query))
    except FieldError as exc:
        assert exc.message
        return
    assert value is None or 1 <= len(value) <= 2
    assert field.validate(field.raw_from_value(value)) == value


# --- e-mail typed twice -------------------------------------------------------------------------
def test_email_confirm_reads_both_boxes_and_keeps_the_first_address():
    field = build("email", confirm=True, required=True)
    assert field.template == "forms/fields/email_confirm.html"
    wide = "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ"
    raw = field.raw_from_post({"f": " Taro@Example.jp ", "f-confirm": wide})
    assert raw == {"email": " Taro@Example.jp ", "confirm": wide}
    assert field.validate(raw) == "Taro@Example.jp"
    assert field.raw_from_value("taro@example.jp") == {"email": "taro@example.jp",
                                                       "confirm": "taro@example.jp"}
    assert field.validate(field.raw_from_value("taro@example.jp")) == "taro@example.jp"
    assert field.raw_from_value(None) == {"email": "", "confirm": ""}


def test_email_confirm_messages():
    field = build("email", confirm=True, required=True)
    assert error_of(field, {"email": "taro@example.jp", "confirm": "tar0@example.jp"}) == (
        "2つのメールアドレスが一致しません。両方の欄に同じメールアドレスを入力してください。")
    assert error_of(field, {"email": "taro@example.jp", "confirm": " "}) == (
        "確認のため、2つ目の欄にもメールアドレスを入力してください。")
    assert error_of(field, {"email": "", "confirm": ""}) == "項目を入力してください。"
    assert "name@example.jp" in error_of(field, {"email": "taro@", "confirm": "taro@"})
    assert error_of(field, "taro@example.jp")  # a lone address: the second box is missing
    assert field.raw_from_post({"f": ["x"], "f-confirm": "y" * 5000}) == {
        "email": "", "confirm": "y" * 2000}
    with translation.override("en"):
        assert error_of(field, {"email": "a@example.jp", "confirm": "b@example.jp"}) == (
            "The two e-mail addresses are different. Enter the same address in both boxes.")


def test_email_without_confirm_is_one_box_as_before():
    field = build("email")
    assert field.template == "forms/fields/text.html"
    assert field.raw_from_post({"f": "a@example.jp", "f-confirm": "b"}) == "a@example.jp"
    assert field.raw_from_value("a@example.jp") == "a@example.jp"
    assert field.validate({"email": "a@example.jp"}) == "a@example.jp"


def test_email_confirm_template_has_two_labelled_inputs():
    field = build("email", confirm=True)
    html = render_to_string(field.template, {
        "field": field, "raw": {"email": "a@example.jp", "confirm": "<b>"}, "error": ""})
    assert 'name="f" value="a@example.jp" type="email"' in html
    assert 'for="f-f-confirm">メールアドレス（確認のため、もう一度）</label>' in html
    assert 'name="f-confirm" value="&lt;b&gt;"' in html


@HYPOTHESIS
@given(st.text(max_size=40), st.text(max_size=40))
def test_email_confirm_never_raises_anything_but_field_error(first, second):
    field = build("email", confirm=True, required=True)
    try:
        value = field.validate(field.raw_from_post({"f": first, "f-confirm": second}))
    except FieldError:
        return
    assert field.validate(field.raw_from_value(value)) == value


# --- date bounds --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("bound", "today", "expected"),
    [
        ("today", "2026-05-10", "2026-05-10"),
        ("+30d", "2026-05-10", "2026-06-09"),
        ("-1d", "2026-01-01", "2025-12-31"),
        ("-18y", "2024-02-29", "2006-02-28"),
        ("-6m", "2026-08-31", "2026-02-28"),
        ("+1y", "2027-02-28", "2028-02-28"),
        ("+1m", "2026-12-15", "2027-01-15"),
        (" 2026-04-01 ", "2000-01-01", "2026-04-01"),
        ("TODAY", "2026-05-10", "2026-05-10"),
    ],
)
def test_date_bounds_resolve_against_today(bound, today, expected):
    assert resolve_date_bound(bound, dt.date.fromisoformat(today)) == dt.date.fromisoformat(
        expected)


@pytest.mark.parametrize("bound", ["tomorrow", "+30", "30d", "+9999y", "-9999y", "2026-13-01",
                                   "2026-4-1", "令和8年4月1日", "", None, 20260401, ["today"]])
def test_unreadable_date_bounds_are_none(bound):
    assert resolve_date_bound(bound, dt.date(2026, 5, 10)) is None


def test_date_min_and_max_messages_say_the_bound_in_wareki():
    field = build("date", min="2026-04-01", max="2027-03-31")
    assert field.validate("令和8年4月1日") == "2026-04-01"
    assert field.validate("2027-03-31") == "2027-03-31"
    between = ("項目は令和8年（2026年）4月1日から令和9年（2027年）3月31日までの日付を"
               "入力してください。")
    assert error_of(field, "2026-03-31") == between
    assert error_of(field, "2027-04-01") == between
    assert error_of(build("date", min="2026-04-01"), "2026-03-31") == (
        "項目は令和8年（2026年）4月1日以降の日付を入力してください。")
    assert error_of(build("date", max="2019-04-30"), "令和元年5月1日") == (
        "項目は平成31年（2019年）4月30日以前の日付を入力してください。")
    with translation.override("en"):
        assert error_of(build("date", min="2026-04-01"), "2026-03-31") == (
            "Enter Item on or after 1 April 2026.")


def test_relative_bounds_follow_the_day_of_answering():
    today = timezone.localdate()
    adult = build("date", max="-18y")
    limit = resolve_date_bound("-18y", today)
    assert adult.validate(limit.isoformat()) == limit.isoformat()
    assert "以前の日付" in error_of(adult, (limit + dt.timedelta(days=1)).isoformat())
    soon = build("date", min="today", max="+30d")
    assert soon.validate(today.isoformat()) == today.isoformat()
    assert error_of(soon, (today - dt.timedelta(days=1)).isoformat())
    assert error_of(soon, (today + dt.timedelta(days=31)).isoformat())


def test_past_only_still_applies_with_bounds():
    field = build("date", past_only=True, min="2000-01-01")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert error_of(field, tomorrow.isoformat()) == (
        "項目は今日またはそれより前の日付を入力してください。")
    assert "以降" in error_of(field, "1999-12-31")


def test_a_bound_before_meiji_is_shown_as_iso_and_unusable_bounds_are_ignored():
    assert "1860-01-01" in error_of(build("date", max="1860-01-01"), "1900-01-01")
    assert build("date", min="someday", max=12).validate("2026-01-01") == "2026-01-01"


@HYPOTHESIS
@given(st.text(max_size=30))
def test_date_with_bounds_never_raises_anything_but_field_error(typed):
    field = build("date", min="-18y", max="today", past_only=True)
    try:
        value = field.validate(typed)
    except FieldError:
        return
    if value is not None:
        assert field.validate(field.raw_from_value(value)) == value


# --- spec problems ------------------------------------------------------------------------------
def problems(type_name, **spec):
    cls = registry.type_of(type_name)
    return cls.spec_problems({"key": "f", "type": type_name,
                              "label": {"ja": "項目", "en": "Item"}, **spec})


def test_text_spec_problems():
    assert problems("text", min_length=2, max_length=5, pattern="[0-9]+") == []
    assert problems("text", min_length=6, max_length=5) == [
        "「項目」(f)：最小の文字数（6）が最大の文字数（5）より大きくなっています。"
        "どちらかを直してください。"]
    assert problems("text", min_length=101) != []  # more than the default 100
    assert problems("text", min_length=101, multiline=True) == []
    assert problems("text", pattern="([0-9]") == [
        "「項目」(f)：入力の形式（正規表現）を読み取れません。書き方を確認してください。"]
    assert len(problems("text", min_length=-1, max_length="5")) == 2
    assert problems("text", min_length=True) != []


def test_number_spec_problems():
    assert problems("number", min=0, max=10) == []
    assert problems("number", min=10, max=1) == [
        "「項目」(f)：最小値（10）が最大値（1）より大きくなっています。どちらかを直してください。"]
    assert problems("number", min=1.5) == ["「項目」(f)：最小値は整数にしてください。"]
    assert problems("number", max="9") == ["「項目」(f)：最大値は整数にしてください。"]


def test_choice_spec_problems():
    assert problems("choice", options=OPTIONS) == []
    assert problems("choice", options=OPTIONS, widget="checkboxes", min_choices=1,
                    max_choices=3) == []
    assert problems("choice", options=[]) == ["「項目」(f)に選択肢を1つ以上追加してください。"]
    assert problems("choice") == ["「項目」(f)に選択肢を1つ以上追加してください。"]
    found = problems("choice", options=[
        {"value": "a", "label": "A"}, {"value": "a", "label": "B"}, {"value": "", "label": "C"},
        {"value": "d"}, "e", {"value": True, "label": "F"}])
    assert found == [
        "「項目」(f)の選択肢に、同じ値「a」のものが2つあります。選択肢ごとに違う値にしてください。",
        "「項目」(f)の3番目の選択肢に値を設定してください。",
        "「項目」(f)の4番目の選択肢に表示名を設定してください。",
        "「項目」(f)の5番目の選択肢に値を設定してください。",
        "「項目」(f)の6番目の選択肢に値を設定してください。",
    ]
    assert problems("choice", options=OPTIONS, widget="list") == [
        "「項目」(f)：選択肢の表示方法は、ラジオボタン、プルダウン、チェックボックスのどれかに"
        "してください。"]
    assert problems("choice", options=OPTIONS, min_choices=1) == [
        "「項目」(f)：選ぶ数の下限と上限は、チェックボックスのときだけ設定できます。"]
    assert problems("choice", options=OPTIONS, widget="checkboxes", min_choices=3,
                    max_choices=2) == [
        "「項目」(f)：選ぶ数の下限（3）が上限（2）より大きくなっています。どちらかを直してください。"]
    assert problems("choice", options=OPTIONS, widget="checkboxes", max_choices=4) == [
        "「項目」(f)：4個選ぶ設定ですが、選択肢は3個しかありません。"]
    assert len(problems("choice", options=OPTIONS, widget="checkboxes", min_choices=-1,
                        max_choices=0)) == 2


def test_spec_problems_name_a_field_without_label_by_its_key():
    assert registry.type_of("number").spec_problems({"key": "amount", "min": 2, "max": 1})[0]\
        .startswith("(amount)：")


def test_date_spec_problems():
    assert problems("date", min="-18y", max="today") == []
    assert problems("date", min="2026-04-01", max="2026-03-31") == [
        "「項目」(f)：いちばん早い日付が、いちばん遅い日付より後になっています。どちらかを直してください。"]
    assert problems("date", min="someday") == [
        "「項目」(f)：いちばん早い日付「someday」を読み取れません。2026-04-01 のような日付か、"
        "today、-18y、+30d のように書いてください。"]
    assert "いちばん遅い日付「5」" in problems("date", max=5)[0]
    assert problems("date", min="+1d", past_only=True) == [
        "「項目」(f)：今日までの日付しか入力できない設定ですが、いちばん早い日付が未来になっています。"]
    with translation.override("en"):
        assert problems("date", min="+1y", max="today") == [
            "「Item」(f): the earliest date is after the latest date."]


# --- through the wizard -------------------------------------------------------------------------
PAGE = {"key": "contact", "title": {"ja": "連絡先", "en": "Contact"}, "fields": [
    {"key": "email", "type": "email", "confirm": True, "required": True,
     "label": {"ja": "メールアドレス", "en": "E-mail address"}},
    {"key": "transport", "type": "choice", "widget": "checkboxes", "required": True,
     "max_choices": 2, "options": OPTIONS,
     "label": {"ja": "通学の手段", "en": "How you travel"}},
    {"key": "start", "type": "date", "required": True, "min": "2000-04-01", "max": "today",
     "label": {"ja": "通学を始めた日", "en": "First day of school travel"}},
]}


@pytest.fixture
def contact_form(demo):
    return publish_form("new-fields-contact", [PAGE])


def test_wizard_keeps_checkboxes_and_both_addresses_when_a_box_is_wrong(
        contact_form, resident_client):
    url = "/apply/new-fields-contact/contact/"
    html = resident_client.get(url).content.decode()
    assert 'name="email-confirm"' in html and 'type="checkbox"' in html
    post = QueryDict(mutable=True)
    post.update({"email": "taro@example.jp", "email-confirm": "taro@example.com",
                 "start": "令和2年4月1日"})
    post.setlist("transport", ["train", "bus"])
    response = resident_client.post(url, post.urlencode(),
                                    content_type="application/x-www-form-urlencoded")
    assert response.status_code == 422
    html = response.content.decode()
    assert "2つのメールアドレスが一致しません" in html
    assert 'value="taro@example.com"' in html
    assert re.search(r'value="bus" checked', html) and re.search(r'value="train" checked', html)
    assert not re.search(r'value="3" checked', html)
    post["email-confirm"] = "ＴＡＲＯ＠example.jp"
    post["start"] = "1999-01-01"
    response = resident_client.post(url, post.urlencode(),
                                    content_type="application/x-www-form-urlencoded")
    assert "通学を始めた日は平成12年（2000年）4月1日から" in response.content.decode()
    post["start"] = "令和2年4月1日"
    response = resident_client.post(url, post.urlencode(),
                                    content_type="application/x-www-form-urlencoded")
    assert response.status_code == 302
    application = submit(resident_client, "new-fields-contact")
    assert application.answers["email"] == "taro@example.jp"
    assert application.answers["transport"] == ["bus", "train"]
    assert application.answers["start"] == "2020-04-01"


def test_a_year_far_ahead_is_a_typo_the_resident_is_asked_to_check():
    from madoguchi.forms.tests.field_helpers import build, error_of

    field = build("date")
    assert "年" in error_of(field, "3026-04-01")  # 2026 typed as 3026
    assert field.validate("2026-04-01") == "2026-04-01"
