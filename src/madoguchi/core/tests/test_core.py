"""Core: encryption of sensitive values, the audit log, security headers and error pages."""

from __future__ import annotations

import base64

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.db.models import ProtectedError
from django.test import Client, RequestFactory, override_settings
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from madoguchi.core import audit, crypto
from madoguchi.core.models import AuditEvent, MailboxMessage, User

KEY_OLD = "old:" + base64.b64encode(b"o" * 32).decode()
KEY_NEW = "new:" + base64.b64encode(b"n" * 32).decode()

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=10,
)


# --- crypto -----------------------------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(value=json_values, context=st.text(min_size=1, max_size=40))
def test_seal_unseal_round_trip(value, context):
    token = crypto.seal(value, context=context)
    assert token.startswith(f"v1:{crypto.current_key_id()}:")
    assert crypto.unseal(token, context=context) == value


def test_sealing_twice_gives_different_tokens():
    assert crypto.seal("0123456", context="a") != crypto.seal("0123456", context="a")


def test_sealed_value_does_not_show_the_plaintext():
    token = crypto.seal({"account_number": "0123456", "holder": "ヤマダ"}, context="x")
    assert "0123456" not in token and "account_number" not in token


def flip(token: str, index: int) -> str:
    prefix, kid, encoded = token.split(":", 2)
    raw = bytearray(base64.b64decode(encoded))
    raw[index] ^= 0x01
    return f"{prefix}:{kid}:{base64.b64encode(bytes(raw)).decode()}"


@pytest.mark.parametrize("index", [0, 11, 12, 20, -1])
def test_tampered_token_is_refused(index):
    token = crypto.seal("0123456", context="app-1")
    with pytest.raises(crypto.DecryptionError):
        crypto.unseal(flip(token, index), context="app-1")


def test_wrong_context_is_refused():
    token = crypto.seal("0123456", context="app-1")
    with pytest.raises(crypto.DecryptionError):
        crypto.unseal(token, context="app-2")


@pytest.mark.parametrize("token", ["", "garbage", "v1:test", "v1:nokey:AAAA", "v1:test:!!!",
                                   "v1:test:" + base64.b64encode(b"short").decode()])
def test_garbage_is_refused(token):
    with pytest.raises(crypto.DecryptionError):
        crypto.unseal(token, context="x")


def test_unknown_version_prefix_is_refused():
    token = crypto.seal("x", context="c")
    with pytest.raises(crypto.DecryptionError):
        crypto.unseal("v2" + token[2:], context="c")


def test_key_rotation():
    with override_settings(ENCRYPTION_KEYS=KEY_OLD):
        old_token = crypto.seal("0123456", context="app")
        assert crypto.key_id_of(old_token) == "old"
    with override_settings(ENCRYPTION_KEYS=f"{KEY_NEW},{KEY_OLD}"):
        assert crypto.current_key_id() == "new"
        assert crypto.unseal(old_token, context="app") == "0123456"
        new_token = crypto.seal("0123456", context="app")
        assert crypto.key_id_of(new_token) == "new"
    with override_settings(ENCRYPTION_KEYS=KEY_OLD), pytest.raises(crypto.DecryptionError):
        crypto.unseal(new_token, context="app")  # the old key alone cannot open it
    with override_settings(ENCRYPTION_KEYS=KEY_NEW), pytest.raises(crypto.DecryptionError):
        crypto.unseal(old_token, context="app")  # once the old key is removed


def test_key_with_same_id_but_other_bytes_is_refused():
    with override_settings(ENCRYPTION_KEYS=KEY_OLD):
        token = crypto.seal("x", context="c")
    other = "old:" + base64.b64encode(b"x" * 32).decode()
    with override_settings(ENCRYPTION_KEYS=other), pytest.raises(crypto.DecryptionError):
        crypto.unseal(token, context="c")


@pytest.mark.parametrize("spec", ["", " , ", "k1:" + base64.b64encode(b"short").decode()])
def test_bad_key_configuration_is_an_error(spec):
    with override_settings(ENCRYPTION_KEYS=spec), pytest.raises(ValueError):
        crypto.seal("x", context="c")


# --- audit ------------------------------------------------------------------------------------
@pytest.fixture
def event(db):
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1")
    request.user = AnonymousUser()
    return audit.record(request, "test.event", target_type="thing", target_id="42",
                        details={"why": "test"})


def test_audit_record(event):
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.actor is None
    assert stored.actor_label == "anonymous"
    assert stored.ip_address == "192.0.2.1"
    assert (stored.action, stored.target_type, stored.target_id) == ("test.event", "thing", "42")
    assert stored.details == {"why": "test"}


def test_audit_record_drops_nul_characters_postgresql_cannot_store(db):
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    event = audit.record(request, "x", target_id="4\x002",
                         details={"q\x00": ["a\x00b", {"c": "\x00"}], "n": 1})
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.target_id == "42"
    assert stored.details == {"q": ["ab", {"c": ""}], "n": 1}


def test_audit_record_names_the_signed_in_user(demo, staff_user):
    request = RequestFactory().get("/")
    request.user = staff_user
    event = audit.record(request, "x")
    assert event.actor == staff_user
    assert event.actor_label == staff_user.email


def test_audit_event_cannot_be_changed(event):
    event.action = "something.else"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).action == "test.event"


def test_audit_event_cannot_be_deleted(event):
    with pytest.raises(ValueError, match="append-only"):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_audit_events_cannot_be_changed_or_deleted_in_bulk(event):
    with pytest.raises(ValueError, match="append-only"):
        AuditEvent.objects.filter(pk=event.pk).update(action="rewritten")
    with pytest.raises(ValueError, match="append-only"):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(ValueError, match="append-only"):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "test.event"


def test_user_with_audit_events_cannot_be_deleted(demo, staff_user):
    request = RequestFactory().get("/")
    request.user = staff_user
    audit.record(request, "x")
    with pytest.raises(ProtectedError):
        staff_user.delete()


# --- users ------------------------------------------------------------------------------------
def test_user_manager(db):
    user = User.objects.create_user("Someone@Example.JP", "pw-123456789")
    assert user.email == "someone@example.jp"
    assert user.is_resident and not user.is_staff_member
    assert user.check_password("pw-123456789")
    with pytest.raises(ValueError):
        User.objects.create_user("", "x")
    admin = User.objects.create_superuser("root@example.jp", "pw-123456789")
    assert admin.is_superuser


# --- mail -------------------------------------------------------------------------------------
def test_mailbox_backend_keeps_messages(db):
    sent = mail.send_mail("件名", "本文です。", "from@example.jp", ["a@example.jp", "b@example.jp"])
    assert sent == 1
    message = MailboxMessage.objects.get()
    assert (message.subject, message.body, message.to) == (
        "件名", "本文です。", "a@example.jp, b@example.jp")


# --- HTTP: headers and error pages ------------------------------------------------------------
def test_security_headers(client, demo):
    response = client.get("/")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


def test_personal_pages_are_not_cached(resident_client):
    assert resident_client.get("/my/")["Cache-Control"] == "no-store"


def test_no_inline_scripts_or_styles(client, demo):
    html = client.get("/").content.decode()
    assert "<script>" not in html
    assert " style=" not in html and "<style" not in html


def test_csrf_failure_is_a_friendly_page(demo):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/account/login/", {"email": "taro@example.jp", "password": "x"})
    assert response.status_code == 403
    html = response.content.decode()
    assert '<html lang="ja">' in html
    assert "CSRF" not in html
    assert 'href="/"' in html
    with translation.override("ja"):
        assert translation.gettext("This page has expired") in html


def test_csrf_token_from_the_page_is_accepted(demo, resident):
    client = Client(enforce_csrf_checks=True)
    client.get("/account/login/")
    token = client.cookies["csrftoken"].value
    response = client.post("/account/login/", {"email": "taro@example.jp",
                                               "password": "madoguchi-demo",
                                               "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_not_found_page_is_friendly(client, demo):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="ja">' in html
    assert 'href="/"' in html
    with translation.override("ja"):
        assert translation.gettext("Page not found") in html


def test_healthz(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
