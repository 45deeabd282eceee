"""Fixtures for the counter: the demo city, a clerk of 子育て支援課 and one of 健康推進課, the
"school" life event bringing two forms of two departments, and a fake registry connector."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from madoguchi.catalog.models import LifeEvent, NavigatorRule, Procedure
from madoguchi.conftest import client_for
from madoguchi.core.models import User
from madoguchi.demo.city import staff_email
from madoguchi.registry.plugins import (
    RegistryConnector,
    ResidentQuery,
    ResidentRecord,
    registry_connectors,
)

from ..interview import build_questions
from ..models import Visit
from ..selectors import sources

BASE = "/staff/counter"
EVENT = "school"
FORMS = ("tsugaku-hojo", "event-moshikomi")

TARO = ResidentRecord(record_id="r-1", name="緑川 太郎", kana="ミドリカワ タロウ",
                      birth_date=dt.date(1980, 4, 1), sex="男",
                      address="緑ヶ丘県緑ヶ丘市北山1234番地5", household_id="h-1",
                      relationship="世帯主", resident_code="12345678901")
HANAKO = ResidentRecord(record_id="r-2", name="緑川 花子", kana="ミドリカワ ハナコ",
                        birth_date=dt.date(1982, 6, 3), sex="女", address=TARO.address,
                        household_id="h-1", relationship="妻")
ICHIRO = ResidentRecord(record_id="r-3", name="緑川 一郎", kana="ミドリカワ イチロウ",
                        birth_date=dt.date(2009, 4, 2), sex="男", address=TARO.address,
                        household_id="h-1", relationship="子")


class FakeRegistry(RegistryConnector):
    """Three residents of one household; finds by name (without spaces) or 住民票コード."""

    id = "fake_registry"
    label = "Fake registry"
    people = (TARO, HANAKO, ICHIRO)

    def __init__(self) -> None:
        self.queries: list[ResidentQuery] = []

    def find(self, query: ResidentQuery, *, limit: int = 20) -> list[ResidentRecord]:
        if query.is_empty():
            raise ValueError("empty query")
        self.queries.append(query)
        wanted = query.name.replace(" ", "").replace("\u3000", "")
        return [p for p in self.people
                if (not wanted or p.name.replace(" ", "") == wanted)
                and (not query.resident_code or p.resident_code == query.resident_code)
                and (not query.birth_date or p.birth_date == query.birth_date)][:limit]

    def household(self, household_id: str) -> list[ResidentRecord]:
        return [p for p in self.people if p.household_id == household_id]

    def changes(self, *, since: dt.datetime | None) -> Iterator[ResidentRecord]:
        return iter(self.people)


@pytest.fixture
def no_registry(settings: Any) -> None:
    """The file-import connector (installed everywhere) switched off: no registry is enabled."""
    settings.MADOGUCHI_DISABLED_PLUGINS = {registry_connectors.name: ["file_import"]}


@pytest.fixture
def fake_registry(no_registry: None) -> Iterator[FakeRegistry]:
    with registry_connectors.temporary("fake_registry", FakeRegistry()) as connector:
        yield connector


@pytest.fixture
def counter_city(demo: None) -> None:
    """The "school" event also brings the health class (健康推進課), whose form asks for the
    applicant's name and phone like the commuting subsidy's (子育て支援課)."""
    event = LifeEvent.objects.get(slug=EVENT)
    NavigatorRule.objects.get_or_create(
        event=event, procedure=Procedure.objects.get(slug="kenko-kyoshitsu"),
        defaults={"why": {"ja": "テスト", "en": "Test"}})


@pytest.fixture
def clerk(counter_city: None) -> User:
    return User.objects.get(email=staff_email("kosodate1"))


@pytest.fixture
def kenko_clerk(counter_city: None) -> User:
    return User.objects.get(email=staff_email("kenko1"))


@pytest.fixture
def clerk_client(clerk: User) -> Client:
    return client_for(clerk)


def visit_of(response: Any) -> Visit:
    match = re.search(r"/staff/counter/([0-9a-f-]{36})/", response["Location"])
    assert match, response["Location"]
    return Visit.objects.get(public_id=uuid.UUID(match.group(1)))


def names(visit: Visit) -> dict[tuple[str, str], str]:
    """(form slug, field key) → the interview question's name."""
    visit.refresh_from_db()
    return {target: q.name for q in build_questions(sources(visit)) for target in q.targets}


def interview_post(visit: Visit, **overrides: Any) -> dict[str, Any]:
    """A complete interview for the two forms, typed as a clerk would."""
    n = names(visit)
    event_form = next(s for s in sources(visit) if s.slug == "event-moshikomi")
    session = event_form.spec.field("sessions").spec["options"][0]["value"]
    name, phone = n["tsugaku-hojo", "applicant_name"], n["tsugaku-hojo", "phone"]
    address, bank = n["tsugaku-hojo", "address"], n["tsugaku-hojo", "payment_account"]
    t = {k: n["tsugaku-hojo", k] for slug, k in n if slug == "tsugaku-hojo"}
    e = {k: n["event-moshikomi", k] for slug, k in n if slug == "event-moshikomi"}
    post: dict[str, Any] = {
        f"{name}-family": "緑川", f"{name}-given": "太郎", f"{name}-family_kana": "みどりかわ",
        f"{name}-given_kana": "たろう", phone: "０９０－１２３４－５６７８",
        f"{address}-postal_code": "999-0101", f"{address}-prefecture": "緑ヶ丘県",
        f"{address}-city": "緑ヶ丘市", f"{address}-town": "北山", f"{address}-street": "1234番地5",
        f"{bank}-bank_code": "0001", f"{bank}-branch_code": "001",
        f"{bank}-account_type": "ordinary", f"{bank}-number": "9876543",
        f"{bank}-holder": "ミドリカワ タロウ",
        t["relationship"]: "father", f"{t['student_name']}-family": "緑川",
        f"{t['student_name']}-given": "一郎", f"{t['student_name']}-family_kana": "ミドリカワ",
        f"{t['student_name']}-given_kana": "イチロウ", t["student_birth_date"]: "2009-04-02",
        t["school_name"]: "緑ヶ丘高校", t["grade"]: "2", t["district"]: "kitayama",
        t["term"]: "first", t["transport"]: "bus", t["monthly_pass_cost"]: "15000",
        t["consent"]: "yes",
        e["email"]: "taro@example.jp", f"{e['email']}-confirm": "taro@example.jp",
        e["participants"]: "1", e["sessions"]: [session], e["childcare"]: "no",
        e["consent"]: "yes",
    }
    post.update(overrides)
    return post


def run_to_interview(client: Client, *, walk_in: bool = True) -> Visit:
    """Open a walk-in visit, type a new resident, choose the event and both forms."""
    visit = visit_of(client.post(f"{BASE}/open/"))
    response = client.post(f"{BASE}/{visit.public_id}/new-resident/", {
        "applicant_name-family": "緑川", "applicant_name-given": "太郎",
        "applicant_name-family_kana": "ミドリカワ", "applicant_name-given_kana": "タロウ",
        "applicant_birth_date": "1980-04-01", "applicant_sex": "male",
        "applicant_address-postal_code": "999-0101", "applicant_address-prefecture": "緑ヶ丘県",
        "applicant_address-city": "緑ヶ丘市", "applicant_address-town": "北山",
        "applicant_address-street": "1234番地5"})
    assert response.status_code == 302, response.content.decode()[:3000]
    choose_event(client, visit)
    return visit


def choose_event(client: Client, visit: Visit) -> None:
    response = client.post(f"{BASE}/{visit.public_id}/plan/", {
        "event": EVENT, f"{EVENT}-date": "2026-04-01", f"{EVENT}-high_school": "yes",
        f"{EVENT}-help_costs": "no"})
    assert response.status_code == 302, response.content.decode()[:3000]
    response = client.post(f"{BASE}/{visit.public_id}/procedures/", {"form": list(FORMS)})
    assert response.status_code == 302, response.content.decode()[:3000]
