"""Household members typed once and row concepts; the resident's signature on the screen;
htmx partial updates of the counter pages and their full-page fallback."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from madoguchi.applications.models import Application
from madoguchi.forms.definition import check_definition
from madoguchi.forms.fields import registry
from madoguchi.forms.fields.group import GroupField
from madoguchi.forms.models import FormDefinition
from madoguchi.forms.services import publish

from .. import interview, person, selectors, signature
from ..models import Signature, Visit, VisitEvent
from .conftest import BASE, EVENT, FORMS, interview_post, run_to_interview, visit_of
from .test_flow import _screen_url

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}
PLAN = {"event": EVENT, f"{EVENT}-date": "2026-04-01", f"{EVENT}-high_school": "yes",
        f"{EVENT}-help_costs": "no"}
MEMBERS = {
    "household-rows": "2",
    "household-0-name-family": "緑川", "household-0-name-given": "花子",
    "household-0-name-family_kana": "ミドリカワ", "household-0-name-given_kana": "ハナコ",
    "household-0-birth_date": "1982-06-03", "household-0-sex": "female",
    "household-0-relationship": "spouse",
    "household-1-name-family": "緑川", "household-1-name-given": "一郎",
    "household-1-name-family_kana": "ミドリカワ", "household-1-name-given_kana": "イチロウ",
    "household-1-birth_date": "2009-04-02", "household-1-sex": "male",
    "household-1-relationship": "child",
}


def _definition(fields: list[dict]) -> dict:
    return {"title": {"ja": "題", "en": "Title"},
            "pages": [{"key": "p", "title": {"ja": "頁", "en": "Page"}, "fields": fields}]}


CHILDREN = {"key": "children", "type": "group", "label": {"ja": "子", "en": "Children"},
            "fields": [{"key": "child_name", "type": "name", "concept": "child.name",
                        "label": {"ja": "氏名", "en": "Name"}},
                       {"key": "child_birth_date", "type": "date", "concept": "child.birth_date",
                        "label": {"ja": "生年月日", "en": "Birth"}}]}


# --- row concepts --------------------------------------------------------------------------------
def test_row_concepts_are_checked_inside_groups_only():
    assert check_definition(_definition([CHILDREN])) == []
    top = {"key": "n", "type": "name", "concept": "child.name", "label": {"ja": "名", "en": "N"}}
    assert any("repeating group" in p or "繰り返し" in p
               for p in check_definition(_definition([top])))
    numbered = {**CHILDREN, "fields": [{**CHILDREN["fields"][0], "concept": "child.1.name"}]}
    assert check_definition(_definition([numbered]))
    wrong_type = {**CHILDREN, "fields": [{**CHILDREN["fields"][1], "concept": "child.name"}]}
    assert check_definition(_definition([wrong_type]))
    twice = {**CHILDREN, "fields": [CHILDREN["fields"][0],
                                    {**CHILDREN["fields"][0], "key": "other"}]}
    assert check_definition(_definition([twice]))


def test_group_rows_are_filled_from_the_household():
    members = person.typed_members([
        {"name": {"family": "山田", "given": "由美"}, "birth_date": "1987-08-20",
         "relationship": "spouse", "sex": "female"},
        {"name": {"family": "山田", "given": "翔太"}, "birth_date": "2016-06-15",
         "relationship": "child", "sex": "male"},
        {"name": {"family": "山田", "given": "葵"}, "birth_date": "2019-01-02",
         "relationship": "child", "sex": "female"}])
    values = person.member_values(members)
    assert values["spouse.name"]["given"] == "由美"
    assert values["child.2.name"]["given"] == "葵" and values["child.1.sex"] == "male"
    assert values["household.member.1.relationship"] == "spouse"
    field = registry.build(CHILDREN)
    assert isinstance(field, GroupField)
    rows = interview.group_rows(field, values)
    assert [r["child_name"]["given"] for r in rows] == ["翔太", "葵"]
    assert rows[1]["child_birth_date"] == "2019-01-02"
    # a pre-application's numbered members give the spouse and children too
    derived = person.derive({k: v for k, v in values.items()
                             if k.startswith("household.member.")})
    assert derived["child.1.name"]["given"] == "翔太" and derived["spouse.name"]["given"] == "由美"


@pytest.mark.parametrize(("applicant", "member", "relation"), [
    ("世帯主", "妻", "spouse"), ("世帯主", "長男", "child"), ("妻", "世帯主", "spouse"),
    ("妻", "子", "child"), ("子", "世帯主", "parent"), ("子", "子", "other"),
    ("世帯主", "同居人", "other")])
def test_registry_relationships_become_relations_to_the_applicant(applicant, member, relation):
    assert person.relation_to_applicant(applicant, member) == relation


# --- the plan page: add a household member, with htmx and without --------------------------------
def _identified(client: Client) -> Visit:
    visit = visit_of(client.post(f"{BASE}/open/"))
    assert client.post(f"{BASE}/{visit.public_id}/new-resident/", {
        "applicant_name-family": "緑川", "applicant_name-given": "太郎",
        "applicant_name-family_kana": "ミドリカワ", "applicant_name-given_kana": "タロウ",
        "applicant_birth_date": "1980-04-01",
        "applicant_address-prefecture": "緑ヶ丘県", "applicant_address-city": "緑ヶ丘市",
        "applicant_address-town": "北山", "applicant_address-street": "1-2-3",
        "applicant_address-postal_code": "999-0101",
    }).status_code == 302
    return visit


def test_adding_a_household_member_without_javascript_gives_the_whole_page(clerk_client):
    visit = _identified(clerk_client)
    response = clerk_client.post(f"{BASE}/{visit.public_id}/plan/",
                                 {**PLAN, "_action": "household:add", "household-rows": "0"})
    page = response.content.decode()
    assert response.status_code == 200 and "<html" in page
    assert 'name="household-0-name-family"' in page
    assert re.search(rf'value="{EVENT}" checked', page)  # what was chosen stays
    assert not VisitEvent.objects.filter(visit=visit, kind="plan").exists()  # nothing saved


def test_adding_a_household_member_with_htmx_gives_only_the_household(clerk_client):
    visit = _identified(clerk_client)
    response = clerk_client.post(f"{BASE}/{visit.public_id}/plan/",
                                 {**PLAN, "_action": "household:add", "household-rows": "1"},
                                 **HX)
    page = response.content.decode()
    assert response.status_code == 200 and "<html" not in page
    assert page.lstrip().startswith('<div id="counter-household"')
    assert 'name="household-1-name-family"' in page
    assert "data-counter-focus" in page


def test_household_members_typed_once_are_kept_and_fill_the_interview(clerk_client):
    visit = _identified(clerk_client)
    url = f"{BASE}/{visit.public_id}/plan/"
    bad = clerk_client.post(url, {**PLAN, **MEMBERS, "household-1-birth_date": "きのう"})
    assert bad.status_code == 422 and "error-summary" in bad.content.decode()
    assert clerk_client.post(url, {**PLAN, **MEMBERS}).status_code == 302
    values = selectors.data(Visit.objects.get(pk=visit.pk))["members"]
    assert values["spouse.name"]["given"] == "花子"
    assert values["child.1.birth_date"] == "2009-04-02"
    assert values["household.member.2.relationship"] == "child"
    assert 'value="一郎"' in clerk_client.get(url).content.decode()  # shown again


# --- the registry search, with htmx and without ---------------------------------------------------
def test_the_registry_search_answers_htmx_with_the_results_only(clerk_client, fake_registry):
    visit = visit_of(clerk_client.post(f"{BASE}/open/"))
    url = f"{BASE}/{visit.public_id}/identify/"
    partial = clerk_client.post(url, {"name": "緑川太郎"}, **HX)
    html = partial.content.decode()
    assert partial.status_code == 200 and "<html" not in html
    assert html.lstrip().startswith('<div id="counter-records"') and "緑川 太郎" in html
    whole = clerk_client.post(url, {"name": "緑川太郎"})
    assert "<html" in whole.content.decode() and 'id="counter-records"' in whole.content.decode()
    error = clerk_client.post(url, {"birth_date": "そのうち"}, **HX)
    assert error.status_code == 200 and "notice--error" in error.content.decode()
    assert clerk_client.post(url, {"birth_date": "そのうち"}).status_code == 422


# --- the signature --------------------------------------------------------------------------------
@pytest.fixture
def signed_form(counter_city: None) -> None:
    """The commuting subsidy's form needs the resident's signature at the counter."""
    form = FormDefinition.objects.get(slug=FORMS[0])
    publish(form, {**form.live_version.definition, "signature": True})


def test_path_data_is_parsed_strictly():
    assert signature.parse_path("M 1 2 L 3 4 M 5 6") == [[(1, 2), (3, 4)], [(5, 6)]]
    for bad in ("L 1 2", "M 1 2 Z", "M 1 2 L 3 4\"/><script>", "M 9999 2", "M -1 2"):
        with pytest.raises(ValueError):
            signature.parse_path(bad)
    assert 'd="M 1 2 L 3 4"' in signature.svg("M 1 2 L 3 4", "label")
    assert "<script" not in signature.svg('M 1 2"/><script>', "label")


def _ready(client: Client) -> tuple[Visit, str]:
    visit = run_to_interview(client)
    assert client.post(f"{BASE}/{visit.public_id}/interview/",
                       interview_post(visit)).status_code == 302
    return visit, _screen_url(client, visit)


def test_the_resident_signs_by_typing_the_name_without_javascript(clerk_client, signed_form):
    visit, url = _ready(clerk_client)
    screen = Client()
    page = screen.get(url).content.decode()
    assert 'name="signature_name"' in page and "data-signature-pad hidden" in page
    refused = screen.post(url, {})
    assert refused.status_code == 422 and "counter-sign-error" in refused.content.decode()
    assert screen.post(url, {"signature_name": "緑川 太郎"}).status_code == 422  # no tick
    visit.refresh_from_db()
    assert visit.confirmed_at is None
    assert clerk_client.post(f"{BASE}/{visit.public_id}/send/").status_code == 302
    assert not Application.objects.exists()
    assert screen.post(url, {"signature_name": "緑川　太郎", "signature_ack": "on"}
                       ).status_code == 302
    visit.refresh_from_db()
    assert visit.confirmed_at is not None
    assert visit.events.filter(kind=VisitEvent.Kind.SIGN, details__method="typed").exists()
    assert clerk_client.post(f"{BASE}/{visit.public_id}/send/").status_code == 302
    signed = Signature.objects.get()
    assert signed.application.procedure.slug == FORMS[0]  # only the form that needs it
    assert signed.method == Signature.Method.TYPED and "緑川" not in signed.sealed
    case = clerk_client.get(f"/staff/applications/{signed.application.public_id}/").content.decode()
    assert "緑川 太郎" in case and "窓口での署名" in case
    timeline = clerk_client.get(f"{BASE}/{visit.public_id}/").content.decode()
    assert "住民が署名" in timeline


def test_a_drawn_signature_is_attached_and_shown(clerk_client, signed_form):
    visit, url = _ready(clerk_client)
    assert Client().post(url, {"signature_path": "M 10 20 L 30 40 L 50 30"}).status_code == 302
    assert clerk_client.post(f"{BASE}/{visit.public_id}/send/").status_code == 302
    signed = Signature.objects.get()
    assert signed.method == Signature.Method.DRAWN
    case = clerk_client.get(f"/staff/applications/{signed.application.public_id}/").content.decode()
    assert 'd="M 10 20 L 30 40 L 50 30"' in case
    # another form of the visit carries no signature
    other = Application.objects.exclude(pk=signed.application_id).get()
    assert not Signature.objects.filter(application=other).exists()


def test_a_visit_without_signed_forms_confirms_with_one_tap(clerk_client):
    visit, url = _ready(clerk_client)
    assert 'name="signature_name"' not in Client().get(url).content.decode()
    assert Client().post(url).status_code == 302
    visit.refresh_from_db()
    assert visit.confirmed_at is not None
    assert not visit.events.filter(kind=VisitEvent.Kind.SIGN).exists()


def test_a_new_interview_asks_for_a_new_signature(clerk_client, signed_form):
    visit, url = _ready(clerk_client)
    Client().post(url, {"signature_name": "緑川 太郎", "signature_ack": "on"})
    assert clerk_client.post(f"{BASE}/{visit.public_id}/interview/",
                             interview_post(visit)).status_code == 302
    visit.refresh_from_db()
    assert visit.confirmed_at is None and not selectors.signature(visit)


# --- the interview: one answer checked with htmx, the whole page without -------------------------
def test_an_answer_is_checked_alone_with_htmx_and_with_the_page_without(clerk_client):
    visit = run_to_interview(clerk_client)
    url = f"{BASE}/{visit.public_id}/interview/"
    post = interview_post(visit)
    phone = next(k for k in post if k.startswith("c_applicant_phone"))
    page = clerk_client.get(url).content.decode()
    assert f'hx-vals=\'{{"_check": "{phone}"}}\'' in page
    bad = clerk_client.post(url, {**post, phone: "でんわ", "_check": phone}, **HX)
    html = bad.content.decode()
    assert bad.status_code == 200 and "<html" not in html
    assert html.startswith(f'<p class="counter-question__check field__error" id="check-{phone}"')
    assert "name=" not in html  # the inputs stay as the clerk typed them
    good = clerk_client.post(url, {**post, "_check": phone}, **HX).content.decode()
    assert "field__error" not in good
    empty = clerk_client.post(url, {**post, phone: "", "_check": phone}, **HX).content.decode()
    assert "field__error" not in empty  # an empty answer waits for the whole page's check
    assert clerk_client.post(url, {**post, "_check": "nope"}, **HX).status_code == 404
    visit.refresh_from_db()
    assert not selectors.data(visit).get("answers")  # checking saves nothing
    # Without JavaScript the same answer is checked with the whole page.
    whole = clerk_client.post(url, {**post, phone: "でんわ"})
    assert whole.status_code == 422 and "error-summary" in whole.content.decode()
    assert clerk_client.post(url, post).status_code == 302
