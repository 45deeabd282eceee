"""Measured effect of a visit (minutes, forms, answers prefilled vs typed, the clerk's keys),
and the move-in forms the city takes at the counter only: filed by a clerk, refused online."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from madoguchi.applications.services import SubmissionRefused, submit_application
from madoguchi.catalog.models import Procedure
from madoguchi.catalog.selectors import procedures
from madoguchi.conftest import client_for
from madoguchi.core.models import User
from madoguchi.forms import selectors as form_selectors

from .. import measures, selectors
from ..models import Visit
from .conftest import BASE, interview_post, run_to_interview
from .test_flow import _answer_and_confirm

pytestmark = pytest.mark.django_db
MOVE_IN_FORMS = {"tennyu": "shimin", "kokuho-kanyu": "shimin", "jido-teate": "kosodate",
                 "kodomo-iryohi": "kosodate", "shugaku": "gakko"}


@pytest.mark.parametrize("raw", ["", "x", "-3", "1.5", "１２", "9999999", None, ["3"]])
def test_posted_keys_are_a_small_count_or_unknown(raw):
    assert measures.posted_keys(raw) is None


def test_a_walk_in_visit_is_measured(clerk_client):
    visit = run_to_interview(clerk_client)
    assert Visit.objects.get(pk=visit.pk).clerk_keys is None  # no page posted keys yet
    post = interview_post(visit, _keys="120")
    assert clerk_client.post(f"{BASE}/{visit.public_id}/interview/", post).status_code == 302
    visit.refresh_from_db()
    assert visit.clerk_keys == 120
    # The name (family, given and kana) was prefilled from the new resident's data, but the
    # interview post types the kana in hiragana where the clerk had katakana: typed. The
    # address was prefilled and kept.
    assert visit.fields_prefilled >= 1
    assert visit.fields_typed >= 10
    _answer_and_confirm(clerk_client, visit)
    assert clerk_client.post(f"{BASE}/{visit.public_id}/send/", {"_keys": "1"}).status_code == 302
    assert clerk_client.post(f"{BASE}/{visit.public_id}/end/", {"_keys": "oops"}).status_code == 302
    visit.refresh_from_db()
    assert (visit.forms_produced, visit.clerk_keys) == (2, 121)
    assert visit.minutes is not None and visit.minutes >= 0
    page = clerk_client.get(f"{BASE}/{visit.public_id}/").content.decode()
    assert f"<dd>{visit.minutes}</dd>" in page and "<dd>121</dd>" in page
    found = selectors.measures(timezone.localdate(), timezone.localdate())
    assert (found.visits, found.forms_produced, found.keys_known, found.clerk_keys) == \
        (1, 2, 1, 121)
    assert found.fields_typed == visit.fields_typed


def test_keys_stay_unknown_without_the_script_and_show_on_the_visit_page(clerk_client):
    visit = run_to_interview(clerk_client)
    assert clerk_client.post(f"{BASE}/{visit.public_id}/interview/",
                             interview_post(visit)).status_code == 302
    page = clerk_client.get(f"{BASE}/{visit.public_id}/").content.decode()
    assert Visit.objects.get(pk=visit.pk).clerk_keys is None
    assert "不明" in page and "counter/keys.js" in page


def test_minutes_count_from_the_ticket_or_the_start():
    start = timezone.now()
    visit = Visit(opened_at=start, ended_at=start + dt.timedelta(minutes=12, seconds=20))
    assert measures.minutes_of(visit) == Decimal("12.3")
    assert measures.minutes_of(Visit(opened_at=start)) is None


def test_move_in_forms_are_filed_at_the_counter_and_refused_online(demo, resident):
    for slug, department in MOVE_IN_FORMS.items():
        procedure = Procedure.objects.get(slug=slug)
        assert procedure.form.slug == slug and procedure.department.code == department
        assert form_selectors.live_version(slug) is not None
    counter_only = {p.slug for p in procedures() if p.live_access == "counter"}
    assert counter_only == {"tennyu", "kokuho-kanyu", "jido-teate", "shugaku"}
    for p in procedures().filter(slug__in=counter_only):
        assert not p.accepts_online_application
        assert not Procedure.objects.get(pk=p.pk).accepts_online_application
    online = client_for(User.objects.get(pk=resident.pk))
    anonymous = Client()
    for slug in counter_only:
        assert online.get(f"/apply/{slug}/").status_code == 404
        assert anonymous.get(f"/apply/{slug}/").status_code == 404
        page = anonymous.get(f"/procedures/{slug}/").content.decode()
        assert f'href="/apply/{slug}/"' not in page
        version = form_selectors.live_version(slug)
        with pytest.raises(SubmissionRefused) as refused:
            submit_application(user=resident, version=version, answers={}, token=uuid.uuid4())
        assert refused.value.errors == {"__all__": "this form is filed at the counter only"}
    assert online.get("/apply/kodomo-iryohi/").status_code == 302  # residents still apply
