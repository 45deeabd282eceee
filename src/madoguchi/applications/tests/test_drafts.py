"""Drafts: saved after every page, resumed from the my page or an e-mailed link, sensitive
answers sealed; and forms anyone may use without an account."""

from __future__ import annotations

import json
import re
import time
import uuid
from types import SimpleNamespace
from unittest import mock

import pytest
from django.conf import settings
from django.core import signing
from django.db import connection
from django.test import Client
from django.utils import timezone

from madoguchi.applications import drafts
from madoguchi.applications.models import Application, Draft
from madoguchi.catalog.models import Procedure
from madoguchi.conftest import (
    ACCOUNT_HOLDER,
    ACCOUNT_NUMBER,
    DEMO_PASSWORD,
    DEMO_RESIDENT_EMAIL,
    FORM_SLUG,
    TOKEN_RE,
    VALID_POST,
    draft_of,
    fill_wizard,
    page_url,
    visible_text,
)
from madoguchi.core.models import MailboxMessage
from madoguchi.forms import services as form_services
from madoguchi.forms.models import FormDefinition
from madoguchi.staff.models import Department

MY_PAGE = "/my/"


def draft_row(model: Draft) -> str:
    """Every column of a draft's row as the database stores it."""
    table = connection.ops.quote_name(Draft._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [model.pk])  # noqa: S608
        row = cursor.fetchone()
    return "\n".join(str(value) for value in row)


def stored_forms(text: str) -> list[str]:
    """``text`` as it may appear in a stored row: as is, and JSON-escaped."""
    return [text, json.dumps(text)[1:-1], json.dumps(text, ensure_ascii=False)[1:-1]]


def sign_in(client: Client) -> None:
    response = client.post("/account/login/", {"email": DEMO_RESIDENT_EMAIL,
                                               "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.status_code
    assert "_auth_user_id" in client.session


# --- a signed-in resident's draft ---------------------------------------------------------------
def test_the_draft_is_stored_in_the_database_after_each_page(resident_client, resident):
    assert Draft.objects.count() == 0
    fill_wizard(resident_client, ["applicant"])
    model = Draft.objects.get()
    assert model.owner == resident
    assert model.form.slug == FORM_SLUG
    assert model.done_pages == ["applicant"]
    assert model.expires_at > timezone.now()
    fill_wizard(resident_client, ["student"])
    model = Draft.objects.get()
    assert model.done_pages == ["applicant", "student"]
    assert model.answers["school_name"] == "緑ヶ丘県立緑ヶ丘高等学校"
    assert model.raw["student_birth_date"] == "平成21年4月2日"


def test_the_draft_is_listed_on_the_my_page(resident_client):
    fill_wizard(resident_client, ["applicant", "student"])
    model = Draft.objects.get()
    response = resident_client.get(MY_PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="/apply/{FORM_SLUG}/"' in html
    assert f'action="/my/drafts/{model.public_id}/delete/"' in html
    assert model.form.title["ja"] in visible_text(html)


def test_no_draft_no_unfinished_section(resident_client):
    html = resident_client.get(MY_PAGE).content.decode()
    assert "/my/drafts/" not in html


def test_the_draft_is_resumed_after_signing_out_and_in_again(demo):
    client = Client()
    sign_in(client)
    fill_wizard(client, ["applicant", "student"])
    assert client.post("/account/logout/").status_code == 302
    assert client.get(f"/apply/{FORM_SLUG}/")["Location"].startswith("/account/login/")
    fresh = Client()
    sign_in(fresh)
    assert fresh.get(f"/apply/{FORM_SLUG}/")["Location"] == page_url("commute")
    html = fresh.get(page_url("student")).content.decode()
    assert 'value="平成21年4月2日"' in html
    assert 'value="緑ヶ丘県立緑ヶ丘高等学校"' in html
    html = fresh.get(page_url("applicant")).content.decode()
    assert 'value="髙﨑"' in html
    assert 'value="〒９９９－０１０１"' in html  # as typed, not only the clean value


def test_another_resident_does_not_see_the_draft(resident_client, other_resident):
    fill_wizard(resident_client, ["applicant"])
    other = Client()
    other.force_login(other_resident)
    assert other.get(f"/apply/{FORM_SLUG}/")["Location"] == page_url("applicant")
    assert 'value="髙﨑"' not in other.get(page_url("applicant")).content.decode()
    assert "/my/drafts/" not in other.get(MY_PAGE).content.decode()


def test_sensitive_answers_are_not_stored_in_clear(resident_client):
    fill_wizard(resident_client, ["applicant", "student", "commute", "bank"])
    model = Draft.objects.get()
    row = draft_row(model)
    # The row is read correctly: a plain answer of the same page is there.
    assert any(form in row for form in stored_forms("緑ヶ丘県立緑ヶ丘高等学校"))
    typed = VALID_POST["bank"]
    secrets = [ACCOUNT_NUMBER, typed["payment_account-number"], ACCOUNT_HOLDER,
               typed["payment_account-holder"], "ミドリ", "ハナコ", "はなこ", "みずほ"]
    for secret in secrets:
        for form in stored_forms(secret):
            assert form not in row, secret
    assert "payment_account" not in model.raw and "payment_account" not in model.answers
    assert model.sealed
    # The resident gets them back.
    state = draft_of(resident_client)
    assert state["answers"]["payment_account"]["number"] == ACCOUNT_NUMBER
    assert state["answers"]["payment_account"]["holder"] == ACCOUNT_HOLDER
    html = resident_client.get(page_url("bank")).content.decode()
    assert 'value="９８７６５４３"' in html


def test_sensitive_answers_typed_on_a_page_with_errors_are_not_stored_in_clear(resident_client):
    fill_wizard(resident_client, ["applicant", "student", "commute"])
    response = resident_client.post(page_url("bank"), {**VALID_POST["bank"],
                                                       "payment_account-bank_code": ""})
    assert response.status_code == 422
    row = draft_row(Draft.objects.get())
    for secret in (VALID_POST["bank"]["payment_account-number"],
                   VALID_POST["bank"]["payment_account-holder"]):
        for form in stored_forms(secret):
            assert form not in row
    assert draft_of(resident_client)["raw"]["payment_account"]["number"] == "９８７６５４３"


def test_a_page_with_errors_keeps_what_was_typed(resident_client):
    typed = {**VALID_POST["student"], "student_birth_date": "平成99年13月1日",
             "school_name": "緑ヶ丘<高校>"}
    response = resident_client.post(page_url("student"), typed)
    assert response.status_code == 422
    state = draft_of(resident_client)
    assert state["raw"]["student_birth_date"] == "平成99年13月1日"
    assert state["raw"]["school_name"] == "緑ヶ丘<高校>"
    assert "student" not in state["done"]
    assert "student_birth_date" not in state["answers"]
    # Coming back later shows the same typed values.
    html = resident_client.get(page_url("student")).content.decode()
    assert 'value="平成99年13月1日"' in html
    assert 'value="緑ヶ丘&lt;高校&gt;"' in html


def test_save_and_finish_later_goes_to_the_my_page(resident_client):
    fill_wizard(resident_client, ["applicant"])
    response = resident_client.post(page_url("student"), {**VALID_POST["student"], "_save": "1"})
    assert response.status_code == 302
    assert response["Location"] == MY_PAGE
    state = draft_of(resident_client)
    assert state["done"] == ["applicant", "student"]
    assert resident_client.get(MY_PAGE).status_code == 200
    assert resident_client.get(f"/apply/{FORM_SLUG}/")["Location"] == page_url("commute")


def test_save_and_finish_later_on_a_page_with_errors_shows_the_errors(resident_client):
    response = resident_client.post(page_url("student"), {"school_name": "北高", "_save": "1"})
    assert response.status_code == 422
    assert draft_of(resident_client)["raw"]["school_name"] == "北高"


def test_the_page_offers_save_and_finish_later(resident_client):
    html = resident_client.get(page_url("applicant")).content.decode()
    assert 'name="_save" value="1"' in html


def test_delete_a_draft_from_the_my_page(resident_client):
    fill_wizard(resident_client, ["applicant"])
    model = Draft.objects.get()
    assert resident_client.get(f"/my/drafts/{model.public_id}/delete/").status_code == 405
    response = resident_client.post(f"/my/drafts/{model.public_id}/delete/")
    assert response.status_code == 302
    assert response["Location"] == MY_PAGE
    assert not Draft.objects.exists()
    assert "/my/drafts/" not in resident_client.get(MY_PAGE).content.decode()
    assert resident_client.get(f"/apply/{FORM_SLUG}/")["Location"] == page_url("applicant")
    assert 'value="髙﨑"' not in resident_client.get(page_url("applicant")).content.decode()


def test_nobody_else_can_delete_the_draft(resident_client, other_resident, client):
    fill_wizard(resident_client, ["applicant"])
    model = Draft.objects.get()
    other = Client()
    other.force_login(other_resident)
    other.post(f"/my/drafts/{model.public_id}/delete/")
    assert client.post(f"/my/drafts/{model.public_id}/delete/").status_code == 302  # to login
    assert Draft.objects.filter(pk=model.pk).exists()


def test_an_expired_draft_is_not_resumed(resident_client):
    fill_wizard(resident_client, ["applicant", "student"])
    Draft.objects.update(expires_at=timezone.now() - timezone.timedelta(minutes=1))
    assert resident_client.get(f"/apply/{FORM_SLUG}/")["Location"] == page_url("applicant")
    assert "/my/drafts/" not in resident_client.get(MY_PAGE).content.decode()


# --- a form anyone may use ----------------------------------------------------------------------
EVENT_SLUG = "natsu-matsuri"


def event_definition() -> dict:
    return {
        "title": {"ja": "夏祭りの参加申込", "en": "Summer festival"},
        "access": "anyone",
        "applicant_field": "full_name",
        "contact_field": "email",
        "pages": [
            {"key": "entry", "title": {"ja": "申込者", "en": "You"}, "fields": [
                {"key": "full_name", "type": "name", "required": True,
                 "label": {"ja": "氏名", "en": "Name"}},
                {"key": "email", "type": "email", "required": True,
                 "label": {"ja": "メールアドレス", "en": "E-mail"}},
            ]},
            {"key": "more", "title": {"ja": "ご要望", "en": "Wishes"}, "fields": [
                {"key": "people", "type": "number", "required": True, "min": 1, "max": 10,
                 "label": {"ja": "人数", "en": "People"}},
                {"key": "wish", "type": "text", "label": {"ja": "ご要望", "en": "Wishes"}},
            ]},
        ],
    }


ENTRY = {"full_name-family": "川田", "full_name-given": "花子",
         "email": "ｈａｎａｋｏ＠ｅｘａｍｐｌｅ．ｊｐ"}
MORE = {"people": "２", "wish": "車椅子で参加します"}
EMAIL = "hanako@example.jp"


@pytest.fixture
def event_form(demo, staff_user) -> FormDefinition:
    """A published form for anyone, serving a procedure of 子育て支援課 that has no form in the
    demo city (保育所等の入所申込み)."""
    procedure = Procedure.objects.get(slug="hoikusho")
    assert getattr(procedure, "form", None) is None
    form = form_services.create_form(
        department=Department.objects.get(code="kosodate"), definition=event_definition(),
        actor=staff_user, slug=EVENT_SLUG, procedure=procedure,
    )
    form_services.publish_draft(form)
    return form


def event_url(page: str = "") -> str:
    return f"/apply/{EVENT_SLUG}/{page}/" if page else f"/apply/{EVENT_SLUG}/"


def fill_event(client: Client) -> str:
    """Fill both pages; returns the token on the check page."""
    assert client.post(event_url("entry"), ENTRY)["Location"] == event_url("more")
    assert client.post(event_url("more"), MORE)["Location"] == event_url("check")
    response = client.get(event_url("check"))
    assert response.status_code == 200
    return TOKEN_RE.search(response.content.decode())[1]


def anonymous_draft() -> Draft:
    return Draft.objects.get(form__slug=EVENT_SLUG, owner=None)


def test_anyone_can_start_without_an_account(client, event_form):
    response = client.get(event_url())
    assert response.status_code == 302
    assert response["Location"] == event_url("entry")
    page = client.get(event_url("entry"))
    assert page.status_code == 200
    assert 'name="_save" value="1"' in page.content.decode()


def test_an_anonymous_draft_lives_in_the_session(client, event_form):
    client.post(event_url("entry"), ENTRY)
    model = anonymous_draft()
    assert model.owner is None
    assert model.done_pages == ["entry"]
    assert client.get(event_url())["Location"] == event_url("more")
    # Another browser starts afresh.
    other = Client()
    assert other.get(event_url())["Location"] == event_url("entry")
    assert 'value="川田"' not in other.get(event_url("entry")).content.decode()


def test_an_anonymous_visitor_submits_and_gets_the_receipt_by_email(
    client, event_form, django_capture_on_commit_callbacks
):
    token = fill_event(client)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(event_url("check"), {"token": token})
    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/apply/received/{application.public_id}/"
    assert application.applicant is None
    assert application.contact_email == EMAIL
    assert application.applicant_name == "川田 花子"
    assert application.answers["people"] == 2
    assert application.form_version.form == event_form
    assert not Draft.objects.filter(form=event_form).exists()
    receipt = client.get(response["Location"])
    assert receipt.status_code == 200
    assert application.receipt_number in receipt.content.decode()
    mail = MailboxMessage.objects.get()
    assert mail.to == EMAIL
    assert application.receipt_number in mail.body


def test_the_receipt_page_is_only_for_the_browser_that_sent_it(client, event_form, resident_client):
    token = fill_event(client)
    location = client.post(event_url("check"), {"token": token})["Location"]
    assert client.get(location).status_code == 200
    assert Client().get(location).status_code == 404
    assert resident_client.get(location).status_code == 404
    assert Client().get(f"/apply/received/{uuid.uuid4()}/").status_code == 404


def test_a_double_submit_makes_one_application(client, event_form):
    token = fill_event(client)
    first = client.post(event_url("check"), {"token": token})
    second = client.post(event_url("check"), {"token": token})
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    assert Application.objects.count() == 1


def test_a_replayed_token_from_another_browser_makes_nothing(client, event_form):
    token = fill_event(client)
    location = client.post(event_url("check"), {"token": token})["Location"]
    other = Client()
    response = other.post(event_url("check"), {"token": token})
    assert response.status_code == 302
    assert response["Location"] != location
    assert Application.objects.count() == 1


def test_a_signed_in_resident_on_a_form_for_anyone_applies_with_the_account(
    resident_client, resident, event_form
):
    token = fill_event(resident_client)
    response = resident_client.post(event_url("check"), {"token": token})
    application = Application.objects.get()
    assert application.applicant == resident
    assert response["Location"] == f"/my/applications/{application.public_id}/submitted/"


def test_ask_for_a_resume_link_and_continue_in_another_browser(
    client, event_form, django_capture_on_commit_callbacks
):
    assert client.get(event_url("save"))["Location"] == event_url()  # nothing saved yet
    response = client.post(event_url("entry"), {**ENTRY, "_save": "1"})
    assert response.status_code == 302
    assert response["Location"] == event_url("save")
    assert client.get(event_url("save")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(event_url("save"), {"email": "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ"})
    assert response.status_code == 200
    mail = MailboxMessage.objects.get()
    assert mail.to == "taro@example.jp"
    match = re.search(r"https?://\S+?(/apply/resume/[^/\s]+/)", mail.body)
    assert match, mail.body
    fresh = Client()
    response = fresh.get(match[1])
    assert response.status_code == 302
    assert response["Location"] == event_url()
    assert fresh.get(event_url())["Location"] == event_url("more")
    html = fresh.get(event_url("entry")).content.decode()
    assert 'value="川田"' in html
    # The restored draft can be finished and sent from the new browser.
    assert fresh.post(event_url("more"), MORE)["Location"] == event_url("check")
    token = TOKEN_RE.search(fresh.get(event_url("check")).content.decode())[1]
    fresh.post(event_url("check"), {"token": token})
    assert Application.objects.get().contact_email == EMAIL
    # Once sent, the link no longer works.
    assert Client().get(match[1]).status_code == 410


def test_a_resume_link_needs_a_valid_email(client, event_form):
    client.post(event_url("entry"), {**ENTRY, "_save": "1"})
    response = client.post(event_url("save"), {"email": "not an address\x00"})
    assert response.status_code == 422
    assert not MailboxMessage.objects.exists()


def test_a_signed_in_resident_is_not_offered_a_resume_link(resident_client, event_form):
    resident_client.post(event_url("entry"), ENTRY)
    assert resident_client.get(event_url("save"))["Location"] == event_url()
    response = resident_client.post(event_url("entry"), {**ENTRY, "_save": "1"})
    assert response["Location"] == MY_PAGE


def resume_path(model: Draft) -> str:
    return f"/apply/resume/{drafts.resume_token(drafts._open(model))}/"


def test_a_tampered_resume_link_shows_the_gone_page(client, event_form):
    client.post(event_url("entry"), ENTRY)
    path = resume_path(anonymous_draft())
    token = path.split("/")[3]
    tampered = [
        token[:-1] + ("A" if token[-1] != "A" else "B"),
        token[:10],
        signing.dumps(str(anonymous_draft().public_id), salt="another.salt"),
        signing.dumps(str(uuid.uuid4()), salt=drafts.RESUME_SALT),
        signing.dumps("not-a-uuid", salt=drafts.RESUME_SALT),
        signing.dumps(["list"], salt=drafts.RESUME_SALT),
        "x" * 2000,
        "%00",
    ]
    for value in tampered:
        fresh = Client()
        response = fresh.get(f"/apply/resume/{value}/")
        assert response.status_code == 410, value
        assert fresh.get(event_url())["Location"] == event_url("entry")


def test_a_link_to_a_residents_draft_does_not_work(resident_client, event_form):
    resident_client.post(event_url("entry"), ENTRY)
    model = Draft.objects.get(form=event_form)
    assert model.owner is not None
    assert Client().get(resume_path(model)).status_code == 410


def test_an_expired_resume_link_shows_the_gone_page(client, event_form):
    client.post(event_url("entry"), ENTRY)
    path = resume_path(anonymous_draft())
    assert Client().get(path).status_code == 302
    # Eight days later the signature is too old (the draft itself is still kept).
    later = time.time() + drafts.RESUME_MAX_AGE.total_seconds() + 86400
    Draft.objects.update(expires_at=timezone.now() + timezone.timedelta(days=30))
    with mock.patch.object(signing, "time", SimpleNamespace(time=lambda: later)):
        response = Client().get(path)
    assert response.status_code == 410


def test_a_resume_link_to_an_expired_draft_shows_the_gone_page(client, event_form):
    client.post(event_url("entry"), ENTRY)
    path = resume_path(anonymous_draft())
    Draft.objects.update(expires_at=timezone.now() - timezone.timedelta(seconds=1))
    fresh = Client()
    assert fresh.get(path).status_code == 410
    assert fresh.get(event_url())["Location"] == event_url("entry")
    # The browser that made the draft does not get it back either.
    assert client.get(event_url())["Location"] == event_url("entry")


def test_the_anonymous_draft_keeps_typed_values_after_errors(client, event_form):
    response = client.post(event_url("entry"), {**ENTRY, "email": "hanako@"})
    assert response.status_code == 422
    assert 'value="hanako@"' in response.content.decode()
    assert anonymous_draft().raw["email"] == "hanako@"
    assert 'value="hanako@"' in client.get(event_url("entry")).content.decode()


def test_an_unpublished_form_for_anyone_is_gone(client, event_form):
    client.post(event_url("entry"), ENTRY)
    form_services.unpublish(event_form)
    assert client.get(event_url()).status_code == 404
    assert client.get(event_url("entry")).status_code == 404


def test_resume_links_to_one_address_are_limited(client, event_form):
    """The page cannot be used to flood a stranger's mailbox."""
    fill_event(client)
    statuses = [client.post(event_url("save"), {"email": "someone@example.jp"}).status_code
                for _attempt in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    assert MailboxMessage.objects.filter(to__contains="someone@example.jp").count() <= 3
    refused = client.post(event_url("save"), {"email": "someone@example.jp"})
    assert int(refused["Retry-After"]) > 3500
    assert "リンクのご依頼が多すぎます" in refused.content.decode()


def test_the_purge_command_deletes_only_expired_drafts(resident_client):
    import datetime as dt

    from django.core.management import call_command
    from django.utils import timezone

    fill_wizard(resident_client, ["applicant"])
    kept = Draft.objects.get()
    expired = Draft.objects.create(form=kept.form, version=kept.version, owner=None,
                                   expires_at=timezone.now() - dt.timedelta(minutes=1))
    call_command("purge_expired_drafts")
    assert list(Draft.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not Draft.objects.filter(pk=expired.pk).exists()


def test_nul_characters_typed_on_a_page_are_dropped_from_the_draft(resident_client):
    """PostgreSQL's jsonb cannot hold NUL; the page is shown again, never a 500."""
    response = resident_client.post(page_url("student"), {"school_name": "北\x00高校",
                                                           "grade": "\x00"})
    assert response.status_code == 422
    assert draft_of(resident_client)["raw"]["school_name"] == "北高校"


def test_the_save_page_offers_the_email_already_typed(client, event_form):
    response = client.post(event_url("entry"), {**ENTRY, "_save": "1"})
    assert response["Location"] == event_url("save")
    html = client.get(event_url("save")).content.decode()
    assert f'name="email" type="email" autocomplete="email" value="{EMAIL}"' in html
    # Also from a later page, and what the visitor types on the save page wins.
    client.post(event_url("more"), {**MORE, "_save": "1"})
    assert f'value="{EMAIL}"' in client.get(event_url("save")).content.decode()
    response = client.post(event_url("save"), {"email": "other@example.jp"})
    assert response.status_code == 200
    assert "other@example.jp" in response.content.decode()


def test_the_save_page_does_not_offer_an_address_that_is_not_one(client, event_form):
    response = client.post(event_url("entry"), {**ENTRY, "email": "hanako@"})
    assert response.status_code == 422
    html = client.get(event_url("save")).content.decode()
    assert 'name="email" type="email" autocomplete="email" value=""' in html


def test_the_my_page_button_continues_the_draft(resident_client):
    """The button resumes an unfinished application: 「続ける」, not the wizard's 「次へ進む」."""
    fill_wizard(resident_client, ["applicant"])
    html = resident_client.get(MY_PAGE).content.decode()
    button = re.search(rf'<a class="button" href="/apply/{FORM_SLUG}/">(.*?)<span', html)
    assert button is not None and button[1] == "続ける"
    assert "次へ進む" not in visible_text(html)
    resident_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = resident_client.get(MY_PAGE)
    assert f'href="/apply/{FORM_SLUG}/">Continue<span' in english.content.decode()


def test_back_after_a_visitor_sent_the_form_says_it_was_sent(client, event_form):
    # Pages of visitors are not kept by the browser either (signed-in pages never are): Back
    # asks the server again instead of showing the old form.
    for url in (event_url(), event_url("entry")):
        assert "no-store" in client.get(url)["Cache-Control"], url
    token = fill_event(client)
    assert "no-store" in client.get(event_url("check"))["Cache-Control"]
    receipt = client.post(event_url("check"), {"token": token})["Location"]
    application = Application.objects.get()
    assert receipt == f"/apply/received/{application.public_id}/"
    back = client.get(event_url("check"))
    assert back.status_code == 200
    text = visible_text(back.content)
    assert "この申請はすでに送信されました" in text and application.receipt_number in text
    assert f'href="{receipt}"' in back.content.decode()
    assert client.get(receipt).status_code == 200
    # Another browser is not told about it.
    assert "この申請はすでに送信されました" not in visible_text(
        Client().get(event_url("entry")).content)
    assert Application.objects.count() == 1


def test_receipts_to_one_address_without_an_account_are_limited(event_form, settings):
    """A form for anyone mails its receipt to whatever address was typed: a few an hour."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "receipt": "60/2/3600"}
    statuses = []
    for _attempt in range(3):
        client = Client()
        statuses.append(client.post(event_url("check"), {"token": fill_event(client)}))
    assert [r.status_code for r in statuses] == [302, 302, 429]
    assert int(statuses[-1]["Retry-After"]) > 3500
    assert Application.objects.filter(contact_email=EMAIL).count() == 2
    assert anonymous_draft().owner is None  # the refused visitor's answers are kept
