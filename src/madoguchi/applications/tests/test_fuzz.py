"""Hostile and random input to every form page, the check page and the staff status endpoint.

Whatever arrives, the server answers without a 5xx error, shows what was typed escaped, and
stores an application or a status change only for input that is valid.
"""

from __future__ import annotations

import uuid
from urllib.parse import quote_from_bytes

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from madoguchi.applications.models import TRANSITIONS, Application, Status, StatusEvent
from madoguchi.conftest import (
    CHECK_URL,
    PAGE_KEYS,
    VALID_POST,
    client_for,
    draft_of,
    fill_wizard,
    page_url,
)
from madoguchi.forms.definition import FormSpec

FUZZ = settings(max_examples=50, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

XSS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']
HOSTILE = [
    "", " ", "\u3000", "\x00", "a\x00b", "０９０\x00１２３４", "\x01\x02\x1b\x7f", "\r\n\r\n", "\t",
    "\u202e\u200b\ufeff", "\\ud800\\udfff", "\ufffd", "%00", "%s%s%n", "{{ 7*7 }}", "{% debug %}",
    "'; DROP TABLE applications_application; --", "' OR '1'='1", "1; SELECT pg_sleep(5)",
    *XSS, "../../etc/passwd", "9" * 5000, "-1", "-0", "-99999999999", "99999999999999999999",
    "1e309", "NaN", "Infinity", "0x10", "１２３４５６７８９０１２３", "１５，０００", "100001",
    "null", "true", "[]", "{}", "a" * 3000, "あ" * 3000, "𠮷" * 60, "髙﨑", "ﾞﾟ", "ー",
    "令和0年1月1日", "平成31年5月1日", "明治元年1月1日", "1800-01-01", "0001-01-01", "9999-12-31",
    "2100-02-29", "0000-00-00", "R1.4.30", "yes", "on", "father", "kitayama", "ordinary", "2",
    "check", "9876543", "０１２３４５６", "みどり　はなこ",
]
scalar = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
)
value = st.one_of(scalar, st.lists(scalar, max_size=4))
# Keys safe for the test client's multipart encoder; raw bodies below carry hostile keys.
safe_key = st.text(alphabet=st.characters(whitelist_categories=("L", "N"),
                                          whitelist_characters="-_"), min_size=1, max_size=20)


def page_payload(page: str) -> st.SearchStrategy[dict]:
    """A page's POST: valid, empty or random to start with, then fields changed or dropped."""
    names = [*VALID_POST[page], "return"]
    base = st.sampled_from([{}, dict(VALID_POST[page])])
    changes = st.dictionaries(st.one_of(st.sampled_from(names), safe_key), value,
                              max_size=len(names) + 2)
    drops = st.sets(st.sampled_from(names))
    return st.builds(
        lambda b, c, d: {k: v for k, v in {**b, **c}.items() if k not in d}, base, changes, drops
    )


def assert_escaped(html: str) -> None:
    for attack in XSS:
        assert attack not in html


@pytest.fixture
def wizard_client(resident):
    client = client_for(resident)
    fill_wizard(client)
    return client


@pytest.fixture
def spec(form_version):
    return FormSpec(form_version.definition)


@pytest.mark.parametrize("page", PAGE_KEYS)
@FUZZ
@given(data=st.data())
def test_form_pages_survive_hostile_posts(wizard_client, spec, page, data):
    payload = data.draw(page_payload(page), label="payload")
    before = dict((draft_of(wizard_client) or {"answers": {}})["answers"])
    response = wizard_client.post(page_url(page), payload)
    assert response.status_code in (302, 422), response.status_code
    assert Application.objects.count() == 0
    after = (draft_of(wizard_client) or {"answers": {}})["answers"]
    fields = spec.page(page).value_fields
    if response.status_code == 422:
        assert_escaped(response.content.decode())
        assert after == before  # nothing of an invalid page is kept as an answer
    else:
        for field in fields:  # every kept answer is valid and can be shown again
            stored = after.get(field.key)
            if stored is not None:
                assert field.validate(field.raw_from_value(stored)) == stored
        check = wizard_client.get(CHECK_URL)
        assert check.status_code == 200  # the draft stays complete and displayable
        assert_escaped(check.content.decode())


raw_pairs = st.lists(
    st.tuples(st.one_of(st.sampled_from([k.encode() for p in VALID_POST.values() for k in p]),
                        st.binary(max_size=20)),
              st.binary(max_size=200)),
    max_size=12,
)


@FUZZ
@given(page=st.sampled_from(PAGE_KEYS), pairs=raw_pairs,
       extra=st.sampled_from([b"", b"&&&", b"=", b"%", b"%ZZ", b"%ED%A0%80=%ED%A0%80",
                              b"phone=%FF%FE", b"a=" + b"%00" * 100]))
def test_form_pages_survive_undecodable_bodies(wizard_client, page, pairs, extra):
    body = b"&".join(quote_from_bytes(k).encode() + b"=" + quote_from_bytes(v).encode()
                     for k, v in pairs) + extra
    response = wizard_client.generic("POST", page_url(page), body,
                                      content_type="application/x-www-form-urlencoded")
    assert response.status_code in (302, 400, 422), response.status_code
    assert Application.objects.count() == 0
    assert wizard_client.get(CHECK_URL).status_code == 200


@pytest.mark.parametrize("content_type", ["application/json", "text/plain",
                                          "multipart/form-data; boundary=x", "multipart/form-data"])
def test_form_page_with_a_strange_content_type(wizard_client, content_type):
    response = wizard_client.generic("POST", page_url("applicant"), b'{"phone": "1"}\x00--x--',
                                     content_type=content_type)
    assert response.status_code in (400, 422)


REAL = "<the real token>"
token_scalar = st.one_of(
    st.just(REAL),
    st.sampled_from(HOSTILE),
    st.uuids().map(str),
    st.uuids().map(lambda u: u.hex.upper()),
    st.text(max_size=60, alphabet=st.characters(blacklist_categories=("Cs",))),
)
token_value = st.one_of(token_scalar, st.lists(token_scalar, max_size=3))


def effective(value) -> str | None:
    """What the server reads for a key: the last of repeated values (QueryDict.get)."""
    if isinstance(value, list):
        return value[-1] if value else None
    return value


def same_uuid(a: str | None, b: str) -> bool:
    try:
        return a is not None and uuid.UUID(a) == uuid.UUID(b)
    except (ValueError, TypeError, AttributeError):
        return False


@FUZZ
@given(token=token_value, extra=st.dictionaries(safe_key, value, max_size=3),
       send_token=st.booleans())
def test_check_page_survives_hostile_posts(resident, wizard_client, token, extra, send_token):
    if draft_of(wizard_client) is None or not draft_of(wizard_client)["done"]:
        fill_wizard(wizard_client)
    real = draft_of(wizard_client)["token"]
    def swap(t: str) -> str:
        return real if t == REAL else t

    token = [swap(t) for t in token] if isinstance(token, list) else swap(token)
    payload = {k: v for k, v in extra.items() if k != "token"}
    if send_token:
        payload["token"] = token
    before = Application.objects.count()
    response = wizard_client.post(CHECK_URL, payload)
    assert response.status_code in (302, 422), response.status_code
    valid = send_token and same_uuid(effective(token), real)
    assert Application.objects.count() == before + (1 if valid else 0)
    if valid:
        application = Application.objects.get(submission_token=real)
        assert application.applicant == resident
        assert response["Location"] == f"/my/applications/{application.public_id}/submitted/"
    else:
        assert response.status_code == 422
        assert_escaped(response.content.decode())


@pytest.fixture
def staff_client(staff_user):
    return client_for(staff_user)


status_value = st.one_of(
    st.sampled_from([*Status.values, "", "REJECTED", "approved ", "archived"]),
    st.sampled_from(HOSTILE), st.lists(st.sampled_from([*Status.values, *HOSTILE[:10]]),
                                       max_size=3),
)


@FUZZ
@given(to_status=status_value, reason=value, send=st.sets(st.sampled_from(["to_status", "reason"])),
       extra=st.dictionaries(safe_key, value, max_size=2))
def test_staff_status_endpoint_survives_hostile_posts(
    staff_client, make_application, to_status, reason, send, extra
):
    open_statuses = [Status.RECEIVED, Status.UNDER_REVIEW]
    application = Application.objects.filter(status__in=open_statuses).first()
    if application is None:
        application = make_application()
    old = application.status
    events = StatusEvent.objects.filter(application=application).count()
    payload = dict(extra)
    if "to_status" in send:
        payload["to_status"] = to_status
    if "reason" in send:
        payload["reason"] = reason
    response = staff_client.post(f"/staff/applications/{application.public_id}/status/", payload)
    assert response.status_code == 302
    assert response["Location"] == f"/staff/applications/{application.public_id}/"
    application.refresh_from_db()
    new_events = StatusEvent.objects.filter(application=application).count() - events
    if application.status == old:
        assert new_events == 0
    else:
        assert application.status in TRANSITIONS[old]
        assert new_events == 1
        assert application.status == effective(payload.get("to_status"))
        event = application.events.last()
        if application.status == Status.REJECTED:
            assert event.reason and event.reason == event.reason.strip()
            assert application.status_reason == event.reason
    page = staff_client.get(response["Location"])
    assert page.status_code == 200
    assert_escaped(page.content.decode())


@FUZZ
@given(query=st.one_of(scalar, st.lists(scalar, max_size=3)))
def test_search_survives_hostile_queries(client, demo, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert_escaped(response.content.decode())
