"""Looking residents up: 異体字 folding, kana, households, the audit trail and who may look."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory

from madoguchi.conftest import client_for
from madoguchi.core.models import AuditEvent
from madoguchi.registry import selectors, services
from madoguchi.registry.contrib.file_import import importer
from madoguchi.registry.plugins import ResidentQuery
from madoguchi.staff.tests.helpers import member, staff_login

from .helpers import FAMILY, person, write

URL = "/staff/registry/"


@pytest.fixture
def registry(demo, tmp_path):
    rows = [*FAMILY, person("42345678901", "佐藤　健", "サトウ　ケン", household="00000004",
                            reason="転出", changed_on="2026-01-31")]
    importer.import_file(write(tmp_path / "family.csv", rows))


def names(households: list[selectors.Household]) -> list[list[str]]:
    return [[m.name for m in h.members] for h in households]


@pytest.mark.parametrize("query", [
    ResidentQuery(name="高橋"), ResidentQuery(name="髙橋"), ResidentQuery(name="高橋 一郎"),
    ResidentQuery(kana="たかはし"), ResidentQuery(kana="ﾀｶﾊｼ ｲﾁﾛｳ"),
    ResidentQuery(birth_date=dt.date(1975, 5, 5)),
    ResidentQuery(address="緑ヶ丘市若葉町2丁目14番3号"), ResidentQuery(address="緑ケ丘市若葉町"),
    ResidentQuery(resident_code="１２３４５６７８９０１"),
])
def test_the_household_is_found_by_any_field(registry, query):
    households = selectors.search(query)
    assert names(households) == [["髙橋　一郎", "髙橋　花子", "髙橋　蓮"]]


def test_variant_characters_fold_and_names_stay_as_written(registry):
    assert names(selectors.search(ResidentQuery(name="山崎　正人"))) == [["山﨑　正人"]]
    assert names(selectors.search(ResidentQuery(name="吉田"))) == [["𠮷田　凛"]]
    found = selectors.find(ResidentQuery(name="吉田 凛"))
    assert found[0].has_gaiji and found[0].name == "𠮷田　凛"
    # Every given field must match.
    assert selectors.search(ResidentQuery(name="高橋", birth_date=dt.date(1960, 1, 15))) == []
    assert selectors.search(ResidentQuery(name="高")) == []


def test_people_who_left_are_found_only_when_asked(registry):
    query = ResidentQuery(name="佐藤")
    assert selectors.search(query) == []
    (household,) = selectors.search(query, include_inactive=True)
    assert household.members[0].status == "moved_out"
    assert household.members[0].changed_at.date() == dt.date(2026, 1, 31)


def request_for(user):
    request = RequestFactory().post(URL)
    request.user = user
    return request


def test_look_up_is_audited_with_its_purpose_and_no_names(registry):
    counter = member("counter", "shimin")
    result = services.look_up(request_for(counter), ResidentQuery(kana="ヤマザキ"),
                              purpose="  受付番号 12  転入届 ")
    assert result.matched == 1
    event = AuditEvent.objects.filter(action="registry.look_up").get()
    assert event.actor == counter
    assert event.details["purpose"] == "受付番号 12 転入届"
    assert event.details["fields"] == ["kana"]
    assert len(event.details["found"]) == 1
    assert "ヤマザキ" not in str(event.details) and "山﨑" not in str(event.details)


def test_look_up_without_purpose_or_by_another_role_is_refused(registry):
    counter = member("counter", "shimin")
    with pytest.raises(services.PurposeRequired):
        services.look_up(request_for(counter), ResidentQuery(name="高橋"), purpose="   ")
    with pytest.raises(ValueError):
        services.look_up(request_for(counter), ResidentQuery(), purpose="転入届")
    with pytest.raises(PermissionDenied):
        services.look_up(request_for(member("clerk", "shimin")), ResidentQuery(name="高橋"),
                         purpose="転入届")
    assert not AuditEvent.objects.filter(action="registry.look_up").exists()


def test_page_authorization(registry, resident):
    anonymous = Client().get(URL)
    assert anonymous.status_code == 302 and "/staff/login/" in anonymous["Location"]
    assert client_for(resident).get(URL).status_code == 403
    for role in ("clerk", "approver", "head", "dx"):
        client = staff_login(Client(), member(role, "shimin"))
        assert client.get(URL).status_code == 403, role
        assert client.post(URL, {"name": "高橋", "purpose": "x"}).status_code == 403, role
    for role in ("counter", "admin"):
        assert staff_login(Client(), member(role, "shimin")).get(URL).status_code == 200, role
    assert not AuditEvent.objects.filter(action="registry.look_up").exists()


def test_counter_page_finds_the_household_and_writes_the_audit_row(registry):
    client = staff_login(Client(), member("counter", "shimin"))
    page = client.get(URL, HTTP_ACCEPT_LANGUAGE="ja")
    assert "住民記録の照会" in page.content.decode()
    response = client.post(URL, {"name": "たかはし", "purpose": "整理券 A-012 転入届"})
    text = response.content.decode()
    assert response.status_code == 200
    assert "髙橋　一郎" in text and "髙橋　蓮" in text and "外字" in text
    event = AuditEvent.objects.get(action="registry.look_up")
    assert event.details["purpose"] == "整理券 A-012 転入届" and event.details["fields"] == ["kana"]


def test_counter_page_without_purpose_looks_nothing_up(registry):
    client = staff_login(Client(), member("counter", "shimin"))
    response = client.post(URL, {"name": "高橋", "purpose": ""})
    assert response.status_code == 200 and "髙橋　一郎" not in response.content.decode()
    response = client.post(URL, {"purpose": "転入届"})
    assert "髙橋　一郎" not in response.content.decode()
    assert not AuditEvent.objects.filter(action="registry.look_up").exists()


def test_the_staff_menu_links_the_look_up_for_counter_clerks_and_admins_only(demo):
    for role, linked in (("counter", True), ("admin", True), ("clerk", False), ("head", False)):
        client = staff_login(Client(), member(role, "shimin"))
        page = client.get("/staff/", follow=True).content.decode()
        assert (f'href="{URL}"' in page) is linked, role
