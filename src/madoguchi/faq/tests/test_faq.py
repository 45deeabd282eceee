"""FAQ, chat, inquiries: what residents and staff can do, and what they cannot."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from madoguchi.conftest import client_for, visible_text
from madoguchi.core.models import AuditEvent, MailboxMessage, User
from madoguchi.demo.accounts import DEMO_PASSWORD, DEMO_RESIDENT_EMAIL, staff_email
from madoguchi.faq import selectors, services
from madoguchi.faq.models import ChatQuestion, FaqEntry, Inquiry, InquiryMessage
from madoguchi.faq.question import content_words
from madoguchi.search.selectors import search
from madoguchi.staff.models import Department

pytestmark = pytest.mark.django_db


def staff(username: str) -> User:
    return User.objects.get(email=staff_email(username))


def dept(code: str) -> Department:
    return Department.objects.get(code=code)


def question_id(response) -> str:
    match = re.search(r'name="question" value="([0-9a-f-]{36})"', response.content.decode())
    assert match, "no feedback form on the page"
    return match[1]


# --- Query words -------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "words"), [
    ("児童手当はいつもらえますか", ["児童手当"]),
    ("住民票をコンビニで取りたい", ["住民票", "コンビニ"]),
    ("引っ越しの手続きを知りたい", ["引っ越", "手続"]),
    ("When is the child allowance paid?", ["child", "allowance", "paid"]),
    ("？？？", []),
    ("犬を飼い始めました", ["犬", "飼い始"]),
    ("国保に入る手続きは", ["国保", "手続"]),
    ("取りたい", []),
    ("税", ["税"]),
])
def test_content_words(text, words):
    assert content_words(text) == words


# --- Demo data and the index -------------------------------------------------------------------


def test_demo_faq_is_published_and_indexed(demo):
    entries = FaqEntry.objects.filter(is_published=True)
    assert entries.count() >= 30
    assert set(entries.values_list("department__code", flat=True)) == {
        "shimin", "kosodate", "kenko", "gakko", "fukushi", "zeimu"}
    hits = search("印鑑登録", kinds=["faq"])
    assert hits and all(h.kind == "faq" for h in hits)


def test_demo_loader_is_idempotent(demo):
    from madoguchi.demo.faq import load_demo

    before = (FaqEntry.objects.count(), Inquiry.objects.count(), ChatQuestion.objects.count())
    load_demo()
    assert (FaqEntry.objects.count(), Inquiry.objects.count(),
            ChatQuestion.objects.count()) == before


def test_chat_answer_finds_the_department_from_a_sentence(demo):
    answer = selectors.chat_answer("児童手当はいつもらえますか", "ja")
    assert answer.entries
    assert answer.entries[0][0].department.code == "kosodate"
    assert answer.department.code == "kosodate"
    assert any("児童手当" in h.title for h in answer.procedures)


def test_english_question_finds_english_answer(demo):
    answer = selectors.chat_answer("When is the child allowance paid?", "en")
    assert answer.entries
    assert answer.entries[0][0].question["en"] == "When is the child allowance paid?"


# --- Resident chat -----------------------------------------------------------------------------


def test_chat_page_without_javascript_shows_answers_and_feedback(client: Client, demo):
    response = client.get("/chat/", {"q": "印鑑登録に必要なもの"})
    assert response.status_code == 200
    text = visible_text(response.content)
    assert "印鑑登録をするには何が必要ですか" in text
    assert "役に立った" in text and "役に立たなかった" in text
    asked = ChatQuestion.objects.get(public_id=question_id(response))
    assert asked.text == "印鑑登録に必要なもの"
    assert asked.match_count >= 1 and asked.best_entry.department.code == "shimin"
    # No personal data: the model has no link to a user.
    assert not [f for f in ChatQuestion._meta.fields if f.related_model is User]


def test_chat_fragment_is_only_the_answers(client: Client, demo):
    response = client.get("/chat/answers/", {"q": "保育園"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body and "chat-answer" in body


@pytest.mark.parametrize("odd", [
    "\x00", "%", "_", '"', "' OR 1=1 --", "<script>alert(1)</script>", "あ" * 5000, "　", "?",
    "NEAR(a b)", "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
])
def test_chat_never_fails_on_odd_input(client: Client, demo, odd):
    for path in ("/chat/", "/chat/answers/"):
        response = client.get(path, {"q": odd})
        assert response.status_code == 200, (path, odd)
        assert "<script>alert(1)</script>" not in response.content.decode()


def test_empty_question_records_nothing(client: Client, demo):
    before = ChatQuestion.objects.count()
    for blank in ("   ", "\x00", "　\n"):
        assert client.get("/chat/", {"q": blank}).status_code == 200
        assert client.get("/chat/answers/", {"q": blank}).status_code == 200
    assert client.get("/chat/").status_code == 200
    assert ChatQuestion.objects.count() == before


@pytest.mark.parametrize("path", ["/faq/0/", "/faq/99999999999999999999999/",
                                  "/faq/9223372036854775808/"])
def test_unknown_entries_are_404(client: Client, demo, path):
    assert client.get(path).status_code == 404
    assert client_for(staff("kenko1")).get("/staff" + path).status_code == 404


def test_helpful_is_recorded(client: Client, demo):
    qid = question_id(client.get("/chat/", {"q": "住民票の写し"}))
    response = client.post("/chat/feedback/", {"question": qid, "helpful": "yes"})
    assert response.status_code == 302
    assert ChatQuestion.objects.get(public_id=qid).helpful is True


def test_not_helpful_leads_to_the_inquiry_form_through_sign_in(client: Client, demo):
    qid = question_id(client.get("/chat/", {"q": "児童手当はいつもらえますか"}))
    response = client.post("/chat/feedback/", {"question": qid, "helpful": "no"})
    assert response.status_code == 302
    assert ChatQuestion.objects.get(public_id=qid).helpful is False
    form_url = response["Location"]
    assert form_url.startswith("/my/inquiries/new/?question=")
    # Not signed in: the sign-in page, which comes back with the question.
    login = client.get(form_url)
    assert login.status_code == 302
    next_url = parse_qs(urlsplit(login["Location"]).query)["next"][0]
    assert next_url == form_url
    back = client.post("/account/login/", {"email": DEMO_RESIDENT_EMAIL,
                                           "password": DEMO_PASSWORD, "next": next_url})
    assert back.status_code == 302 and back["Location"] == form_url
    page = client.get(form_url)
    html = page.content.decode()
    assert "児童手当はいつもらえますか" in html
    assert re.search(r'value="kosodate" checked', html), "best match's department pre-selected"


@pytest.mark.parametrize("data", [
    {"question": "not-a-uuid", "helpful": "no"},
    {"question": "00000000-0000-0000-0000-000000000000", "helpful": "yes"},
    {"helpful": "maybe"},
])
def test_bad_feedback_is_refused_gently(client: Client, demo, data):
    response = client.post("/chat/feedback/", data)
    assert response.status_code == 302 and response["Location"] == "/chat/"


# --- Resident inquiries ------------------------------------------------------------------------


def test_resident_sends_an_inquiry_and_unknown_goes_to_shimin(resident, demo):
    client = client_for(resident)
    response = client.post("/my/inquiries/new/", {
        "department": "unknown", "subject": "ごみの出し方", "body": "粗大ごみの出し方を教えて\x00"})
    assert response.status_code == 302
    inquiry = Inquiry.objects.get(subject="ごみの出し方")
    assert inquiry.department.code == "shimin" and inquiry.status == "open"
    assert inquiry.messages.get().body == "粗大ごみの出し方を教えて"
    assert response["Location"] == f"/my/inquiries/{inquiry.public_id}/"
    listing = client.get("/my/inquiries/")
    assert "ごみの出し方" in visible_text(listing.content)


def test_inquiry_form_errors_are_explained(resident, demo):
    client = client_for(resident)
    response = client.post("/my/inquiries/new/", {"department": "nowhere", "subject": "",
                                                   "body": "x" * 5000})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>エラー：" in html
    assert 'class="error-summary"' in html
    for message in ("課を選ぶか", "件名を入力してください", "文字以内"):
        assert message in visible_text(html), message
    assert not Inquiry.objects.filter(resident=resident, subject="").exists()


def test_staff_account_cannot_use_resident_inquiry_pages(demo):
    client = client_for(staff("kosodate1"))
    assert client.get("/my/inquiries/").status_code == 403


def test_other_resident_sees_404(resident, other_resident, demo):
    inquiry = services.open_inquiry(resident=resident, department=dept("zeimu"),
                                    subject="納付書", body="なくしました")
    other = client_for(other_resident)
    assert other.get(f"/my/inquiries/{inquiry.public_id}/").status_code == 404
    assert other.post(f"/my/inquiries/{inquiry.public_id}/", {"body": "x"}).status_code == 404
    assert other.post(f"/my/inquiries/{inquiry.public_id}/close/").status_code == 404
    assert client_for(resident).get(f"/my/inquiries/{inquiry.public_id}/").status_code == 200


# --- Staff inquiries ---------------------------------------------------------------------------


@pytest.fixture
def inquiry(resident, demo) -> Inquiry:
    return services.open_inquiry(resident=resident, department=dept("kosodate"),
                                 subject="児童手当の口座", body="口座を変えたいです")


def test_staff_answer_notifies_resident_with_link(inquiry, resident,
                                                  django_capture_on_commit_callbacks):
    clerk = client_for(staff("kosodate1"))
    page = clerk.get(f"/staff/faq/inquiries/{inquiry.public_id}/")
    assert page.status_code == 200 and "口座を変えたいです" in visible_text(page.content)
    assert AuditEvent.objects.filter(action="inquiry.view.staff",
                                     target_id=str(inquiry.public_id)).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = clerk.post(f"/staff/faq/inquiries/{inquiry.public_id}/reply/",
                              {"body": "口座変更届を出してください。"})
    assert response.status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.status == "answered"
    mail = MailboxMessage.objects.get(to=resident.email)
    assert f"/my/inquiries/{inquiry.public_id}/" in mail.body
    assert "口座変更届" not in mail.body  # the answer is read after signing in
    assert AuditEvent.objects.filter(action="inquiry.reply.staff").exists()
    thread = client_for(resident).get(f"/my/inquiries/{inquiry.public_id}/")
    assert "口座変更届を出してください。" in visible_text(thread.content)


def test_resident_reply_reopens_and_close_stops_replies(inquiry, resident):
    services.staff_reply(inquiry, author=staff("kosodate1"), body="回答です")
    client = client_for(resident)
    assert client.post(f"/my/inquiries/{inquiry.public_id}/", {"body": "追加の質問"}
                       ).status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.status == "open"
    assert client.post(f"/my/inquiries/{inquiry.public_id}/", {"body": " "}).status_code == 200
    client.post(f"/my/inquiries/{inquiry.public_id}/close/")
    inquiry.refresh_from_db()
    assert inquiry.status == "closed"
    count = inquiry.messages.count()
    client.post(f"/my/inquiries/{inquiry.public_id}/", {"body": "まだあります"})
    clerk = client_for(staff("kosodate1"))
    clerk.post(f"/staff/faq/inquiries/{inquiry.public_id}/reply/", {"body": "閉じた後"})
    assert inquiry.messages.count() == count


def test_other_department_gets_404_and_dx_403(inquiry):
    other = client_for(staff("zeimu1"))
    for path in ("", "reply/", "close/", "forward/"):
        url = f"/staff/faq/inquiries/{inquiry.public_id}/{path}"
        response = other.post(url, {"body": "x"}) if path else other.get(url)
        assert response.status_code == 404, path
    assert inquiry.public_id not in [i.public_id for i in Inquiry.objects.filter(
        department__code="zeimu")]
    dx = client_for(staff("dx1"))
    assert dx.get("/staff/faq/inquiries/").status_code == 403
    assert dx.get("/staff/faq/").status_code == 403
    assert Client().get("/staff/faq/inquiries/").status_code == 302


def test_inbox_lists_own_department_and_is_audited(inquiry):
    clerk = client_for(staff("kosodate1"))
    response = clerk.get("/staff/faq/inquiries/", {"status": "open"})
    assert "児童手当の口座" in visible_text(response.content)
    assert AuditEvent.objects.filter(action="inquiry.list.staff").exists()
    assert "児童手当の口座" not in visible_text(
        client_for(staff("zeimu1")).get("/staff/faq/inquiries/").content)
    assert clerk.get("/staff/faq/inquiries/", {"status": "<x>", "page": "abc"}).status_code == 200


def test_forward_moves_the_inquiry(inquiry):
    clerk = client_for(staff("kosodate1"))
    assert clerk.post(f"/staff/faq/inquiries/{inquiry.public_id}/forward/",
                      {"department": "nowhere"}).status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.department.code == "kosodate"
    clerk.post(f"/staff/faq/inquiries/{inquiry.public_id}/forward/", {"department": "gakko"})
    inquiry.refresh_from_db()
    assert inquiry.department.code == "gakko"
    assert clerk.get(f"/staff/faq/inquiries/{inquiry.public_id}/").status_code == 404


def test_messages_are_append_only(inquiry):
    message = inquiry.messages.get()
    message.body = "changed"
    with pytest.raises(ValueError):
        message.save()
    with pytest.raises(ValueError):
        message.delete()
    with pytest.raises(ValueError):
        InquiryMessage.objects.filter(pk=message.pk).update(body="x")


# --- Staff FAQ ---------------------------------------------------------------------------------


def test_staff_publishes_and_withdraws_an_entry(demo):
    clerk = client_for(staff("kenko1"))
    response = clerk.post("/staff/faq/new/", {
        "question_ja": "インフルエンザ予防接種の助成はありますか",
        "answer_ja": "65歳以上の方は助成があります。",
        "question_en": "", "answer_en": "", "keywords": "予防接種、ワクチン", "procedure": "",
        "sort": "5", "is_published": "on"})
    assert response.status_code == 302
    entry = FaqEntry.objects.get(question__ja="インフルエンザ予防接種の助成はありますか")
    assert entry.department.code == "kenko" and entry.keywords == ["予防接種", "ワクチン"]
    assert [h.key for h in search("ワクチン", kinds=["faq"])] == [str(entry.pk)]
    clerk.post(f"/staff/faq/{entry.pk}/", {
        "question_ja": entry.question["ja"], "answer_ja": "", "sort": "5"})
    entry.refresh_from_db()
    assert not entry.is_published
    assert search("ワクチン", kinds=["faq"]) == []
    assert Client().get(f"/faq/{entry.pk}/").status_code == 404
    clerk.post(f"/staff/faq/{entry.pk}/delete/")
    assert not FaqEntry.objects.filter(pk=entry.pk).exists()
    assert AuditEvent.objects.filter(action="faq.delete", target_id=str(entry.pk)).exists()


def test_publishing_needs_an_answer(demo):
    response = client_for(staff("kenko1")).post("/staff/faq/new/", {
        "question_ja": "質問\x00だけ", "answer_ja": "", "sort": "abc", "is_published": "on"})
    assert response.status_code == 200
    text = visible_text(response.content)
    assert "公開する前に" in text and "0から9999" in text


def test_other_departments_entry_is_404(demo):
    entry = FaqEntry.objects.filter(department__code="zeimu").first()
    clerk = client_for(staff("kenko1"))
    assert clerk.get(f"/staff/faq/{entry.pk}/").status_code == 404
    assert clerk.post(f"/staff/faq/{entry.pk}/delete/").status_code == 404
    assert FaqEntry.objects.filter(pk=entry.pk).exists()
    listing = visible_text(clerk.get("/staff/faq/").content)
    assert entry.question["ja"] not in listing
    assert "保健センターはどこにありますか" in listing


# --- Unanswered questions ----------------------------------------------------------------------


def test_unanswered_are_grouped_and_become_drafts(client: Client, demo):
    for text in ("ペットの火葬はできますか", "ペットの 火葬は できますか？",
                 "ﾍﾟｯﾄの火葬はできますか"):
        client.get("/chat/", {"q": text})
    qid = question_id(client.get("/chat/", {"q": "住民票の写し"}))
    client.post("/chat/feedback/", {"question": qid, "helpful": "no"})
    rows = selectors.unanswered_questions()
    pet = [r for r in rows if "火葬" in r["question"].text]
    assert len(pet) == 1 and pet[0]["n"] == 3
    assert any(r["question"].text == "住民票の写し" and r["not_helpful"] == 1 for r in rows)
    clerk = client_for(staff("shimin1"))
    page = clerk.get("/staff/faq/unanswered/")
    assert "FAQ にする" in visible_text(page.content)
    response = clerk.post(f"/staff/faq/unanswered/{pet[0]['question'].public_id}/draft/")
    entry = FaqEntry.objects.get(question__ja=pet[0]["question"].text)
    assert response["Location"] == f"/staff/faq/{entry.pk}/"
    assert entry.department.code == "shimin" and not entry.is_published
    assert not [r for r in selectors.unanswered_questions() if "火葬" in r["question"].text]
    assert clerk.post("/staff/faq/unanswered/00000000-0000-0000-0000-000000000000/draft/"
                      ).status_code == 302


# --- The panel on every resident page ----------------------------------------------------------


def test_chat_panel_on_resident_pages_only(client: Client, demo):
    home = client.get("/").content.decode()
    assert 'data-chat-form' in home and 'action="/chat/"' in home
    assert "faq/chat.js" in home
    assert "data-chat-form" not in client.get("/chat/").content.decode()
    staff_page = client_for(staff("kosodate1")).get("/staff/faq/").content.decode()
    assert "data-chat-form" not in staff_page


def test_english_pages(client: Client, demo, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/chat/", {"q": "How do I register my seal?"})
    assert response.status_code == 200
    text = visible_text(response.content)
    assert "What do I need to register my seal (印鑑登録)?" in text
    assert "It did not help" in text
    assert ChatQuestion.objects.filter(language="en").exists()
    index = visible_text(client.get("/faq/").content)
    assert "Taxation Department" in index and "Where is the Health Centre?" in index


def test_a_question_asked_in_vietnamese_is_kept_as_vietnamese(client: Client, demo, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    response = client.get("/chat/", {"q": "Trợ cấp nuôi con 児童手当"})
    assert response.status_code == 200
    question = ChatQuestion.objects.get(language="vi")
    staff = User.objects.get(email=staff_email("kosodate1"))
    entry = services.draft_from_question(question, department=Department.objects.get(
        code="kosodate"), actor=staff)
    assert entry.question["vi"] == question.text == entry.question["ja"]


# --- Abuse limits --------------------------------------------------------------------------------


@pytest.fixture
def tight_limits(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "chat": "2/0/60", "inquiry": "5/1/3600"}


def test_chat_questions_are_limited_per_client_address(client: Client, demo, tight_limits):
    before = ChatQuestion.objects.count()
    assert client.get("/chat/").status_code == 200  # an empty chat page costs nothing, not counted
    statuses = [client.get("/chat/", {"q": "ごみ"}).status_code for _ in range(2)]
    response = client.get("/chat/", {"q": "ごみ"})
    assert statuses == [200, 200] and response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert "短い間に多くの質問" in visible_text(response.content)
    fragment = client.get("/chat/answers/", {"q": "ごみ"})
    assert fragment.status_code == 429 and "<html" not in fragment.content.decode()
    assert ChatQuestion.objects.count() - before == 2  # refused questions are not recorded


def test_inquiries_and_replies_are_limited_per_resident(resident, demo, tight_limits):
    client = client_for(resident)
    data = {"department": "unknown", "subject": "ごみの出し方の制限", "body": "教えてください"}
    assert client.post("/my/inquiries/new/", data).status_code == 302
    response = client.post("/my/inquiries/new/", data)
    assert response.status_code == 429 and int(response["Retry-After"]) > 3500
    assert "短い間に多くのメッセージ" in visible_text(response.content)
    inquiry = Inquiry.objects.get(subject="ごみの出し方の制限")
    reply = client.post(f"/my/inquiries/{inquiry.public_id}/", {"body": "追記です"})
    assert reply.status_code == 429
    assert inquiry.messages.count() == 1
