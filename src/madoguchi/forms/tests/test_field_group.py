"""The repeating group: rows of sub-fields, add and remove buttons, messages and the wizard."""

from __future__ import annotations

import re

import pytest
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from madoguchi.forms.fields import FieldError, registry
from madoguchi.forms.fields.group import GroupField
from madoguchi.forms.tests.field_helpers import error_of
from madoguchi.forms.tests.field_wizard import publish_form, submit

HYPOTHESIS = settings(max_examples=80, deadline=None,
                      suppress_health_check=[HealthCheck.function_scoped_fixture,
                                             HealthCheck.too_slow])
SUBFIELDS = [
    {"key": "name", "type": "name", "kana": True, "required": True,
     "label": {"ja": "氏名", "en": "Name"}},
    {"key": "birth_date", "type": "date", "past_only": True, "required": True,
     "label": {"ja": "生年月日", "en": "Date of birth"}},
    {"key": "school", "type": "text", "label": {"ja": "学校名", "en": "School"}},
]
ICHIRO = {"name-family": "髙﨑", "name-given": "一郎", "name-family_kana": "たかさき",
          "name-given_kana": "いちろう", "birth_date": "平成21年4月2日", "school": "緑ヶ丘高校"}
HANAKO = {"name-family": "髙﨑", "name-given": "花子", "name-family_kana": "タカサキ",
          "name-given_kana": "ハナコ", "birth_date": "2012-10-10", "school": ""}
ICHIRO_VALUE = {"name": {"family": "髙﨑", "given": "一郎", "family_kana": "タカサキ",
                         "given_kana": "イチロウ"},
                "birth_date": "2009-04-02", "school": "緑ヶ丘高校"}
HANAKO_VALUE = {"name": {"family": "髙﨑", "given": "花子", "family_kana": "タカサキ",
                         "given_kana": "ハナコ"},
                "birth_date": "2012-10-10", "school": None}


def build(**spec) -> GroupField:
    spec = {"key": "children", "type": "group", "label": {"ja": "お子さん", "en": "Children"},
            "item_label": {"ja": "お子さん", "en": "Child"}, "max_rows": 3, "fields": SUBFIELDS,
            **spec}
    field = registry.build(spec)
    assert isinstance(field, GroupField)
    return field


def post_of(*rows: dict[str, str], key: str = "children", count: str | None = None) -> dict:
    data = {f"{key}-{index}-{name}": value for index, row in enumerate(rows)
            for name, value in row.items()}
    data[f"{key}-rows"] = str(len(rows)) if count is None else count
    return data


# --- reading and validating ---------------------------------------------------------------------
def test_rows_are_read_from_prefixed_inputs_and_validated():
    field = build(required=True)
    assert [f.key for f in field.row_fields(1)] == [
        "children-1-name", "children-1-birth_date", "children-1-school"]
    assert field.input_id == "f-children-0-name-family"
    raw = field.raw_from_post(post_of(ICHIRO, HANAKO))
    assert raw[1]["name"] == {"family": "髙﨑", "given": "花子", "family_kana": "タカサキ",
                              "given_kana": "ハナコ"}
    assert raw[1]["birth_date"] == "2012-10-10"
    value = field.validate(raw)
    assert value == [ICHIRO_VALUE, HANAKO_VALUE]
    assert field.validate(field.raw_from_value(value)) == value


def test_display_is_one_line_per_row():
    field = build()
    assert field.display([ICHIRO_VALUE, HANAKO_VALUE]) == (
        "お子さん（1人目）　氏名：髙﨑　一郎（タカサキ　イチロウ）"
        "／生年月日：平成21年（2009年）4月2日／学校名：緑ヶ丘高校\n"
        "お子さん（2人目）　氏名：髙﨑　花子（タカサキ　ハナコ）"
        "／生年月日：平成24年（2012年）10月10日")
    with translation.override("en"):
        assert field.display([HANAKO_VALUE]) == (
            "Child 1: Name: 髙﨑　花子（タカサキ　ハナコ） / Date of birth: 10 October 2012")
    assert field.display(None) == ""
    assert field.mask([ICHIRO_VALUE]) == field.display([ICHIRO_VALUE])


def test_errors_name_the_row():
    field = build(required=True)
    raw = field.raw_from_post(post_of(ICHIRO, {**HANAKO, "birth_date": ""}))
    assert error_of(field, raw) == "2人目のお子さん：生年月日を入力してください。"
    raw = field.raw_from_post(post_of({**ICHIRO, "name-given_kana": "一郎"}))
    assert error_of(field, raw).startswith("1人目のお子さん：")
    with translation.override("en"):
        raw = field.raw_from_post(post_of(ICHIRO, {**HANAKO, "birth_date": ""}))
        assert error_of(field, raw) == "Child 2: Enter Date of birth."
    things = build(counter="item", item_label={"ja": "定期券", "en": "Pass"})
    raw = things.raw_from_post(post_of(ICHIRO, {**HANAKO, "birth_date": ""}))
    assert error_of(things, raw) == "2件目の定期券：生年月日を入力してください。"
    assert things.row_label(2) == "定期券（2件目）"


def test_empty_rows_are_not_answers():
    field = build(required=True)
    raw = field.raw_from_post(post_of(ICHIRO, {}, HANAKO))
    assert field.validate(raw) == [ICHIRO_VALUE, HANAKO_VALUE]
    assert error_of(field, field.raw_from_post(post_of({}, {}))) == (
        "お子さんについて入力してください。")
    assert build().validate(build().raw_from_post(post_of({}))) is None
    assert error_of(build(min_rows=2), build(min_rows=2).raw_from_post(post_of(ICHIRO, {}))) == (
        "お子さんは2人分以上入力してください。")


@pytest.mark.parametrize(
    ("count", "rows"),
    [("2", 2), ("0", 1), ("3", 3), ("999999999", 3), ("abc", 2), ("-1", 2), ("１", 2),
     ("2.0", 2), ("", 2), (None, 2)],
)
def test_the_row_count_is_bounded_and_garbage_falls_back_to_the_rows_posted(count, rows):
    data = post_of(ICHIRO, HANAKO, count=count or "")
    if count is None:
        del data["children-rows"]
    assert len(build().raw_from_post(data)) == rows


def test_huge_posts_stay_within_max_rows():
    field = build(max_rows=50, min_rows=0)
    data = {f"children-{i}-school": "x" for i in range(2000)}
    assert len(field.raw_from_post({**data, "children-rows": "1000"})) == 50
    assert len(field.raw_from_post(data)) == 50
    assert field.max_rows == 50
    assert build(max_rows=10_000).max_rows == 50
    assert build(min_rows=5, max_rows=2).max_rows == 5


def test_checkboxes_inside_a_group_read_each_rows_list():
    field = build(fields=[{"key": "days", "type": "choice", "widget": "checkboxes",
                           "label": {"ja": "曜日", "en": "Days"},
                           "options": [{"value": "mon", "label": "月"},
                                       {"value": "tue", "label": "火"}]}])
    query = QueryDict("children-rows=2&children-0-days=tue&children-0-days=mon"
                      "&children-1-days=tue")
    assert field.validate(field.raw_from_post(query)) == [{"days": ["mon", "tue"]},
                                                          {"days": ["tue"]}]


def test_sensitive_sub_fields_make_the_group_sensitive_and_are_masked():
    field = build(fields=[{"key": "number", "type": "my_number", "label": "個人番号"}])
    assert field.is_sensitive
    value = field.validate(field.raw_from_post(post_of({"number": "123456789018"})))
    assert value == [{"number": "123456789018"}]
    assert "123456789018" not in field.mask(value)
    assert "9018" in field.mask(value)
    assert not build().is_sensitive
    assert build(sensitive=True).mask([ICHIRO_VALUE]) == "＊＊＊＊"


# --- buttons ------------------------------------------------------------------------------------
def test_add_appends_an_empty_row_up_to_max_rows():
    field = build()
    raw = field.raw_from_post(post_of(ICHIRO))
    raw, feedback = field.action(raw, "add")
    assert len(raw) == 2 and raw[1] == field.empty_row()
    assert raw[0]["school"] == "緑ヶ丘高校"
    assert feedback == {"message": "お子さん（2人目）の入力欄を追加しました。"}
    raw, _feedback = field.action(raw, "add")
    raw, feedback = field.action(raw, "add")
    assert len(raw) == 3
    assert feedback == {"message": "お子さんは3人分まで入力できます。"}


def test_remove_takes_out_one_row_but_not_below_min_rows():
    field = build()
    raw = field.raw_from_post(post_of(ICHIRO, HANAKO))
    kept, feedback = field.action(raw, "remove-0")
    assert len(kept) == 1 and kept[0]["name"]["given"] == "花子"
    assert feedback == {"message": "お子さん（1人目）を削除しました。"}
    last, feedback = field.action(kept, "remove-0")
    assert len(last) == 1
    assert feedback == {"message": "お子さんは1人分以上必要なため、これ以上削除できません。"}
    for command in ["remove-5", "remove-x", "remove--1", "remove-", "delete", "0-name:lookup",
                    "9-school:x", "0-nope:x", ""]:
        same, nothing = field.action(raw, command)
        assert same == raw and nothing is None, command


def test_a_sub_fields_own_button_is_routed_to_its_row():
    field = build(fields=[{"key": "home", "type": "address", "label": {"ja": "住所"}}])
    raw = field.raw_from_post(post_of({"home-postal_code": "997-0035", "home-street": "1"},
                                      {"home-street": "2"}))
    raw, feedback = field.action(raw, "0-home:lookup")
    assert raw[0]["home"]["city"] == "鶴岡市" and raw[0]["home"]["street"] == "1"
    assert raw[1]["home"]["street"] == "2"
    assert feedback["row"] == 0 and feedback["sub"] == "home" and feedback["feedback"].found
    rows = field.template_rows(raw, "", feedback)
    assert rows[0]["fields"][0]["feedback"].found and rows[1]["fields"][0]["feedback"] is None


# --- template -----------------------------------------------------------------------------------
def test_template_shows_a_fieldset_per_row_with_the_sub_fields_and_buttons():
    field = build(required=True)
    raw = field.raw_from_post(post_of(ICHIRO, {**HANAKO, "birth_date": "明日"}))
    error = "2人目のお子さん：…"
    html = render_to_string(field.template, {"field": field, "raw": raw, "error": error,
                                             "feedback": {"message": "追加しました。"}})
    assert html.count('<fieldset class="group__row"') == 2
    assert '<legend class="group__legend">お子さん（2人目）</legend>' in html
    assert 'name="children-rows" value="2"' in html
    assert 'name="children-1-name-given" value="花子"' in html
    assert 'name="children-0-birth_date" value="平成21年4月2日"' in html
    assert re.search(r'<button[^>]*value="children:remove-1"[^>]*>お子さん（2人目）を削除する',
                     html)
    assert re.search(r'<button[^>]*value="children:add"[^>]*>お子さんを追加する</button>', html)
    # The wrong sub-field of row 2 is marked; row 1 is not.
    assert 'id="f-children-1-birth_date-error"' in html
    assert 'id="f-children-0-birth_date-error"' not in html
    assert 'role="status" aria-live="polite">追加しました。' in html


def test_template_hides_add_at_max_and_remove_at_min():
    field = build(max_rows=1)
    html = render_to_string(field.template, {"field": field, "raw": field.raw_from_value(None),
                                             "error": "", "feedback": None})
    assert "children:add" not in html and "children:remove" not in html
    assert html.count('<fieldset class="group__row"') == 1
    none = build(min_rows=0)
    html = render_to_string(none.template, {"field": none, "raw": [], "error": ""})
    assert 'name="children-rows" value="0"' in html and "children:add" in html
    assert none.input_id == "f-children-add"


# --- spec problems ------------------------------------------------------------------------------
def test_spec_problems():
    check = GroupField.spec_problems
    good = {"key": "children", "label": "お子さん", "fields": SUBFIELDS}
    assert check(good) == []
    assert check({**good, "fields": []}) == [
        "「お子さん」(children)の1行に入る項目を、1つ以上追加してください。"]
    assert check({**good, "min_rows": 4, "max_rows": 3}) == [
        "「お子さん」(children)：最少の行数（4）が最多の行数（3）より大きくなっています。"
        "どちらかを直してください。"]
    assert check({**good, "max_rows": 51}) == [
        "「お子さん」(children)：最多の行数は、1から50までの整数にしてください。"]
    assert check({**good, "min_rows": -1}) != []
    assert check({**good, "counter": "animal"}) != []
    found = check({**good, "fields": [
        {"key": "a", "type": "text", "label": "A"},
        {"key": "a", "type": "text", "label": "B"},
        {"key": "Bad key", "type": "text"},
        {"key": "c", "type": "file", "label": "C"},
        {"key": "d", "type": "group", "label": "D"},
        {"key": "e", "type": "guidance", "label": "E"},
        {"key": "f", "type": "nope", "label": "F"},
        {"key": "g", "type": "text"},
        {"key": "h", "type": "number", "label": "H", "min": 5, "max": 1},
        {"key": "i", "type": "text", "label": "I", "show_if": {"==": [{"var": "x"}, 1]}},
        "j",
    ]})
    assert found == [
        "「お子さん」(children)：行の中の2つの項目が、同じキー「a」になっています。"
        "項目ごとに違うキーにしてください。",
        "「お子さん」(children)：行の3番目の項目に、英小文字・数字・_ でキーを設定してください。",
        "「お子さん」(children)：種類が「file」の項目は、繰り返しのグループの中では使えません。",
        "「お子さん」(children)：種類が「group」の項目は、繰り返しのグループの中では使えません。",
        "「お子さん」(children)：種類が「guidance」の項目は、繰り返しのグループの中では使えません。",
        "「お子さん」(children)：項目「F」(f)の種類「nope」はありません。種類を選び直してください。",
        "「お子さん」(children)：項目(g)に表示名を設定してください。",
        "「H」(h)：最小値（5）が最大値（1）より大きくなっています。どちらかを直してください。",
        "「お子さん」(children)：繰り返しのグループの中の項目「I」(i)には、条件を設定できません。",
        "「お子さん」(children)：行の11番目の項目に、英小文字・数字・_ でキーを設定してください。",
    ]


def test_unusable_sub_specs_are_skipped_when_built():
    field = build(fields=[{"key": "a", "type": "text", "label": "A"}, {"key": "a", "type": "text"},
                          {"key": "b", "type": "group"}, {"key": "c", "type": "nope"}, "x"])
    assert field.subkeys == ("a",)
    assert build(fields="nothing").subkeys == ()


# --- hostile input ------------------------------------------------------------------------------
NAMES = ["children-rows", "children-0-school", "children-1-school", "children-0-birth_date",
         "children-2-birth_date", "children-0-name-family", "children-0-name-given",
         "children-0-name-family_kana", "children-0-name-given_kana", "children-7-school",
         "children-x-school"]


@HYPOTHESIS
@given(st.dictionaries(st.sampled_from(NAMES), st.text(max_size=30), max_size=8))
def test_any_post_gives_a_value_or_a_field_error(data):
    field = build(required=True)
    raw = field.raw_from_post(data)
    assert 1 <= len(raw) <= 3
    try:
        value = field.validate(raw)
    except FieldError as exc:
        assert exc.message
    else:
        assert field.validate(field.raw_from_value(value)) == value
        assert field.display(value)
    field.template_rows(raw, "error")
    for command in ("add", "remove-0", "remove-2"):
        field.action(raw, command)


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(["name", "birth_date", "school", "family", "given"]),
                      children, max_size=3),
    max_leaves=15,
)


@HYPOTHESIS
@given(JSONISH)
def test_any_raw_value_gives_a_value_or_a_field_error(raw):
    field = build(required=True)
    try:
        field.validate(raw)
    except FieldError as exc:
        assert exc.message
    field.template_rows(raw, "error")
    field.action(raw, "add")
    field.action(raw, "remove-0")


# --- through the wizard -------------------------------------------------------------------------
PAGES = [{"key": "family", "title": {"ja": "お子さん", "en": "Children"}, "fields": [
    {"key": "applicant", "type": "text", "required": True,
     "label": {"ja": "申請者の氏名", "en": "Your name"}},
    {"key": "children", "type": "group", "required": True, "max_rows": 3,
     "label": {"ja": "お子さん", "en": "Children"}, "item_label": {"ja": "お子さん", "en": "Child"},
     "fields": SUBFIELDS},
]}]
URL = "/apply/new-fields-group/family/"


@pytest.fixture
def group_form(demo):
    return publish_form("new-fields-group", PAGES)


def test_wizard_add_and_remove_rows_keep_everything_typed(group_form, resident_client):
    html = resident_client.get(URL).content.decode()
    assert html.count('<fieldset class="group__row"') == 1
    assert 'name="children-rows" value="1"' in html
    typed = {"applicant": "髙﨑 𠮷男", **post_of(ICHIRO)}
    response = resident_client.post(URL, {**typed, "_action": "children:add"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "お子さん（2人目）の入力欄を追加しました。" in html
    assert 'name="children-rows" value="2"' in html
    assert 'name="children-1-name-family" value=""' in html
    assert 'value="緑ヶ丘高校"' in html and 'value="髙﨑 𠮷男"' in html
    # Fill the new row, then an error elsewhere: both rows are shown again as typed.
    both = {**post_of(ICHIRO, HANAKO), "applicant": ""}
    response = resident_client.post(URL, both)
    assert response.status_code == 422
    html = response.content.decode()
    assert "申請者の氏名を入力してください。" in html
    assert 'name="children-1-name-given" value="花子"' in html
    assert 'name="children-0-birth_date" value="平成21年4月2日"' in html
    # Remove the first child: the second becomes the first.
    response = resident_client.post(URL, {**both, "_action": "children:remove-0"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "お子さん（1人目）を削除しました。" in html
    assert 'name="children-rows" value="1"' in html
    assert 'name="children-0-name-given" value="花子"' in html
    assert "一郎" not in html
    # The page also comes back as it was on a later visit (the draft keeps the rows).
    assert 'value="花子"' in resident_client.get(URL).content.decode()


def test_wizard_row_errors_and_submission(group_form, resident_client):
    response = resident_client.post(URL, {"applicant": "髙﨑 𠮷男",
                                          **post_of(ICHIRO, {**HANAKO, "birth_date": ""})})
    assert response.status_code == 422
    html = response.content.decode()
    assert "2人目のお子さん：生年月日を入力してください。" in html
    assert 'href="#f-children-0-name-family"' in html
    response = resident_client.post(URL, {"applicant": "髙﨑 𠮷男", **post_of(ICHIRO, HANAKO)})
    assert response.status_code == 302
    check = resident_client.get("/apply/new-fields-group/check/").content.decode()
    assert "お子さん（2人目）　氏名：髙﨑　花子" in check
    application = submit(resident_client, "new-fields-group")
    assert application.answers["children"] == [ICHIRO_VALUE, HANAKO_VALUE]


@pytest.mark.parametrize("hostile", [
    {"children-rows": "99999999999999999999"}, {"children-rows": "-5"},
    {"children-rows": "\x00"}, {"_action": "children:remove-99999999"},
    {"_action": "children:add", "children-rows": "3"}, {"_action": "children:0-name:x"},
])
def test_wizard_hostile_posts_are_never_a_server_error(group_form, resident_client, hostile):
    response = resident_client.post(URL, {"applicant": "x", **post_of(ICHIRO), **hostile})
    assert response.status_code in (200, 302, 422)
