"""The navigator's resident pages: events, questions, the checklist, sharing and printing."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from madoguchi.catalog.models import LifeEvent, NavigatorRule, Procedure
from madoguchi.conftest import visible_text

NINE_EVENTS = {"birth", "pregnancy", "move_in", "move_out", "move_within", "school", "marriage",
               "death", "care"}
BIRTH = {"date": "R8.12.1", "born_abroad": "no", "kokuho": "yes", "daycare": "no"}


@pytest.fixture
def today(monkeypatch):
    """Freeze the navigator's "today" (JST) at 4 December 2026."""
    def set_today(day: dt.date = dt.date(2026, 12, 4)) -> dt.date:
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)
        return day

    set_today()
    return set_today


def checklist(client, event: str, params: dict) -> str:
    response = client.get(f"/navi/{event}/checklist/", params, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def item_titles(html: str) -> list[str]:
    import re

    return re.findall(r'<h2 class="navi-item__title">\d+\. ([^<]+)</h2>', html)


def test_demo_has_all_nine_life_events_with_rules(demo):
    events = {e.slug: e for e in LifeEvent.objects.prefetch_related("rules__procedure")}
    assert set(events) >= NINE_EVENTS
    for slug in NINE_EVENTS:
        rules = list(events[slug].rules.all())
        assert rules, slug
        for rule in rules:
            assert rule.why.get("ja") and rule.why.get("en"), (slug, rule.procedure.slug)
            assert rule.procedure.counter_id, rule.procedure.slug


@pytest.mark.parametrize("slug", ["shibo", "konin", "kokuho-dattai", "kaigo-nintei", "shugaku",
                                  "sosaihi", "shussei", "tenshutsu", "tenkyo", "kokuho-kanyu"])
def test_demo_has_the_procedures_the_events_need(demo, slug):
    assert Procedure.objects.filter(slug=slug).exists()


def test_home_lists_the_events(client, demo):
    html = client.get("/navi/").content.decode()
    for slug in NINE_EVENTS:
        assert f'href="/navi/{slug}/"' in html


def test_unpublished_and_unknown_events_are_not_found(client, demo):
    LifeEvent.objects.filter(slug="care").update(is_published=False)
    assert client.get("/navi/care/").status_code == 404
    assert client.get("/navi/care/checklist/", {"date": "2026-12-01"}).status_code == 404
    assert client.get("/navi/no-such-event/").status_code == 404
    assert 'href="/navi/care/"' not in client.get("/navi/").content.decode()


def test_birth_checklist(client, demo, today):
    html = checklist(client, "birth", BIRTH)
    titles = item_titles(html)
    assert titles == ["出生届", "国民健康保険の加入", "児童手当の認定請求",
                      "子ども医療費助成の申請"]
    text = visible_text(html)
    # 出生届: the day of birth counted, 14 December; 転入-style counting would say the 15th.
    assert "令和8年12月14日（2026年12月14日）" in text
    assert "国民健康保険の加入" in text and "令和8年12月15日（2026年12月15日）" in text
    assert "令和8年12月16日（2026年12月16日）" in text  # 児童手当 15日特例
    assert "令和8年12月31日（2026年12月31日）" in text  # 子ども医療費, the city's 30 days
    # Each item: why, counter, floor, hours, documents, fee.
    assert "赤ちゃんが生まれたら、必ず届け出ます。" in text
    assert "市民課 住民記録窓口" in text and "1番窓口" in text and "本庁舎 1階" in text
    assert "8時30分〜17時15分" in text
    assert "母子健康手帳" in text and "無料" in text
    # Only the procedure with a live form gets an apply button.
    assert 'href="/apply/kodomo-iryohi/"' in html
    assert html.count('href="/apply/') == 1
    assert 'href="/procedures/shussei/"' in html
    # Not needed from the answers: daycare, listed after the checklist with a link.
    assert "保育所等の入所申込み" not in titles
    assert html.index('href="/procedures/hoikusho/"') > html.index('id="item-4"')


def test_answers_change_the_checklist(client, demo, today):
    html = checklist(client, "birth", {**BIRTH, "kokuho": "no", "daycare": "yes"})
    titles = item_titles(html)
    assert "国民健康保険の加入" not in titles
    assert "保育所等の入所申込み" in titles


def test_birth_abroad_has_three_months(client, demo, today):
    html = checklist(client, "birth", {**BIRTH, "date": "2026-11-30", "born_abroad": "yes"})
    # 3 months with the day of birth counted end on Sunday 28 February → Monday 1 March.
    assert "令和9年3月1日（2027年3月1日）" in visible_text(html)
    assert "令和9年2月28日（2027年2月28日）" in visible_text(html)  # said why it moved


@pytest.mark.parametrize("typed", ["R8.12.1", "令和8年12月1日", "2026-12-01", "2026/12/1",
                                   "ｒ８．１２．１", "令和８年（２０２６年）１２月１日",
                                   "20261201"])
def test_dates_in_any_form(client, demo, today, typed):
    html = checklist(client, "birth", {**BIRTH, "date": typed})
    assert "令和8年12月14日（2026年12月14日）" in visible_text(html)


def test_moving_in_with_and_without_children(client, demo, today):
    params = {"date": "2026-12-01", "children": "２", "school_children": "yes", "kokuho": "no"}
    titles = item_titles(checklist(client, "move_in", params))
    assert titles[:2] == ["転入届", "児童手当の認定請求"]
    assert {"子ども医療費助成の申請", "小・中学校の入学・転校の手続き", "印鑑登録"} <= set(titles)
    assert "国民健康保険の加入" not in titles
    html = checklist(client, "move_in", {**params, "children": "0", "school_children": "no"})
    assert item_titles(html) == ["転入届", "印鑑登録"]
    # 転入: the day of moving not counted (民法140条): 15 December.
    assert "令和8年12月15日（2026年12月15日）" in visible_text(html)


def test_moving_out_is_before_the_move(client, demo, today):
    text = visible_text(checklist(client, "move_out", {"date": "2026-12-07", "kokuho": "yes"}))
    assert "令和8年12月7日（2026年12月7日）" in text  # before the moving day
    assert "令和8年12月4日（2026年12月4日）" in text  # the last open day before it (Friday)
    assert "令和8年11月23日（2026年11月23日）" in text  # accepted from 14 days before
    # Today (Friday 4 December) is the last day the counter is open before the move.
    assert "今日が、それまでに窓口が開いている最後の日です。" in text


def test_today_and_overdue(client, demo, today):
    today(dt.date(2026, 12, 14))
    html = checklist(client, "birth", BIRTH)
    assert "navi-status--today" in html
    today(dt.date(2026, 12, 4))
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    text = visible_text(checklist(client, "birth", BIRTH))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja"
    assert "10 days left; the last day is a Monday." in text
    assert "By 14 December 2026" in text
    today(dt.date(2026, 12, 14))
    today(dt.date(2026, 12, 20))
    html = checklist(client, "birth", BIRTH)
    assert html.count("navi-status--overdue") == 3  # 出生届, 国保 and 児童手当 have passed
    assert "navi-status--open" in html  # 子ども医療費 (31 December) has not


def test_every_event_gives_a_checklist(client, demo, today):
    for event in LifeEvent.objects.prefetch_related("questions"):
        params = {"date": "2026-12-01"}
        for q in event.questions.all():
            params[q.key] = "yes" if q.kind == "yes_no" else "1"
        html = checklist(client, event.slug, params)
        assert item_titles(html), event.slug


@pytest.mark.parametrize(("params", "message"), [
    ({"date": "R8.2.30"}, "令和8年2月30日は存在しません"),
    ({"date": "H31.5.1"}, "平成は平成31年4月30日までです"),
    ({"date": ""}, "日付を「令和8年12月1日」または「2026-12-01」の形で入力してください"),
    ({"date": "yesterday"}, "日付を「2026年11月23日」または「令和8年11月23日」の形で"),
    ({"date": "1900-01-01"}, "までの日付を入力してください"),
])
def test_bad_dates_come_back_with_a_message(client, demo, today, params, message):
    response = client.get("/navi/birth/checklist/", {**BIRTH, **params})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="error-summary"' in html and 'href="#navi-date"' in html
    assert message in html
    assert 'aria-invalid="true"' in html
    title = html.split("<title>")[1].split("</title>")[0]
    assert title.startswith(("Error", "エラー"))


def test_missing_and_wrong_answers(client, demo, today):
    html = client.get("/navi/move_in/checklist/", {
        "date": "2026-12-01", "children": "many", "kokuho": "perhaps"}).content.decode()
    assert 'href="#navi-children"' in html and 'href="#navi-kokuho"' in html
    assert 'href="#navi-school_children"' in html
    assert 'value="many"' in html  # what was typed stays
    html = client.get("/navi/move_in/checklist/",
                      {"date": "2026-12-01", "children": "99", "kokuho": "no",
                       "school_children": "no"}).content.decode()
    assert "0" in html and "20" in html and 'href="#navi-children"' in html


@pytest.mark.parametrize("value", ["x" * 5000, "\x00", "%00", "<script>", "１２３４５６７８９"])
def test_odd_input_never_fails(client, demo, today, value):
    for path in ("/navi/birth/", "/navi/birth/checklist/", "/navi/birth/checklist/print/"):
        response = client.get(path, {"date": value, "kokuho": value, "born_abroad": value,
                                     "daycare": value})
        assert response.status_code == 200, path
        assert "<script>" not in response.content.decode().split("</head>")[1]


def test_share_link_holds_only_the_answers_and_nothing_is_stored(client, demo, today):
    from django.apps import apps

    before = {m: m.objects.count() for m in apps.get_models()}
    response = client.get("/navi/birth/checklist/", {**BIRTH, "date": "令和8年12月1日",
                                                      "utm_source": "x", "name": "山田"},
                          follow=True)
    after = {m: m.objects.count() for m in apps.get_models()}
    # The address itself becomes the share link: ISO date, the event's answers, nothing else.
    assert response.redirect_chain == [
        ("/navi/birth/checklist/?date=2026-12-01&born_abroad=no&kokuho=yes&daycare=no", 302)]
    assert before == after
    assert "sessionid" not in response.cookies
    assert response["Cache-Control"] == "private, no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    html = response.content.decode()
    start = html.index('id="navi-share-url" value="') + len('id="navi-share-url" value="')
    url = html[start:html.index('"', start)].replace("&amp;", "&")
    query = parse_qs(urlsplit(url).query)
    assert urlsplit(url).path == "/navi/birth/checklist/"
    assert query == {"date": ["2026-12-01"], "born_abroad": ["no"], "kokuho": ["yes"],
                     "daycare": ["no"]}
    # The link gives the same checklist.
    again = client.get(url)
    assert item_titles(again.content.decode()) == item_titles(html)


def test_print_view(client, demo, today):
    response = client.get("/navi/birth/checklist/print/", BIRTH, follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert "site-nav" not in html and "site-header" not in html
    assert item_titles(html) == item_titles(checklist(client, "birth", BIRTH))
    text = visible_text(html)
    for fact in ("令和8年12月14日（2026年12月14日）", "母子健康手帳", "本庁舎 1階",
                 "8時30分〜17時15分", "/navi/birth/checklist/?date=2026-12-01"):
        assert fact in text
    assert "http://testserver/apply/kodomo-iryohi/" in text  # the online address on paper
    assert "<script>" not in html and "style=" not in html


def test_questions_page_keeps_answers_for_changing(client, demo, today):
    html = client.get("/navi/birth/", {"date": "2026-12-01", "kokuho": "yes"}).content.decode()
    assert 'value="2026-12-01"' in html
    assert 'name="kokuho" value="yes" checked' in html


def test_a_staff_rule_changes_what_residents_see(client, demo, today):
    rule = NavigatorRule.objects.get(event__slug="birth", procedure__slug="shussei",
                                     condition={"==": [{"var": "born_abroad"}, "no"]})
    rule.deadline_amount = 10
    rule.save()
    assert "令和8年12月10日（2026年12月10日）" in visible_text(checklist(client, "birth", BIRTH))
