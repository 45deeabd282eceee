"""The LINE webhook: signatures, replays, malformed payloads and every kind of event."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from madoguchi.catalog.models import City
from madoguchi.channels import services
from madoguchi.channels.models import LineAccount, LinePush, LineWebhookEvent
from madoguchi.line.tests.conftest import (
    SECRET,
    event,
    payload,
    post_webhook,
    postback_event,
    text_event,
)

pytestmark = pytest.mark.django_db
USER = "U" + "1" * 32


def linked(resident, line_user_id: str = USER) -> LineAccount:
    nonce = services.create_link_nonce(resident)
    assert services.link_account(line_user_id, nonce) == resident
    return LineAccount.objects.get(line_user_id=line_user_id)


# --- signatures ---------------------------------------------------------------------------
def test_a_good_signature_is_handled(demo, line_api):
    response = post_webhook(Client(), payload(event("follow")))
    assert response.status_code == 200
    assert LineAccount.objects.get(line_user_id=USER).followed
    assert len(line_api.replies) == 1


@pytest.mark.parametrize("signature", [None, "", "bm90IGEgc2lnbmF0dXJl", "ä不正",
                                       "wrong-secret"])
def test_a_bad_or_missing_signature_is_refused_without_any_action(demo, line_api, signature):
    body = payload(event("follow"), text_event("児童手当"), postback_event("menu=status"))
    if signature == "wrong-secret":
        response = post_webhook(Client(), body, secret="another-channel-secret")
    else:
        response = post_webhook(Client(), body, signature=signature)
    assert response.status_code == 400
    assert not LineAccount.objects.exists()
    assert not LineWebhookEvent.objects.exists()
    assert line_api.requests == []


def test_a_signature_of_another_body_is_refused(demo, line_api):
    from madoguchi.demo.line_fake import sign

    good = payload(event("follow"))
    tampered = good.replace(USER.encode(), b"U" + b"2" * 32)
    response = post_webhook(Client(), tampered, signature=sign(good, SECRET))
    assert response.status_code == 400
    assert not LineAccount.objects.exists()
    assert line_api.requests == []


def test_the_webhook_is_off_without_line_settings(demo, settings):
    settings.LINE_CHANNEL_SECRET = ""
    settings.LINE_CHANNEL_ACCESS_TOKEN = ""
    assert post_webhook(Client(), payload(event("follow"))).status_code == 404
    assert not LineAccount.objects.exists()


def test_get_is_not_allowed(demo, line_api):
    assert Client().get("/line/webhook/").status_code == 405


# --- replays and stale events -------------------------------------------------------------
def test_a_replayed_payload_acts_once(demo, line_api):
    body = payload(postback_event("menu=navi"))
    assert post_webhook(Client(), body).status_code == 200
    assert post_webhook(Client(), body).status_code == 200
    assert len(line_api.replies) == 1
    assert LineWebhookEvent.objects.count() == 1


def test_a_redelivered_event_with_the_same_id_acts_once(demo, line_api):
    first = postback_event("menu=navi")
    again = {**first, "replyToken": "another", "deliveryContext": {"isRedelivery": True}}
    post_webhook(Client(), payload(first))
    post_webhook(Client(), payload(again))
    assert len(line_api.replies) == 1


@pytest.mark.parametrize("age_seconds", [2 * 60 * 60, -60 * 60])
def test_events_far_in_the_past_or_future_are_dropped(demo, line_api, age_seconds):
    response = post_webhook(Client(), payload(event("follow", age_seconds=age_seconds)))
    assert response.status_code == 200
    assert not LineAccount.objects.exists()
    assert not LineWebhookEvent.objects.exists()
    assert line_api.requests == []


# --- malformed payloads: never a 500 -----------------------------------------------------
# Signed bodies that are not a LINE webhook body at all: 400, and nothing is done.
@pytest.mark.parametrize("body", [
    b"", b"{", b"null", b"[]", b"[1]", b'{"events": "x"}', b'{"events": null}',
    b'{"destination": "U"}', b"\xff\xfe\x00garbage", b'{"events": [], "x": "\xff"}',
    b"\xef\xbb\xbf" + b'{"events": []}', b'{"events": [NaN]}', b'{"events": [-Infinity]}',
    b'{"events": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
    b'{"events": [' + b'{"a": ' * 50_000 + b"1" + b"}" * 50_000 + b"]}",
    b"[" * 50_000,
], ids=lambda body: repr(body[:24]) + f"..{len(body)}")
def test_signed_bodies_that_do_not_parse_are_a_400(demo, line_api, body):
    # The default client re-raises a server error, so a 500 fails the test loudly.
    response = post_webhook(Client(), body)
    assert response.status_code == 400
    assert not LineAccount.objects.exists()
    assert not LineWebhookEvent.objects.exists()
    assert line_api.requests == []


# Well-formed bodies whose events are malformed: the events are skipped, the body is accepted.
@pytest.mark.parametrize("body", [
    b'{"events": [1]}', "{\"events\": [{\"type\": \"不明\"}]}".encode(),
    b'{"events": [{}]}', b'{"events": [{"type": "follow"}]}',
    b'{"events": [{"type": "follow", "timestamp": "soon", "mode": "active",'
    b' "webhookEventId": "x", "deliveryContext": {"isRedelivery": false}}]}',
    b'{"events": [{"type": "follow", "timestamp": 99999999999999999, "mode": "active",'
    b' "webhookEventId": "x", "deliveryContext": {"isRedelivery": false},'
    b' "source": {"type": "user", "userId": "U1"}, "replyToken": "r",'
    b' "follow": {"isUnblocked": false}}]}',
    b'{"events": [' + b'{"a": ' * 500 + b"1" + b"}" * 500 + b"]}",
])
def test_malformed_events_in_a_signed_body_are_skipped(demo, line_api, body):
    response = post_webhook(Client(), body)
    assert response.status_code == 200
    assert not LineAccount.objects.exists()
    assert line_api.requests == []


def test_an_unsigned_body_that_does_not_parse_is_refused_as_unsigned(demo, line_api):
    response = post_webhook(Client(), b"\xff" + b"[" * 50_000, signature="bm90IGEgc2lnbmF0dXJl")
    assert response.status_code == 400
    assert b"bad signature" in response.content


def test_a_malformed_event_does_not_drop_the_good_ones(demo, line_api):
    body = json.dumps({"events": [{"type": "follow"}, "junk", event("follow")]}).encode()
    assert post_webhook(Client(), body).status_code == 200
    assert LineAccount.objects.filter(line_user_id=USER).exists()


def test_unknown_event_types_and_non_text_messages_are_ignored(demo, line_api):
    body = payload(event("somethingNew", extra=1),
                   event("message", message={"type": "sticker", "id": "1", "packageId": "1",
                                             "stickerId": "1", "stickerResourceType": "STATIC",
                                             "quoteToken": "q"}),
                   event("follow", source={"type": "group", "groupId": "G1"}))
    assert post_webhook(Client(), body).status_code == 200
    assert not LineAccount.objects.exists()
    assert line_api.replies == []


def test_a_failing_reply_api_does_not_fail_the_webhook(demo, line_api):
    line_api.fail_next("/v2/bot/message/reply", 500)
    assert post_webhook(Client(), payload(event("follow"))).status_code == 200
    assert LineAccount.objects.filter(line_user_id=USER).exists()


# --- follow / unfollow --------------------------------------------------------------------
def test_follow_greets_with_a_link_account_button(demo, line_api):
    post_webhook(Client(), payload(event("follow")))
    reply = line_api.replies[0]
    assert line_api.calls("/v2/bot/message/reply")[0].headers["authorization"] == (
        f"Bearer {line_api.access_token}")
    assert "緑ヶ丘市" in reply["messages"][0]["text"]
    button = reply["messages"][1]["template"]["actions"][0]
    assert button["type"] == "postback" and button["data"] == "action=link"
    assert button["label"] and len(button["label"]) <= 20


def test_follow_of_a_linked_account_does_not_offer_linking_again(demo, line_api, resident):
    linked(resident)
    post_webhook(Client(), payload(event("follow")))
    assert [m["type"] for m in line_api.replies[0]["messages"]] == ["text"]


def test_unfollow_stops_notices_by_line(demo, line_api, resident):
    account = linked(resident)
    push = LinePush.objects.create(to=USER, user=resident, messages=[{"type": "text",
                                                                     "text": "x"}], kind="t")
    assert post_webhook(Client(), payload(event("unfollow"))).status_code == 200
    account.refresh_from_db()
    push.refresh_from_db()
    assert not account.followed and account.unfollowed_at is not None
    assert account.user == resident  # still linked: following again restores LINE notices
    assert push.status == LinePush.Status.CANCELLED
    assert line_api.replies == []
    post_webhook(Client(), payload(event("follow")))
    account.refresh_from_db()
    assert account.followed


# --- text messages ------------------------------------------------------------------------
def test_a_question_is_answered_from_search_with_links(demo, line_api):
    from madoguchi.search.selectors import search

    hits = search("通学", language="ja", limit=5)
    assert hits, "the demo city should have something about 通学"
    post_webhook(Client(), payload(text_event("通学")))
    text = line_api.replies[0]["messages"][0]["text"]
    assert "通学" in text.splitlines()[0]
    assert hits[0].title in text
    assert "http://" in text and "/chat/" in text


def test_a_question_without_answer_points_to_the_chat(demo, line_api):
    post_webhook(Client(), payload(text_event("ｚｚｑｘｗ存在しない語")))
    text = line_api.replies[0]["messages"][0]["text"]
    assert "/chat/" in text


@pytest.mark.parametrize("question", [
    "庁舎の駐車場に電気自動車の充電器はありますか",  # nothing relevant: no entry at all
    "保健センターの駐車場は無料ですか",  # a natural question the web chat answers
])
def test_line_answers_what_the_web_chat_answers(demo, line_api, question):
    """One answer engine for both channels: the chat's relevance threshold decides."""
    from madoguchi.faq.models import FaqEntry
    from madoguchi.faq.selectors import chat_answer

    expected = chat_answer(question, language="ja")
    post_webhook(Client(), payload(text_event(question)))
    text = line_api.replies[0]["messages"][0]["text"]
    assert "/chat/" in text
    answered = {entry.pk for entry, _hit in expected.entries}
    for entry in FaqEntry.objects.filter(is_published=True):
        assert (entry.question["ja"] in text) == (entry.pk in answered), entry.question["ja"]


def test_a_hostile_text_is_harmless(demo, line_api):
    body = payload(text_event("' OR 1=1; -- \"*\" NEAR( <script>" + "あ" * 5000))
    assert post_webhook(Client(), body).status_code == 200
    assert len(line_api.replies) == 1


# --- rich menu postbacks ------------------------------------------------------------------
def test_menu_navi_and_inquiry(demo, line_api):
    post_webhook(Client(), payload(postback_event("menu=navi")))
    post_webhook(Client(), payload(postback_event("menu=inquiry")))
    navi, inquiry = (r["messages"][0]["text"] for r in line_api.replies)
    assert navi.endswith("/navi/")
    assert "/chat/" in inquiry
    assert City.objects.get().phone in inquiry


@pytest.mark.parametrize("menu", ["status", "booking"])
def test_menu_status_and_booking_ask_an_unlinked_user_to_link(demo, line_api, menu):
    post_webhook(Client(), payload(postback_event(f"menu={menu}")))
    message = line_api.replies[0]["messages"][0]
    assert message["template"]["actions"][0]["data"] == "action=link"


def test_menu_status_lists_the_linked_residents_applications(demo, line_api, resident,
                                                           application):
    linked(resident)
    post_webhook(Client(), payload(postback_event("menu=status")))
    text = line_api.replies[0]["messages"][0]["text"]
    assert application.receipt_number in text
    assert "受付" in text  # the status, in Japanese
    assert f"/my/applications/{application.public_id}/" in text


def test_menu_status_shows_nobody_elses_applications(demo, line_api, resident, other_resident,
                                                    application):
    linked(other_resident)
    post_webhook(Client(), payload(postback_event("menu=status")))
    text = line_api.replies[0]["messages"][0]["text"]
    assert application.receipt_number not in text


def test_menu_booking_without_bookings(demo, line_api, resident):
    from madoguchi.reservations.models import Booking

    Booking.objects.filter(user=resident).update(user=None)
    linked(resident)
    post_webhook(Client(), payload(postback_event("menu=booking")))
    text = line_api.replies[0]["messages"][0]["text"]
    assert "/my/reservations/" not in text and text


@pytest.mark.parametrize("data", ["", "menu=", "menu=unknown", "a=b&c", "%%%", "x" * 400])
def test_unknown_postbacks_get_a_polite_answer(demo, line_api, data):
    assert post_webhook(Client(), payload(postback_event(data))).status_code == 200
    assert len(line_api.replies) == 1


def test_old_event_ids_are_forgotten_once_their_events_would_be_refused(demo, line_api):
    from datetime import timedelta

    from django.utils import timezone

    services.record_webhook_event("old-event", "follow", timezone.now())
    LineWebhookEvent.objects.filter(event_id="old-event").update(
        received_at=timezone.now() - timedelta(hours=3))
    post_webhook(Client(), payload(postback_event("menu=navi")))
    assert not LineWebhookEvent.objects.filter(event_id="old-event").exists()
    assert LineWebhookEvent.objects.count() == 1


def test_a_huge_body_is_refused(demo, line_api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = payload(text_event("あ" * 2000))
    response = post_webhook(Client(raise_request_exception=False), body)
    assert response.status_code == 400
    assert not LineWebhookEvent.objects.exists()


def test_nothing_personal_is_answered_in_a_group_chat(demo, line_api, resident, application):
    linked(resident)
    group = postback_event("menu=status")
    group["source"] = {"type": "group", "groupId": "G" + "1" * 32, "userId": USER}
    room = text_event("連携")
    room["source"] = {"type": "room", "roomId": "R" + "1" * 32, "userId": USER}
    assert post_webhook(Client(), payload(group, room)).status_code == 200
    assert line_api.requests == []


def test_the_consoles_verify_request_is_accepted(demo, line_api):
    """LINE Developers' "Verify" button posts a signed body with no events."""
    response = post_webhook(Client(), b'{"destination": "Ubot", "events": []}')
    assert response.status_code == 200
    assert line_api.requests == []
