"""Hostile and random input to the sign-in and sign-up forms (resident and staff)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from madoguchi.core.models import LoginAttempt, User
from madoguchi.demo.accounts import DEMO_PASSWORD, DEMO_RESIDENT_EMAIL

FUZZ = settings(max_examples=50, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

HOSTILE = [
    "", " ", "\x00", "taro@example.jp\x00", "\x01\x7f", "\r\nBcc: x@example.jp", "a" * 5000,
    "あ" * 300, "𠮷@example.jp", "taro@exämple.jp", "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ", "@", "a@b",
    "' OR '1'='1", "admin'--", "<script>alert(1)</script>", "//evil.example/", "https://evil.example/",
    "/\x00/", "/\r\n", "javascript:alert(1)", "/my/", "\\\\evil", "%0d%0a", "-1", "9" * 400,
    "kawa-no-nagare-2026", "password", "1234567890", DEMO_RESIDENT_EMAIL, DEMO_PASSWORD,
]
text = st.one_of(st.sampled_from(HOSTILE),
                 st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=120))
value = st.one_of(text, st.lists(text, max_size=3))


def last(v):
    return (v[-1] if v else None) if isinstance(v, list) else v


def payload(keys: list[str]) -> st.SearchStrategy[dict]:
    return st.dictionaries(st.sampled_from(keys), value, max_size=len(keys))


@FUZZ
@given(data=payload(["email", "password", "next", "csrfmiddlewaretoken"]),
       realm=st.sampled_from(["/account/login/", "/staff/login/"]))
def test_sign_in_survives_hostile_posts(client, resident, staff_user, data, realm):
    LoginAttempt.objects.all().delete()
    client.logout()
    response = client.post(realm, data)
    assert response.status_code in (200, 302), response.status_code
    signed_in = client.session.get("_auth_user_id")
    if response.status_code == 302:
        # Only the demo resident's real password opens the resident realm.
        assert realm == "/account/login/"
        assert signed_in == str(resident.pk)
        assert last(data.get("password")) == DEMO_PASSWORD
        location = response["Location"]
        assert location.startswith("/") and not location.startswith("//")
        assert "\n" not in location and "\r" not in location
    else:
        assert signed_in is None
        assert "<script>alert(1)</script>" not in response.content.decode()


def sign_up_payload() -> st.SearchStrategy[dict]:
    """Valid sign-ups (a fresh address) or nothing, with fields changed or dropped."""
    keys = ["email", "password", "password_again", "next"]
    valid = st.uuids().map(lambda u: {"email": f"u{u.hex[:12]}@example.jp",
                                      "password": "kawa-no-nagare-2026",
                                      "password_again": "kawa-no-nagare-2026"})
    base = st.one_of(st.just({}), valid)
    return st.builds(lambda b, c, d: {k: v for k, v in {**b, **c}.items() if k not in d},
                     base, payload(keys), st.sets(st.sampled_from(keys), max_size=2))


@FUZZ
@given(data=sign_up_payload())
def test_sign_up_survives_hostile_posts(client, demo, data):
    client.logout()
    before = User.objects.count()
    typed = last(data.get("email"))
    # PostgreSQL refuses NUL in a query parameter; no stored address holds one anyway.
    existed = isinstance(typed, str) and "\x00" not in typed and User.objects.filter(
        email=typed.strip().lower()).exists()
    hash_before = User.objects.get(email=typed.strip().lower()).password if existed else None
    response = client.post("/account/signup/", data)
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 302:
        assert response["Location"].startswith("/account/signup/sent/")
        assert last(data["password"]) == last(data["password_again"])
        # Nobody is signed in by a sign-up: the address must be confirmed by the link first.
        assert client.session.get("_auth_user_id") is None
        user = User.objects.get(email=typed.strip().lower())
        if existed:  # an address that had an account: nothing about it changed
            assert User.objects.count() == before
            assert user.password == hash_before
        else:
            assert User.objects.count() == before + 1
            assert user.kind == User.Kind.RESIDENT
            assert user.check_password(last(data["password"]))
    else:
        assert User.objects.count() == before
        assert "<script>alert(1)</script>" not in response.content.decode()


@FUZZ
@given(language=value, next_=value)
def test_language_switch_survives_hostile_posts(client, demo, language, next_):
    response = client.post("/i18n/setlang/", {"language": language, "next": next_})
    assert response.status_code in (200, 302, 204)
    page = client.get("/")
    assert page.status_code == 200
    assert page["Content-Language"] in ("ja", "en", "zh-Hans", "ko", "vi", "pt-BR")
