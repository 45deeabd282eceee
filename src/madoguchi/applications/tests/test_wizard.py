"""The resident's form wizard: pages, errors, the check page, the change links and submitting."""

from __future__ import annotations

import re
import uuid

import pytest
from django.utils import translation

from madoguchi.applications.models import Application
from madoguchi.applications.services import all_answers
from madoguchi.conftest import (
    ACCOUNT_HOLDER,
    ACCOUNT_NUMBER,
    BANK_CODES,
    BANK_NAMES,
    CHECK_URL,
    FORM_SLUG,
    PAGE_KEYS,
    VALID_POST,
    change_draft,
    check_token,
    client_for,
    draft_of,
    fill_wizard,
    page_url,
    visible_text,
)
from madoguchi.core.models import MailboxMessage
from madoguchi.jp.receipt import is_valid_receipt_number


def draft(client) -> dict | None:
    return draft_of(client)


def test_start_goes_to_the_first_page_then_to_the_first_unfinished(resident_client):
    assert resident_client.get(f"/apply/{FORM_SLUG}/")["Location"] == page_url("applicant")
    fill_wizard(resident_client, ["applicant", "student"])
    assert resident_client.get(f"/apply/{FORM_SLUG}/")["Location"] == page_url("commute")
    fill_wizard(resident_client, ["commute", "bank", "consent"])
    assert resident_client.get(f"/apply/{FORM_SLUG}/")["Location"] == CHECK_URL


def test_each_page_leads_to_the_next_and_the_last_to_check(resident_client):
    for page, following in zip(PAGE_KEYS, [*PAGE_KEYS[1:], None], strict=True):
        response = resident_client.post(page_url(page), VALID_POST[page])
        assert response.status_code == 302
        assert response["Location"] == (page_url(following) if following else CHECK_URL)


def test_page_with_errors_is_422_keeps_values_and_links_errors(resident_client):
    typed = {
        "applicant_name-family": "髙﨑",
        "applicant_name-given": "",
        "applicant_name-family_kana": "たかさき",
        "applicant_name-given_kana": "",
        "phone": "でんわ<b>",
        "address-postal_code": "〒１２３",
        "address-prefecture": "緑ヶ丘県",
        "address-city": "緑ヶ丘市",
        "address-town": "北山",
        "address-street": "1234番地5",
        "address-building": "ハイツ<緑>",
    }
    response = resident_client.post(page_url("applicant"), typed)
    assert response.status_code == 422
    html = response.content.decode()
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    assert summary, "no error summary"
    links = re.findall(r'href="#([^"]+)"', summary[0])
    assert links == ["f-applicant_name-family", "f-relationship-0", "f-phone",
                     "f-address-postal_code"]
    for target in links:
        assert f'id="{target}"' in html  # each link lands on an input
    # Everything the resident typed is shown again (escaped), nothing lost.
    assert 'value="髙﨑"' in html
    assert 'value="たかさき"' in html
    assert 'value="でんわ&lt;b&gt;"' in html
    assert 'value="〒１２３"' in html
    for typed_part in ["緑ヶ丘県", "緑ヶ丘市", "北山", "1234番地5", "ハイツ&lt;緑&gt;"]:
        assert f'value="{typed_part}"' in html
    assert 'aria-invalid="true"' in html
    assert draft(resident_client)["done"] == []
    assert "<title>" in html


def test_error_summary_for_each_page_links_to_its_fields(resident_client):
    for page in PAGE_KEYS:
        response = resident_client.post(page_url(page), {})
        assert response.status_code == 422, page
        html = response.content.decode()
        summary = re.search(r'<div class="error-summary".*?</div>', html, re.S)
        assert summary, page
        links = re.findall(r'href="#(f-[^"]+)"', summary[0])
        assert links, page
        for link in links:
            assert f'id="{link}"' in html, (page, link)


def test_japanese_error_messages_name_the_field(resident_client):
    response = resident_client.post(page_url("student"), {
        **VALID_POST["student"], "student_birth_date": "平成31年5月1日"})
    assert response.status_code == 422
    assert "令和元年5月1日" in response.content.decode()


def test_check_page_shows_normalised_answers(resident_client):
    fill_wizard(resident_client)
    response = resident_client.get(CHECK_URL)
    assert response.status_code == 200
    html = response.content.decode()
    for shown in ["髙﨑　𠮷男（タカサキ　ヨシオ）", "090-1234-5678",
                  "〒999-0101 緑ヶ丘県緑ヶ丘市北山1234番地5",
                  "平成21年（2009年）4月2日", "15,000円", "9876543",
                  ACCOUNT_HOLDER]:
        assert shown in html, shown
    assert f'href="/apply/{FORM_SLUG}/commute/?return=check#f-monthly_pass_cost"' in html


def test_change_link_returns_to_the_check_page(resident_client):
    fill_wizard(resident_client)
    response = resident_client.get(page_url("commute") + "?return=check")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="return" value="check"' in html
    assert f'href="{CHECK_URL}"' in html  # the back link goes to the check page
    assert 'value="１５，０００"' in html  # what was typed is shown again
    response = resident_client.post(page_url("commute"), {
        **VALID_POST["commute"], "monthly_pass_cost": "12000", "return": "check"})
    assert response.status_code == 302
    assert response["Location"] == CHECK_URL
    assert "12,000円" in resident_client.get(CHECK_URL).content.decode()


def test_change_link_with_errors_keeps_the_return(resident_client):
    fill_wizard(resident_client)
    response = resident_client.post(page_url("commute") + "?return=check", {
        **VALID_POST["commute"], "monthly_pass_cost": "0"})
    assert response.status_code == 422
    assert 'name="return" value="check"' in response.content.decode()
    # The stored answer is unchanged until the page is valid.
    assert draft(resident_client)["answers"]["monthly_pass_cost"] == 15000


def test_change_link_on_a_stored_answer_prefills_from_the_value(resident_client):
    fill_wizard(resident_client)
    change_draft(resident_client, raw={})  # e.g. a draft restored from the answers only
    html = resident_client.get(page_url("student") + "?return=check").content.decode()
    assert 'value="平成21年4月2日"' in html
    assert 'value="髙﨑"' in html


def test_check_page_redirects_to_the_first_incomplete_page(resident_client):
    assert resident_client.get(CHECK_URL)["Location"] == page_url("applicant")
    fill_wizard(resident_client, ["applicant", "student", "bank"])
    assert resident_client.get(CHECK_URL)["Location"] == page_url("commute")
    # A POST cannot skip the missing pages either.
    token = draft(resident_client)["token"]
    response = resident_client.post(CHECK_URL, {"token": token})
    assert response["Location"] == page_url("commute")
    assert Application.objects.count() == 0


def test_skipping_ahead_to_the_last_page_goes_back_to_what_is_missing(resident_client):
    fill_wizard(resident_client, ["applicant"])
    response = resident_client.post(page_url("consent"), VALID_POST["consent"])
    assert response["Location"] == page_url("student")


@pytest.mark.parametrize("token", ["", None, "not-a-uuid", str(uuid.uuid4()), "0" * 32])
def test_submit_with_a_wrong_or_missing_token_is_refused(resident_client, token):
    fill_wizard(resident_client)
    data = {} if token is None else {"token": token}
    response = resident_client.post(CHECK_URL, data)
    assert response.status_code == 422
    with translation.override("ja"):
        from django.utils.translation import gettext

        message = gettext("This page has expired. Check your answers and submit again.")
    assert message in response.content.decode()
    assert Application.objects.count() == 0
    assert draft(resident_client) is not None  # the answers are kept


def test_submit_creates_the_application_and_clears_the_draft(
    resident_client, resident, django_capture_on_commit_callbacks
):
    fill_wizard(resident_client)
    token = check_token(resident_client)
    with django_capture_on_commit_callbacks(execute=True):
        response = resident_client.post(CHECK_URL, {"token": token})
    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/my/applications/{application.public_id}/submitted/"
    assert str(application.submission_token) == token
    assert application.applicant == resident
    assert is_valid_receipt_number(application.receipt_number)
    assert draft(resident_client) is None
    page = resident_client.get(response["Location"])
    assert application.receipt_number in page.content.decode()
    mail = MailboxMessage.objects.get()
    assert application.receipt_number in mail.body
    # Starting again begins a new, empty draft with a new token.
    assert resident_client.get(f"/apply/{FORM_SLUG}/")["Location"] == page_url("applicant")
    fill_wizard(resident_client, ["applicant"])
    assert draft(resident_client)["token"] != token
    assert "student_name" not in draft(resident_client)["answers"]


def test_second_post_of_the_same_token_goes_to_the_same_confirmation(resident_client):
    fill_wizard(resident_client)
    token = check_token(resident_client)
    first = resident_client.post(CHECK_URL, {"token": token})
    second = resident_client.post(CHECK_URL, {"token": token})
    assert second.status_code == 302
    assert second["Location"] == first["Location"]
    assert Application.objects.count() == 1


def test_answers_made_invalid_before_submit_are_refused(resident_client, demo):
    """If a stored answer no longer passes (e.g. a tampered session), nothing is stored."""
    fill_wizard(resident_client)
    stored = draft(resident_client)
    change_draft(resident_client, answers={**stored["answers"], "district": "outside-the-city"})
    response = resident_client.post(CHECK_URL, {"token": stored["token"]})
    assert response.status_code == 422
    assert Application.objects.count() == 0


def test_a_new_form_version_keeps_the_answers_and_walks_the_pages_again(
    resident_client, form_version
):
    import copy

    from madoguchi.forms.services import publish

    fill_wizard(resident_client)
    changed = copy.deepcopy(form_version.definition)
    changed["title"]["ja"] += "（令和8年度）"
    publish(form_version.form, changed)
    assert resident_client.get(CHECK_URL)["Location"] == page_url("applicant")
    assert draft(resident_client)["answers"]["monthly_pass_cost"] == 15000
    html = resident_client.get(page_url("applicant")).content.decode()
    assert 'value="髙﨑"' in html  # typed before, still there


def test_back_links(resident_client):
    html = resident_client.get(page_url("applicant")).content.decode()
    assert 'href="/procedures/tsugaku-hojo/"' in html
    html = resident_client.get(page_url("student")).content.decode()
    assert f'href="{page_url("applicant")}"' in html


def test_a_page_only_sets_its_own_answers(resident_client):
    """Extra keys in a POST cannot put answers on other pages (or skip them)."""
    response = resident_client.post(page_url("applicant"), {
        **VALID_POST["applicant"], "account_number": "1111111", "consent": "yes",
        "district": "kitayama"})
    assert response.status_code == 302
    answers = draft(resident_client)["answers"]
    assert "account_number" not in answers
    assert "consent" not in answers
    assert "district" not in answers
    assert draft(resident_client)["done"] == ["applicant"]


def test_the_payee_is_stored_as_codes_and_shown_by_name(resident_client, staff_user):
    """The bank and branch typed as codes (０００１, ００１) are stored as the Zengin codes with
    their names, the holder in Zengin kana; every page shows the names, never bare codes."""
    fill_wizard(resident_client)
    shown = visible_text(f"{BANK_NAMES[0]} {BANK_NAMES[1]} 普通 {ACCOUNT_NUMBER} {ACCOUNT_HOLDER}")
    check = visible_text(resident_client.get(CHECK_URL).content)
    assert shown in check
    assert "0001 001" not in check
    resident_client.post(CHECK_URL, {"token": check_token(resident_client)})
    application = Application.objects.get()
    assert all_answers(application)["payment_account"] == {
        "bank_code": BANK_CODES[0], "bank_name": BANK_NAMES[0], "branch_code": BANK_CODES[1],
        "branch_name": BANK_NAMES[1], "account_type": "ordinary", "number": ACCOUNT_NUMBER,
        "holder": ACCOUNT_HOLDER,
    }
    mine = visible_text(resident_client.get(f"/my/applications/{application.public_id}/").content)
    assert f"{BANK_NAMES[0]} {BANK_NAMES[1]} 普通 ****543" in mine
    case = client_for(staff_user).get(f"/staff/applications/{application.public_id}/")
    assert case.status_code == 200
    assert shown in visible_text(case.content)


# --- after sending: Back, old pages sent again ----------------------------------------------------
SENT = "この申請はすでに送信されました"


def page_token(client, page: str) -> str:
    match = re.search(r'name="_token" value="([^"]+)"', client.get(page_url(page)).content.decode())
    assert match, "no draft token on the page"
    return match[1]


def test_back_after_sending_says_it_was_sent_with_the_receipt(resident_client):
    fill_wizard(resident_client)
    resident_client.post(CHECK_URL, {"token": check_token(resident_client)})
    application = Application.objects.get()
    # Back shows the check page and the pages before it again: the browser asks for them.
    for url in (CHECK_URL, page_url("consent"), page_url("applicant")):
        response = resident_client.get(url)
        assert response.status_code == 200, url
        text = visible_text(response.content)
        assert SENT in text and application.receipt_number in text, url
        assert f'href="/my/applications/{application.public_id}/"' in response.content.decode()
        assert f'href="/apply/{FORM_SLUG}/"' in response.content.decode()  # start anew
    assert draft(resident_client) is None  # no empty draft was started
    # A new application starts on purpose, from the start link: the pages are empty again.
    assert resident_client.get(f"/apply/{FORM_SLUG}/")["Location"] == page_url("applicant")
    html = resident_client.get(page_url("applicant")).content.decode()
    assert SENT not in html and 'value="髙﨑"' not in html


def test_an_old_page_sent_again_after_sending_makes_nothing_new(resident_client):
    fill_wizard(resident_client)
    old = page_token(resident_client, "consent")
    assert old == check_token(resident_client)
    resident_client.post(CHECK_URL, {"token": old})
    # The form of the last page, still in the browser, is sent again.
    response = resident_client.post(page_url("consent"), {**VALID_POST["consent"], "_token": old})
    assert response.status_code == 200
    assert SENT in visible_text(response.content)
    # So is the check page's (a double click, or Back and send): the same one application.
    again = resident_client.post(CHECK_URL, {"token": old})
    assert again.status_code == 302
    assert Application.objects.count() == 1
    assert draft(resident_client) is None
    # Even after a new draft was started, the old page's token is recognised.
    resident_client.get(f"/apply/{FORM_SLUG}/")
    fill_wizard(resident_client, ["applicant"])
    response = resident_client.post(page_url("student"), {**VALID_POST["student"], "_token": old})
    assert SENT in visible_text(response.content)
    assert draft(resident_client)["done"] == ["applicant"]


def test_another_residents_token_shows_nothing(resident_client, other_resident):
    fill_wizard(resident_client)
    token = check_token(resident_client)
    resident_client.post(CHECK_URL, {"token": token})
    other = client_for(other_resident)
    response = other.post(page_url("applicant"), {**VALID_POST["applicant"], "_token": token})
    assert response.status_code == 302  # an ordinary page of their own new draft
    assert SENT not in visible_text(other.get(CHECK_URL).content)
