"""The demo mailbox shows what the demo sent, and only in demo mode."""

from __future__ import annotations

from django.core import mail
from django.test import override_settings


def test_demo_mailbox_is_off_outside_demo(client, db):
    assert client.get("/demo/mail/").status_code == 404


@override_settings(DEMO=True)
def test_demo_mailbox_shows_sent_mail_in_demo(client, db):
    mail.send_mail("受付のお知らせ", "本文", None, ["taro@example.jp"])
    response = client.get("/demo/mail/")
    assert response.status_code == 200
    assert "受付のお知らせ" in response.content.decode()
