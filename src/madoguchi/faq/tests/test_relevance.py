"""The chat answers only what was asked, and inquiries go where their own words point.

Real-style questions against the demo city's FAQ (the benchmark ``bench/faq_chat.py`` measures a
larger set of the same kind, ``bench/data/faq_questions.json``). These tests run on SQLite and on
PostgreSQL (DATABASE_URL): both must reach the same decisions.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from madoguchi.conftest import client_for, visible_text
from madoguchi.faq import relevance, selectors
from madoguchi.faq.models import ChatQuestion, FaqEntry, Inquiry
from madoguchi.faq.relevance import Analysis, Word, question_words
from madoguchi.staff.models import Department

pytestmark = pytest.mark.django_db

GENERAL = "general counter"
EV_CHARGER = "庁舎の駐車場に電気自動車の充電器はありますか"

# question, the FAQ entry (Japanese question) that must answer first or None, the department.
QUESTIONS = [
    (EV_CHARGER, None, GENERAL),
    ("Is there a charger for electric cars in the car park?", None, GENERAL),
    ("粗大ごみの回収を申し込みたい", None, GENERAL),
    ("犬の登録をしたい", None, GENERAL),
    ("図書館の開館時間", None, GENERAL),
    ("介護保険の認定の申請", None, "fukushi"),
    ("婚姻届はどこに出しますか", None, "shimin"),
    ("児童手当はいつ振り込まれるの", "児童手当はいつ振り込まれますか？", "kosodate"),
    ("住民票の写しを取りたい", "住民票の写しはどこで取れますか？手数料はいくらですか？", "shimin"),
    ("保育園の入所の申し込み期限", "保育園に入りたいです。いつまでに申し込めばいいですか？",
     "kosodate"),
    ("がん検診の料金", "がん検診の予約はいつまでに、いくらかかりますか？", "kenko"),
    ("課税証明書がほしい", "所得証明書（課税証明書）はどこで取れますか？", "zeimu"),
    ("就学援助の申請期限", "就学援助はいつまでに申請すればいいですか？", "gakko"),
    ("保健センターに駐車場はありますか", "保健センターはどこにありますか？", "kenko"),
]


def language(text: str) -> str:
    return "en" if text.isascii() else "ja"


@pytest.mark.parametrize(("text", "faq", "department"), QUESTIONS)
def test_real_style_questions_are_answered_and_routed(demo, text, faq, department):
    answer = selectors.chat_answer(text, language(text))
    if faq is None:
        assert answer.entries == [], [e.question["ja"] for e, _h in answer.entries]
        assert answer.general_counter == selectors.general_counter()
    else:
        assert answer.entries and answer.entries[0][0].question["ja"] == faq
        assert answer.relevance >= relevance.ANSWER_THRESHOLD
    routed = selectors.route(text)
    if department == GENERAL:
        assert routed is None and answer.department is None
    else:
        assert routed is not None and routed.code == department
        assert answer.department == routed


def test_the_ev_charger_question_is_not_answered_with_the_health_centre(client: Client, demo):
    response = client.get("/chat/", {"q": EV_CHARGER})
    text = visible_text(response.content)
    assert "お探しの答えが見つかりませんでした" in text
    assert "保健センターはどこにありますか" not in text
    assert "役に立たなかった" not in text
    general = selectors.general_counter()
    assert f"総合窓口の{general.name['ja']}" in text and general.phone in text
    assert f'href="tel:{general.phone}"' in response.content.decode()
    asked = ChatQuestion.objects.get(text=EV_CHARGER)
    assert asked.match_count == 0 and asked.best_entry is None
    # So staff see it among the questions the FAQ does not answer.
    assert any(r["question"].text == EV_CHARGER for r in selectors.unanswered_questions())


def test_a_question_without_an_answer_names_the_department_its_words_point_to(client, demo):
    text = visible_text(client.get("/chat/answers/", {"q": "介護保険の認定の申請"}).content)
    fukushi = Department.objects.get(code="fukushi")
    assert "お探しの答えが見つかりませんでした" in text
    assert f"電話で問い合わせる：{fukushi.name['ja']} {fukushi.phone}" in text
    assert "要介護・要支援認定" in text  # the procedure is still offered as a link


def test_not_helpful_routes_by_the_question_not_by_the_entry_it_was_matched_with(resident, demo):
    """A question recorded with a wrong best match (as before relevance was measured)."""
    health_centre = FaqEntry.objects.get(question__ja="保健センターはどこにありますか？")
    asked = ChatQuestion.objects.create(text=EV_CHARGER, folded="x", matched=[health_centre.pk],
                                        match_count=1, best_entry=health_centre)
    client = client_for(resident)
    page = client.get(f"/my/inquiries/new/?question={asked.public_id}").content.decode()
    assert re.search(r'value="unknown" checked', page)
    assert not re.search(r'value="kenko" checked', page)
    response = client.post("/my/inquiries/new/", {
        "question": str(asked.public_id), "department": "unknown",
        "subject": "充電器", "body": EV_CHARGER})
    assert response.status_code == 302
    inquiry = Inquiry.objects.get(chat_question=asked)
    assert inquiry.department == selectors.general_counter()


def test_an_inquiry_marked_i_dont_know_goes_where_its_words_point(resident, demo):
    client = client_for(resident)
    client.post("/my/inquiries/new/", {
        "department": "unknown", "subject": "保育園のこと",
        "body": "4月から保育園に入れたいのですが、申し込みの期限は？"})
    assert Inquiry.objects.get(subject="保育園のこと").department.code == "kosodate"
    typed = client.get("/my/inquiries/new/", {"q": "課税証明書を郵送で取りたい"}).content.decode()
    assert re.search(r'value="zeimu" checked', typed)


def test_the_general_counter_is_a_setting(resident, demo, settings, client: Client):
    zeimu = Department.objects.get(code="zeimu")
    settings.MADOGUCHI_GENERAL_COUNTER = "zeimu"
    assert selectors.general_counter() == zeimu
    text = visible_text(client.get("/chat/", {"q": EV_CHARGER}).content)
    assert f"総合窓口の{zeimu.name['ja']}" in text and zeimu.phone in text
    resident_client = client_for(resident)
    form = visible_text(resident_client.get("/my/inquiries/new/", {"q": EV_CHARGER}).content)
    assert f"総合窓口の{zeimu.name['ja']}から" in form
    resident_client.post("/my/inquiries/new/", {"department": "unknown", "subject": "EV",
                                                "body": EV_CHARGER})
    assert Inquiry.objects.get(subject="EV").department == zeimu
    settings.MADOGUCHI_GENERAL_COUNTER = "no-such-department"
    assert selectors.general_counter() == Department.objects.order_by("id").first()


def test_english_page_without_an_answer(client: Client, demo, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    text = visible_text(client.get("/chat/", {"q": "Where can I charge my electric car?"}).content)
    assert "We could not find the answer you are looking for." in text
    assert "Not sure whom to ask? The general counter" in text


@pytest.mark.parametrize("odd", ["", "\x00", "？？？", "ありますか", "%", "a" * 500, "手当 " * 100])
def test_odd_text_is_routed_safely(demo, odd):
    assert selectors.route(odd) is None or isinstance(selectors.route(odd), Department)
    assert isinstance(selectors.chat_answer(selectors.clean_query(odd)).entries, list)


# --- the measure itself (no database) ----------------------------------------------------------


@pytest.mark.parametrize(("text", "words"), [
    ("就学援助の申請期限はいつですか", ["就学援助", "申請", "期限"]),
    ("がん検診予約したい", ["検診", "予約"]),
    ("がん", ["がん"]),
    ("けんしんはどこ", ["けんしんはどこ"]),
    ("ありますか？", ["ありますか"]),
    ("？？？", []),
])
def test_question_words_split_off_aspects(text, words):
    assert question_words(text) == words


@pytest.mark.parametrize(("text", "verbs"), [
    ("犬を飼い始めました", {"飼い始"}),
    ("児童手当はいつ振り込まれますか", {"振り込"}),
    ("がん検診予約したい", {"予約"}),
    ("住民票をコンビニで取りたい", set()),
    ("保健センターの駐車場", set()),
])
def test_words_used_as_verbs_are_found(text, verbs):
    assert relevance.predicates(text) == verbs


def test_a_verb_weighs_less_than_the_subject(demo):
    from madoguchi.search.folding import fold

    analysis = relevance.analyse("犬を飼い始めました", kinds=["faq", "procedure"])
    weights = {w.text: w.weight for w in analysis.words}
    assert weights[fold("飼い始")] == pytest.approx(weights[fold("犬")] * relevance.ASPECT)


def word(text: str, weight: float, *, head=None, anywhere=None, stand_in=(), stand_in_anywhere=None
         ) -> Word:
    return Word(text=text, alternatives=(text,), weight=weight, head=head or {},
                anywhere=anywhere or {}, stand_in=stand_in, stand_in_anywhere=stand_in_anywhere)


def test_relevance_is_the_weighted_share_of_the_question_a_document_covers():
    analysis = Analysis(words=[
        word("駐車場", 3.0, head={2: 1}, anywhere={2: 1}),
        word("電気自動車", 5.0, stand_in=("自動車",), stand_in_anywhere={1: 1}),
        word("充電器", 5.0),
    ], documents=40)
    assert analysis.relevance("\n保健せんた\n駐車場\n", "") == pytest.approx(3 / 13)
    assert analysis.relevance("", "駐車場があります") == pytest.approx(1.5 / 13)
    assert analysis.relevance("駐車場", "自動車") == pytest.approx((3 + 5 * relevance.PARTIAL) / 13)
    assert analysis.relevance("駐車場 電気自動車 充電器", "") == 1.0
    assert analysis.ceiling() == pytest.approx((3 + 5 * relevance.PARTIAL) / 13)
    assert analysis.department() is None  # 2 covers 3/13, 1 covers 2.5/13
    assert [d for d, _share, _strength in analysis.departments()] == [2, 1]
    assert Analysis(words=[], documents=10).relevance("x", "y") == 0.0


def test_a_department_covers_the_words_of_all_its_documents():
    analysis = Analysis(words=[
        word("学童保育", 5.0, stand_in=("保育",), stand_in_anywhere={3: 4, 4: 1}),
        word("申し込", 1.0, head={3: 1, 5: 2}, anywhere={3: 2, 5: 2}),
    ], documents=40)
    assert analysis.departments()[0][0] == 3
    assert analysis.department() == 3  # (5 * 0.5 + 1) / 6
    ties = Analysis(words=[word("引っ越", 2.0, head={1: 5, 2: 1}, anywhere={1: 6, 2: 1})],
                    documents=40)
    assert ties.department() == 1  # same share: more documents win


def test_words_no_document_contains_are_left_out_of_the_search(demo):
    from madoguchi.faq.question import find

    analysis = relevance.analyse("学童保育の申し込みをしたい", kinds=["faq", "procedure"])
    assert analysis.replacements() == {"学童保育": "保育"}
    hits = find("学童保育の申し込みをしたい", kinds=["faq"], language="ja", limit=5,
                replace=analysis.replacements())
    entry = FaqEntry.objects.get(pk=int(hits[0].key))
    assert entry.question["ja"] == "保育園に入りたいです。いつまでに申し込めばいいですか？"
    dropped = find("電気自動車の補助金", kinds=["faq"], language="ja", limit=5,
                   replace={"電気自動車": ""})
    assert dropped and all("補助" in h.title for h in dropped)


def test_the_head_of_a_compound_is_a_kanji_ending():
    assert relevance._endings("電気自動車") == ["気自動車", "自動車", "動車"]
    assert relevance._endings("学童保育") == ["童保育", "保育"]
    assert relevance._endings("からす") == []  # カラス folded: no head inside a katakana word
    assert relevance._endings("ev") == []
