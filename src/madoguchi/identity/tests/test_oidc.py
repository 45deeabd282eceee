"""OpenID Connect sign-in against the local provider: happy path, every refusal, rotation,
linking, logout and a provider that is down."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
import requests
from django.test import Client
from django.utils import translation
from django.utils.html import escape

from madoguchi.core.models import AuditEvent, User
from madoguchi.demo.accounts import DEMO_PASSWORD, DEMO_RESIDENT_EMAIL
from madoguchi.identity.contrib.oidc import client as oidc_client
from madoguchi.identity.contrib.oidc.config import ConfigurationError, parse
from madoguchi.identity.contrib.oidc.provider import MESSAGES, configure
from madoguchi.identity.models import IdentityLink
from madoguchi.identity.plugins import AssuranceLevel, identity_providers

from .oidc_provider import LocalProvider

pytestmark = pytest.mark.django_db


def to_provider(client: Client, next_url: str = "") -> str:
    """Start the sign-in; the provider's authorize URL."""
    response = client.get("/account/idp/card/start/" + (f"?next={next_url}" if next_url else ""))
    assert response.status_code == 302, response.content
    return response["Location"]


def approve(authorize_url: str) -> str:
    """The provider approves at once; the callback path (with code and state) it sends back."""
    answer = requests.get(authorize_url, allow_redirects=False, timeout=5)
    assert answer.status_code == 302
    location = urlparse(answer.headers["Location"])
    return f"{location.path}?{location.query}"


def sign_in(client: Client) -> object:
    return client.get(approve(to_provider(client)))


def refused_with(response, reason: str, *, signed_out: bool = True) -> None:
    assert response.status_code == 400
    with translation.override("ja"):
        message = escape(str(MESSAGES[reason]))
    assert message in response.content.decode()
    if signed_out:
        assert client_user(response) is None


def client_user(response) -> str | None:
    return response.wsgi_request.session.get("_auth_user_id")


def test_the_authorization_request_uses_pkce_state_and_nonce(client, local_idp):
    query = parse_qs(urlparse(to_provider(client)).query)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert query["response_type"] == ["code"]
    assert query["redirect_uri"] == ["http://testserver/account/idp/card/callback/"]
    pending = client.session["oidc:card"]
    assert query["state"] == [pending["state"]] and query["nonce"] == [pending["nonce"]]
    assert "openid" in query["scope"][0].split()


def test_happy_path_creates_a_linked_account_and_keeps_the_verified_identity(client, local_idp):
    response = sign_in(client)
    assert response.status_code == 302 and response["Location"] == "/my/"
    user = User.objects.get(email="card-taro@example.jp")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert user.resident_profile.email_confirmed
    assert IdentityLink.objects.get(user=user).subject == "card-0001"
    verified = client.session["verified_identity"]
    assert verified["name"] == "山田 太郎" and verified["birth_date"] == "1980-04-01"
    assert verified["address"] == "東京都千代田区霞が関1-1-1" and verified["sex"] == "male"
    assert verified["level"] == AssuranceLevel.HIGH
    assert AuditEvent.objects.filter(action="signin.idp", target_id=str(user.pk)).exists()
    # Signing in again finds the same account.
    other = Client()
    assert sign_in(other).status_code == 302
    assert other.session["_auth_user_id"] == str(user.pk)
    assert User.objects.filter(email="card-taro@example.jp").count() == 1


def test_next_is_kept_in_the_session_and_only_local(client, local_idp):
    response = client.get(approve(to_provider(client, "/procedures/")))
    assert response["Location"] == "/procedures/"
    response = client.get(approve(to_provider(client, "https://evil.example/")))
    assert response["Location"] == "/my/"  # another site is never where the resident goes
    other = Client()
    response = other.get(approve(to_provider(client)))
    assert response.status_code == 400  # another browser: the state is not its own


def test_wrong_nonce_is_refused(client, local_idp):
    local_idp.tamper["nonce"] = "not-the-nonce"
    refused_with(sign_in(client), "nonce")


def test_expired_token_is_refused_beyond_the_leeway_but_skew_is_tolerated(client, local_idp):
    local_idp.tamper["time_shift"] = -400  # exp = now - 100 s, beyond the 60 s leeway
    refused_with(sign_in(client), "expired")
    local_idp.tamper["time_shift"] = 30  # the provider's clock 30 s ahead: accepted
    assert sign_in(Client()).status_code == 302


def test_token_signed_by_an_unknown_key_is_refused(client, local_idp):
    local_idp.tamper["unknown_key"] = True
    refused_with(sign_in(client), "unknown_key")


def test_wrong_audience_is_refused(client, local_idp):
    local_idp.tamper["aud"] = "another-client"
    refused_with(sign_in(client), "claim_aud")


def test_tampered_state_is_refused(client, local_idp):
    local_idp.tamper["state"] = "forged-state"
    refused_with(sign_in(client), "state")


def test_replayed_callback_and_replayed_code_are_refused(client, local_idp):
    callback = approve(to_provider(client))
    assert client.get(callback).status_code == 302
    # The same callback again in the same browser: the round trip is used up.
    refused_with(client.get(callback), "state", signed_out=False)
    # The same code in a fresh round trip (state of the new one): the provider refuses it.
    browser = Client()
    to_provider(browser)
    state = browser.session["oidc:card"]["state"]
    code = parse_qs(urlparse(callback).query)["code"][0]
    response = browser.get(f"/account/idp/card/callback/?code={code}&state={state}")
    refused_with(response, "token_refused")


def test_a_cancelled_sign_in_is_refused_with_a_message(client, local_idp):
    to_provider(client)
    state = client.session["oidc:card"]["state"]
    response = client.get(f"/account/idp/card/callback/?error=access_denied&state={state}")
    refused_with(response, "cancelled")


def test_key_rotation_fetches_the_keys_again_once(client, local_idp, monkeypatch):
    assert sign_in(client).status_code == 302  # the keys are cached now
    local_idp.rotate()
    fetches = []
    real = oidc_client._get_json
    monkeypatch.setattr(oidc_client, "_get_json", lambda url: fetches.append(url) or real(url))
    assert sign_in(Client()).status_code == 302
    assert [u for u in fetches if u.endswith("/jwks")] == [local_idp.issuer + "/jwks"]


def test_logout_ends_the_provider_session_too(client, local_idp):
    sign_in(client)
    response = client.post("/account/logout/")
    location = urlparse(response["Location"])
    assert f"{location.scheme}://{location.netloc}" == local_idp.issuer
    assert location.path == "/logout"
    query = parse_qs(location.query)
    assert query["post_logout_redirect_uri"] == ["http://testserver/"]
    assert query["id_token_hint"][0].count(".") == 2
    assert "_auth_user_id" not in client.session


def test_the_provider_down_gives_a_clear_page_and_the_site_works(client, local_idp, demo):
    configure([local_idp.config(issuer="http://127.0.0.1:9", discovery_url="")])
    response = client.get("/account/idp/card/start/")
    assert response.status_code == 503
    page = response.content.decode()
    assert "認証サービスに接続できません" in page
    assert client.get("/").status_code == 200
    login = client.get("/account/login/")
    assert login.status_code == 200 and "/account/idp/card/start/" in login.content.decode()
    assert client.post("/account/login/", {"email": DEMO_RESIDENT_EMAIL,
                                           "password": DEMO_PASSWORD}).status_code == 302


def test_the_provider_falling_over_mid_sign_in_gives_the_same_clear_page(client, local_idp):
    callback = approve(to_provider(client))
    local_idp.tamper["token_down"] = True
    response = client.get(callback)
    assert response.status_code == 503
    assert "認証サービスに接続できません" in response.content.decode()
    assert client_user(response) is None


def test_no_provider_configured_shows_no_button(client, demo):
    configure([])
    page = client.get("/account/login/").content.decode()
    assert "/account/idp/" not in page
    assert client.get("/account/idp/card/start/").status_code == 404


def test_link_and_unlink_on_the_my_page_and_refuse_an_identity_linked_elsewhere(
        client, local_idp, demo):
    sign_in(Client())  # the identity now has its own account (card-taro@example.jp)
    resident = User.objects.get(email=DEMO_RESIDENT_EMAIL)
    client.force_login(resident)
    page = client.get("/my/").content.decode()
    assert "/account/idp/card/link/" in page
    response = client.post("/account/idp/card/link/")
    response = client.get(approve(response["Location"]))
    assert response.status_code == 409
    assert "既に別のアカウント" in response.content.decode()
    assert not IdentityLink.objects.filter(user=resident).exists()

    local_idp.person = {**local_idp.person, "sub": "card-0002", "email": "other@example.jp"}
    response = client.post("/account/idp/card/link/")
    response = client.get(approve(response["Location"]))
    assert response.status_code == 302
    assert IdentityLink.objects.get(user=resident).subject == "card-0002"
    assert "/account/idp/card/unlink/" in client.get("/my/").content.decode()
    client.post("/account/idp/card/unlink/")
    assert not IdentityLink.objects.filter(user=resident).exists()


def test_an_address_that_has_an_account_is_not_taken_over(client, local_idp, demo):
    local_idp.person = {**local_idp.person, "sub": "card-0003", "email": DEMO_RESIDENT_EMAIL}
    response = sign_in(client)
    assert response.status_code == 409
    assert client_user(response) is None


def test_configuration_is_checked():
    with pytest.raises(ConfigurationError):
        parse({"id": "x", "label": "X", "issuer": "https://idp.example"})  # no client_id
    with pytest.raises(ConfigurationError):
        parse({"id": "x", "label": "X", "issuer": "https://i", "client_id": "c",
               "purpose": "mayor"})
    config = parse({"id": "gbiz", "label": "gBizID", "issuer": "https://gbiz.example/",
                    "client_id": "c", "scopes": ["profile"], "assurance": "substantial"})
    assert config.scopes[0] == "openid" and config.assurance == AssuranceLevel.SUBSTANTIAL
    assert config.discovery_url == "https://gbiz.example/.well-known/openid-configuration"


def test_providers_are_registered_from_configuration(local_idp: LocalProvider):
    assert identity_providers["card"].assurance == AssuranceLevel.HIGH
    configure([])
    assert "card" not in identity_providers


def test_a_provider_without_an_email_address_gets_one_asked_for(client, local_idp, demo):
    local_idp.person = {k: v for k, v in local_idp.person.items()
                        if k not in ("email", "email_verified")} | {"sub": "card-0009"}
    response = sign_in(client)
    assert response["Location"] == "/account/idp/email/?next=%2Fmy%2F"
    user = IdentityLink.objects.get(subject="card-0009").user
    assert user.email.endswith("@id.invalid") and not user.has_usable_password()
    page = client.get(response["Location"])
    assert page.status_code == 200 and "メールアドレスを追加" in page.content.decode()
    # An address that has an account: the same answer, the account keeps waiting.
    response = client.post("/account/idp/email/", {"email": DEMO_RESIDENT_EMAIL, "next": "/my/"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email.endswith("@id.invalid")
    response = client.post("/account/idp/email/", {"email": "Card.Nine@example.jp",
                                                   "next": "/my/"})
    assert response.status_code == 302 and "/account/signup/sent/" in response["Location"]
    user.refresh_from_db()
    assert user.email == "card.nine@example.jp" and not user.resident_profile.email_confirmed
    assert client.get("/account/idp/email/?next=/my/")["Location"] == "/my/"
