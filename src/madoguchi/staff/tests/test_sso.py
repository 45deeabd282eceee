"""Staff single sign-on through the city's identity provider (the local test provider)."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
import requests
from django.test import Client

from madoguchi.core.models import AuditEvent
from madoguchi.demo.accounts import staff_email
from madoguchi.identity.contrib.oidc.provider import configure

pytestmark = pytest.mark.django_db


@pytest.fixture
def city_idp(local_idp, demo):
    configure([local_idp.config(id="city", label={"ja": "庁内ディレクトリ", "en": "City directory"},
                                purpose="staff", assurance="substantial")])
    local_idp.person = {**local_idp.person, "sub": "emp-1", "email": staff_email("kosodate1")}
    return local_idp


def sso(client: Client):
    page = client.get("/staff/login/").content.decode()
    assert "/staff/login/sso/city/" in page
    to_idp = client.get("/staff/login/sso/city/")
    assert to_idp.status_code == 302
    answer = requests.get(to_idp["Location"], allow_redirects=False, timeout=5)
    back = urlparse(answer.headers["Location"])
    assert back.path == "/staff/login/sso/city/callback/"
    return client.get(f"{back.path}?{back.query}")


def test_staff_sign_in_through_the_directory_skips_the_code_and_is_audited(city_idp):
    client = Client()
    response = sso(client)
    assert response.status_code == 302
    inbox = client.get(response["Location"])
    assert inbox.status_code == 200  # no authenticator code asked for
    event = AuditEvent.objects.get(action="signin.sso")
    assert event.details["provider"] == "city"
    assert "skipped" in event.details["second_factor"]
    # Sign-out ends the directory's session too.
    out = client.post("/staff/logout/")
    assert out["Location"].startswith(city_idp.issuer + "/logout?")
    assert client.get("/staff/").status_code == 302


def test_an_unknown_email_is_refused(city_idp):
    city_idp.person = {**city_idp.person, "email": "stranger@city.example"}
    client = Client()
    response = sso(client)
    assert response.status_code == 403
    assert "一致する職員アカウントがありません" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="signin.sso.refused").exists()


def test_a_resident_identity_cannot_become_staff(city_idp):
    city_idp.person = {**city_idp.person, "email": "taro@example.jp"}
    assert sso(Client()).status_code == 403


def test_without_the_provider_configured_the_sso_session_no_longer_counts(city_idp):
    client = Client()
    sso(client)
    configure([])
    response = client.get("/staff/")
    assert response.status_code == 302 and "/staff/login/code/" in response["Location"]
    assert client.get("/staff/login/sso/city/").status_code == 404
