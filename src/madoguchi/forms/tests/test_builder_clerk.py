"""The builder for a clerk who is not an engineer: date limits in words, labels instead of keys,
a condition's value chosen from the field's own options, the palette left open, a publish check
that lists what residents will see, and English that is never copied from Japanese."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.http import QueryDict
from django.test import Client
from django.utils import translation

from madoguchi.catalog.models import Procedure
from madoguchi.conftest import client_for, visible_text
from madoguchi.forms import builder, library, services
from madoguchi.forms.builder import dates as builder_dates
from madoguchi.forms.builder import review as builder_review
from madoguchi.forms.builder.conditions import condition_targets
from madoguchi.forms.fields import resolve_date_bound
from madoguchi.forms.models import FormDefinition

from .test_builder_views import (
    add_field,
    checked_revision,
    confirm_page,
    create,
    field_spec,
    link_procedure,
    publish,
    publishable_form,
    reload,
)

BASE = "/staff/forms"


@pytest.fixture
def staff_client(staff_user) -> Client:
    return client_for(staff_user)


def qd(**values: str) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, value in values.items():
        query[key] = value
    return query


# --- date limits in words ------------------------------------------------------------------------
@pytest.mark.parametrize(("stored", "preset", "words"), [
    ({}, "none", ""),
    ({"max": "today"}, "past", "今日以前"),
    ({"min": "today"}, "future", "今日以降"),
    ({"max": "-18y"}, "age", "18歳以上（18年前の今日までに生まれた人）"),
    ({"min": "today", "max": "+300d"}, "custom", "今日から300日後まで"),
    ({"min": "-19y"}, "custom", "19年前以降"),
    ({"max": "2026-04-01"}, "custom", "令和8年（2026年）4月1日まで"),
])
def test_date_limits_are_shown_as_choices_and_words(stored, preset, words):
    with translation.override("ja"):
        assert builder_dates.limits_of(stored).preset == preset
        assert builder_dates.describe(stored) == words


def _post_of(limits: builder_dates.DateLimits) -> QueryDict:
    """What the edit page posts back when the clerk changes nothing."""
    return qd(date_limit=limits.preset, date_age=limits.age,
              min_kind=limits.low.kind, min_number=limits.low.number, min_date=limits.low.date,
              max_kind=limits.high.kind, max_number=limits.high.number,
              max_date=limits.high.date)


def _library_dates() -> list[dict]:
    dates = []
    for template in library.templates():
        for page in template.definition["pages"]:
            for field in page["fields"]:
                for spec in [field, *field.get("fields", [])]:
                    if spec.get("type") == "date":
                        dates.append(spec)
    return dates


@pytest.mark.parametrize("spec", [
    *[{"min": d.get("min"), "max": d.get("max")} for d in _library_dates()],
    {"min": "-6m", "max": "+2y"}, {"min": "2010-04-02", "max": "today"}, {"max": "-65y"},
    {"min": "+1d"}, {"max": "-3m"},
])
def test_every_stored_limit_comes_back_unchanged_from_its_choices(spec):
    spec = {k: v for k, v in spec.items() if v}
    low, high, errors = builder_dates.read_limits(_post_of(builder_dates.limits_of(spec)))
    assert errors == []
    assert (low, high) == (spec.get("min"), spec.get("max"))


def test_the_age_limit_accepts_exactly_those_aged_18_or_over():
    today = dt.date(2026, 4, 1)
    _low, high, _errors = builder_dates.read_limits(qd(date_limit="age", date_age="18"))
    assert resolve_date_bound(high, today) == dt.date(2008, 4, 1)  # 18 today: allowed


def test_a_date_field_page_offers_the_limits_in_words(staff_client):
    form = create(staff_client)
    key = add_field(staff_client, form, "date")
    html = staff_client.get(f"{BASE}/{form.pk}/fields/{key}/").content.decode()
    text = visible_text(html)
    for words in ("今日以前", "今日以降", "○歳以上", "いちばん早い日付", "○年前", "日付を指定"):
        assert words in text, words
    assert "-18y" not in text and "today" not in text
    response = staff_client.post(f"{BASE}/{form.pk}/fields/{key}/", {
        "label_ja": "生年月日", "key": key, "date_limit": "age", "date_age": "２０"})
    assert response.status_code == 302
    assert field_spec(form, key).get("max") == "-20y" and "min" not in field_spec(form, key)
    editor = visible_text(staff_client.get(f"{BASE}/{form.pk}/").content)
    assert "20歳以上" in editor


def test_a_bad_date_limit_is_explained_and_what_was_chosen_is_kept(staff_client):
    form = create(staff_client)
    key = add_field(staff_client, form, "date")
    response = staff_client.post(f"{BASE}/{form.pk}/fields/{key}/", {
        "label_ja": "予約日", "key": key, "date_limit": "custom", "min_kind": "days_ahead",
        "min_number": "たくさん", "max_kind": "date", "max_date": "令和8年4月1日"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "○に入る数を、1から36500までの整数で入力してください" in html
    assert 'id="f-date_limit-custom" name="date_limit" value="custom" checked' in html
    assert 'name="min_number" value="たくさん"' in html
    assert 'name="max_date" value="令和8年4月1日"' in html
    assert "min" not in field_spec(form, key)


# --- labels, not keys -----------------------------------------------------------------------------
def test_the_editor_shows_labels_never_keys(staff_client):
    form = create(staff_client)
    keys = [add_field(staff_client, form, entry) for entry in ("text", "date", "choice")]
    text = visible_text(staff_client.get(f"{BASE}/{form.pk}/").content)
    for key in keys:
        assert key not in text, key
    assert "新しい項目" in text and "日付" in text


def test_condition_targets_tell_apart_fields_with_the_same_label():
    definition = builder.new_definition("題")
    definition, _summary, _key = builder.add_page(definition)
    for page in ("page_1", "page_1", "page_2"):
        definition, _summary, _key = builder.add_field(definition, page, "choice")
    definition, _summary, last = builder.add_field(definition, "page_2", "text")
    with translation.override("ja"):
        targets = condition_targets(definition, page_key="page_2", field_key=last)
    assert [label for _key, label in targets] == [
        "選んでください（1ページ目）", "選んでください（1ページ目）", "選んでください（2ページ目）"]


# --- a condition's value from the field's own options ---------------------------------------------
def test_a_condition_offers_the_options_of_each_field_with_options(staff_client):
    form = create(staff_client)
    choice = add_field(staff_client, form, "choice")
    staff_client.post(f"{BASE}/{form.pk}/fields/{choice}/", {
        "label_ja": "続柄", "key": choice, "options": "父 / Father\n母 / Mother"})
    number = add_field(staff_client, form, "number")
    text = add_field(staff_client, form, "text")
    html = staff_client.get(f"{BASE}/{form.pk}/fields/{text}/").content.decode()
    group = re.search(r'<optgroup label="続柄" data-for="choice_1">(.*?)</optgroup>', html, re.S)
    assert group, "the options of 続柄 are offered"
    values = re.findall(r'<option value="([^"]+)">([^<]+)</option>', group[1])
    options = field_spec(form, choice)["options"]
    assert values == [(f"choice_1:{o['value']}", o["label"]["ja"]) for o in options]
    assert f'value="{number}" data-kind="number"' in html
    assert 'value="choice_1" data-kind="choice"' in html
    mother = options[1]["value"]
    response = staff_client.post(f"{BASE}/{form.pk}/fields/{text}/", {
        "label_ja": "理由", "key": text, "show_if_field": "choice_1", "show_if_phrase": "is",
        "show_if_option": f"choice_1:{mother}", "require_if_field": ""})
    assert response.status_code == 302
    assert field_spec(form, text)["show_if"] == {"==": [{"var": "choice_1"}, mother]}


def test_an_option_of_another_field_is_refused(staff_client):
    form = create(staff_client)
    add_field(staff_client, form, "choice")
    add_field(staff_client, form, "select")
    text = add_field(staff_client, form, "text")
    response = staff_client.post(f"{BASE}/{form.pk}/fields/{text}/", {
        "label_ja": "理由", "key": text, "show_if_field": "choice_1", "show_if_phrase": "is",
        "show_if_option": "choice_2:yes"})
    assert response.status_code == 422
    assert "値は、「選んでください」の選択肢から選んでください。" in visible_text(response.content)
    assert "show_if" not in field_spec(form, text)


# --- the palette stays open -----------------------------------------------------------------------
def palette_open(html: str, page: str = "page_1") -> bool:
    tag = re.search(rf'<details class="builder-palette" id="palette-{page}"[^>]*>', html)
    assert tag, "no palette"
    return " open" in tag[0]


def test_after_adding_a_field_its_palette_is_open_again(staff_client):
    form = create(staff_client)
    key = add_field(staff_client, form, "text")
    page = staff_client.get(f"{BASE}/{form.pk}/fields/{key}/?added=1").content.decode()
    assert '<input type="hidden" name="added" value="1">' in page
    assert f'href="{BASE}/{form.pk}/?palette=page_1#field-{key}"' in page  # Cancel
    response = staff_client.post(f"{BASE}/{form.pk}/fields/{key}/",
                                 {"label_ja": "お名前", "key": key, "added": "1"})
    assert response["Location"] == f"{BASE}/{form.pk}/?palette=page_1#field-{key}"
    assert palette_open(staff_client.get(response["Location"]).content.decode())
    # Editing a field that was not just added leaves the palettes as they were.
    response = staff_client.post(f"{BASE}/{form.pk}/fields/{key}/",
                                 {"label_ja": "お名前", "key": key})
    assert response["Location"] == f"{BASE}/{form.pk}/#field-{key}"
    assert not palette_open(staff_client.get(response["Location"]).content.decode())


# --- the publish check ----------------------------------------------------------------------------
def test_the_publish_check_lists_what_residents_will_see_and_publishes_nothing(staff_client):
    form, _key = publishable_form(staff_client, label="好きな色")
    html = confirm_page(staff_client, form)
    text = visible_text(html)
    procedure = Procedure.objects.get(slug="jido-teate")
    for expected in ("公開する前に確認してください", "テスト申請", "Test", "好きな色",
                     "文字入力（1行）", "必須", procedure.name["ja"],
                     f"/procedures/{procedure.slug}/", "手続きナビのチェックリスト",
                     f"/apply/{form.slug}/", "第1版", "アカウントを持っている住民"):
        assert expected in text, expected
    assert checked_revision(html) == str(services.latest_revision_number(form))
    assert reload(form).live_version is None


def test_publish_needs_the_check_of_the_current_draft(staff_client, resident_client):
    form, key = publishable_form(staff_client)
    revision = checked_revision(confirm_page(staff_client, form))
    # Without the check: nothing is published, back to the check.
    response = staff_client.post(f"{BASE}/{form.pk}/publish/")
    assert response["Location"] == f"{BASE}/{form.pk}/publish/"
    # The draft changed after the check: nothing is published either.
    staff_client.post(f"{BASE}/{form.pk}/fields/{key}/", {"label_ja": "変えた", "key": key})
    response = staff_client.post(f"{BASE}/{form.pk}/publish/", {"revision": revision})
    assert response["Location"] == f"{BASE}/{form.pk}/publish/"
    assert reload(form).live_version is None
    assert resident_client.get(f"/apply/{form.slug}/").status_code == 404
    publish(staff_client, form)
    assert reload(form).live_version.definition["pages"][0]["fields"][0]["label"]["ja"] == "変えた"


def test_the_publish_check_offers_to_link_a_procedure_and_links_it(staff_client,
                                                                   resident_client):
    form = create(staff_client, "リンクしてから公開")
    key = add_field(staff_client, form, "text")
    staff_client.post(f"{BASE}/{form.pk}/fields/{key}/", {"label_ja": "名前", "key": key})
    html = confirm_page(staff_client, form)
    assert "まだどこにも出ません" in visible_text(html)
    daycare = Procedure.objects.get(slug="hoikusho")
    assert f'<option value="{daycare.pk}">' in html
    tsugaku = Procedure.objects.get(slug="tsugaku-hojo")  # already served by the demo's form
    assert re.search(rf'<option value="{tsugaku.pk}">[^<]*（フォーム「[^」]+」に代わります）', html)
    publish(staff_client, form, procedure=str(daycare.pk))
    assert reload(form).procedure_id == daycare.pk
    assert resident_client.get(f"/apply/{form.slug}/").status_code == 302
    assert f'href="/apply/{form.slug}/"' in resident_client.get(
        "/procedures/hoikusho/").content.decode()


def test_a_refused_publish_does_not_link_the_procedure(staff_client):
    form = create(staff_client, "壊れたフォーム")  # no fields: cannot be published
    definition = reload(form).draft
    definition["pages"][0]["fields"] = [{"key": "x", "type": "text"}]  # no label
    services.save_draft(form, definition, actor=None, summary="壊す")
    daycare = Procedure.objects.get(slug="hoikusho")
    response = staff_client.post(f"{BASE}/{form.pk}/publish/", {
        "revision": str(services.latest_revision_number(form)), "procedure": str(daycare.pk)})
    assert response["Location"] == f"{BASE}/{form.pk}/"
    assert reload(form).procedure_id is None and reload(form).live_version is None


def test_the_publish_check_refuses_another_departments_procedure(staff_client):
    form = create(staff_client)
    add_field(staff_client, form, "text")
    foreign = Procedure.objects.get(slug="juminhyo")  # 市民課
    revision = checked_revision(confirm_page(staff_client, form))
    response = staff_client.post(f"{BASE}/{form.pk}/publish/",
                                 {"revision": revision, "procedure": str(foreign.pk)})
    assert response["Location"] == f"{BASE}/{form.pk}/publish/"
    assert reload(form).procedure_id is None and reload(form).live_version is None


# --- English is never copied ----------------------------------------------------------------------
def test_an_empty_english_title_stays_empty_and_is_listed(staff_client, resident_client):
    response = staff_client.post(f"{BASE}/new/", {"title_ja": "英語なしの申請", "title_en": ""})
    form = FormDefinition.objects.get(pk=int(re.search(r"/(\d+)/$", response["Location"])[1]))
    assert form.draft["title"] == {"ja": "英語なしの申請"}
    editor = visible_text(staff_client.get(f"{BASE}/{form.pk}/").content)
    assert "英語がまだない文が1個あります" in editor and "フォームの題名" in editor
    settings = staff_client.get(f"{BASE}/{form.pk}/settings/").content.decode()
    assert 'name="title_en" value=""' in settings
    key = add_field(staff_client, form, "text")
    staff_client.post(f"{BASE}/{form.pk}/fields/{key}/",
                      {"label_ja": "お名前", "label_en": "", "key": key})
    assert field_spec(form, key)["label"] == {"ja": "お名前"}
    link_procedure(staff_client, form, title_ja="英語なしの申請", title_en="")
    assert reload(form).draft["title"] == {"ja": "英語なしの申請"}
    publish(staff_client, form)
    # Residents reading English see the Japanese title (the fallback), never a copy stored.
    resident_client.cookies["django_language"] = "en"
    page = resident_client.get(f"/apply/{form.slug}/page_1/").content.decode()
    assert '<html lang="en">' in page
    assert "英語なしの申請" in page


def test_english_left_at_the_palette_default_is_listed():
    definition, _summary, key = builder.add_field(builder.new_definition("題", "Title"),
                                                  "page_1", "text")
    with translation.override("ja"):
        assert builder_review.english_missing(definition) == []  # 新しい項目 / New field
        definition, _summary = builder.update_field(definition, key,
                                                    {"label": {"ja": "お名前", "en": "New field"}})
        assert builder_review.english_missing(definition) == [
            "質問「お名前」（英語が「New field」のままです）"]
        definition, _summary = builder.update_field(definition, key,
                                                    {"label": {"ja": "お名前", "en": "Name"}})
        # "Name" is another palette entry's starting English, but may well be right here.
        assert builder_review.english_missing(definition) == [
            "質問「お名前」（英語が「Name」のままです）"]
        definition, _summary = builder.update_field(definition, key,
                                                    {"label": {"ja": "お名前", "en": "Your name"}})
        assert builder_review.english_missing(definition) == []


def test_a_duplicate_of_a_form_without_english_has_no_english_title(staff_user, demo):
    form = services.create_form(department=staff_user.staff_profile.department,
                                definition=builder.new_definition("日本語だけ"), actor=staff_user)
    copy = services.duplicate(form, actor=staff_user)
    assert copy.draft["title"] == {"ja": "日本語だけ（コピー）"}


def test_the_builder_says_a_procedure_is_needed_and_which_form_it_would_replace(staff_client):
    form = create(staff_client)
    note = "住民がこのフォームを開けるのは、手続きが設定されているときだけです"
    assert note in visible_text(staff_client.get(f"{BASE}/{form.pk}/").content)
    settings = staff_client.get(f"{BASE}/{form.pk}/settings/").content.decode()
    tsugaku = Procedure.objects.get(slug="tsugaku-hojo")
    assert re.search(rf'<option value="{tsugaku.pk}">[^<]*（フォーム「[^」]+」に代わります）',
                     settings)
    link_procedure(staff_client, form)
    assert note not in visible_text(staff_client.get(f"{BASE}/{form.pk}/").content)
    settings = staff_client.get(f"{BASE}/{form.pk}/settings/").content.decode()
    assert "に代わります" not in re.search(r'<option value="\d+" selected>[^<]*', settings)[0]


def test_a_choice_is_listed_with_its_options_in_the_language_of_the_page():
    spec = builder.starting_spec("choice", "c")
    with translation.override("ja"):
        assert builder_review.field_details(spec) == ["選択肢：はい、いいえ"]
    with translation.override("en"):
        assert builder_review.field_details(spec) == ["Options: Yes, No"]
    many = {**spec, "options": [{"value": str(n), "label": {"ja": f"案{n}"}} for n in range(10)]}
    with translation.override("ja"):
        assert builder_review.field_details(many) == [
            "選択肢：案0、案1、案2、案3、案4、案5、案6、案7…"]


@pytest.mark.parametrize("posted", ["99999999999999999999", "١٢", "-1", "x"])
def test_an_odd_procedure_id_is_refused_with_a_message(staff_client, posted):
    form = create(staff_client)
    add_field(staff_client, form, "text")
    revision = checked_revision(confirm_page(staff_client, form))
    response = staff_client.post(f"{BASE}/{form.pk}/publish/",
                                 {"revision": revision, "procedure": posted}, follow=True)
    assert response.status_code == 200
    assert "自分の課の手続きを選んでください。" in visible_text(response.content)
    assert reload(form).live_version is None
    response = staff_client.post(f"{BASE}/{form.pk}/settings/", {
        "title_ja": "テスト申請", "access": "resident", "procedure": posted})
    assert response.status_code == 422
