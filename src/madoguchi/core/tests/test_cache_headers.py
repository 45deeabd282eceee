"""Cache-Control: no page that may show personal data is kept by a browser or a cache."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from django.urls import reverse

from madoguchi.conftest import FORM_SLUG
from madoguchi.core.middleware import PUBLIC_PAGES
from madoguchi.faq.models import FaqEntry
from madoguchi.reservations import services
from madoguchi.reservations.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking(demo):
    return services.book(f.slot(), person=f.person(family_name="緑川", given_name="花子"),
                         request_token=f.token())


@pytest.mark.parametrize("name", ["manage", "confirmation", "cancel", "change", "ics"])
def test_booking_pages_behind_the_secret_link_are_not_stored(booking, name):
    response = Client().get(reverse(f"reservations:{name}",
                                    args=[booking.public_id, booking.manage_token]))
    assert response.status_code == 200
    if name == "manage":
        assert "緑川" in response.content.decode()  # the booker's name is on the page
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", [
    "/search/?q=%E5%85%90%E7%AB%A5%E6%89%8B%E5%BD%93",  # what the visitor typed
    "/account/login/", "/account/signup/", "/chat/", f"/apply/{FORM_SLUG}/",
    "/no/such/page/", "/my/",
])
def test_other_pages_are_not_stored_for_visitors(demo, path):
    response = Client().get(path)
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert "no-store" in directives, path


def test_a_refused_post_is_not_stored(demo):
    response = Client().post("/account/login/", {"email": "someone@example.jp", "password": "x"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


def test_public_pages_stay_cacheable_for_visitors(demo):
    for path in ["/", f"/procedures/{FORM_SLUG}/", "/navi/", "/faq/", "/reservations/"]:
        response = Client().get(path)
        assert response.status_code == 200, path
        assert "Cache-Control" not in response, path


def test_public_pages_are_not_stored_once_the_visitor_has_a_session(demo, resident_client):
    visitor = Client()
    visitor.cookies["sessionid"] = "anything"
    assert visitor.get("/")["Cache-Control"] == "no-store"
    flashed = Client()
    flashed.cookies["messages"] = "anything"
    assert flashed.get("/faq/")["Cache-Control"] == "no-store"
    assert resident_client.get("/")["Cache-Control"] == "no-store"
    assert resident_client.get(f"/procedures/{FORM_SLUG}/")["Cache-Control"] == "no-store"


def test_a_views_own_caching_of_public_data_is_kept(demo):
    response = Client().get("/api/postal/9970035/")
    assert response["Cache-Control"] == "public, max-age=86400"


def test_the_public_pages_exist(demo):
    entry = FaqEntry.objects.first()
    args = {"catalog:procedure": [FORM_SLUG], "faq:entry": [entry.pk if entry else 1]}
    for name in PUBLIC_PAGES:
        assert reverse(name, args=args.get(name, [])), name
    assert not any(name.startswith(("residents:", "applications:", "channels:"))
                   for name in PUBLIC_PAGES)


def test_pages_vary_with_the_language_cookie(demo):
    assert "Cookie" in Client().get("/")["Vary"]


def test_a_verification_page_is_not_stored(demo):
    response = Client().get(f"/verify/{uuid.uuid4()}/")
    assert "no-store" in response["Cache-Control"]
