"""The counter visit end to end through its pages: walk-in and registry, the interview with
concepts asked once, the resident's screen, sending in one transaction, handoff and the end."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import timezone

from madoguchi.applications.models import Application, Channel
from madoguchi.applications.services import SubmissionRefused
from madoguchi.catalog.models import City
from madoguchi.conftest import client_for
from madoguchi.core.models import AuditEvent, User
from madoguchi.demo.city import staff_email
from madoguchi.registry.contrib.file_import import importer
from madoguchi.registry.tests.helpers import FAMILY, write
from madoguchi.tickets import services as ticket_services
from madoguchi.tickets.models import Purpose, Ticket

from .. import services
from ..models import Visit, VisitEvent
from ..tokens import screen_token
from .conftest import BASE, EVENT, choose_event, interview_post, run_to_interview, visit_of

pytestmark = pytest.mark.django_db


def _screen_url(client: Client, visit: Visit) -> str:
    page = client.get(f"{BASE}/{visit.public_id}/").content.decode()
    match = re.search(r'href="https?://[^/"]+(/staff/counter/screen/[^"]+/)"', page)
    assert match, "no screen link"
    return match.group(1)


def _answer_and_confirm(client: Client, visit: Visit) -> None:
    response = client.post(f"{BASE}/{visit.public_id}/interview/", interview_post(visit))
    assert response.status_code == 302
    screen = Client()  # the tablet facing the resident: no staff session
    url = _screen_url(client, visit)
    page = screen.get(url)
    assert page.status_code == 200
    assert "緑川" in page.content.decode()
    assert screen.post(url).status_code == 302


def _actions(visit: Visit) -> list[str]:
    return list(AuditEvent.objects.filter(target_id=str(visit.public_id))
                .order_by("pk").values_list("action", flat=True))


def test_a_walk_in_files_two_forms_of_two_departments_in_one_visit(clerk_client):
    visit = run_to_interview(clerk_client)
    page = clerk_client.get(f"{BASE}/{visit.public_id}/interview/").content.decode()
    # The applicant's name and phone are asked once for both forms, prefilled from what the
    # clerk typed for the new resident.
    assert page.count('name="c_applicant_name-family"') == 1
    assert 'name="f0_applicant_name-family"' not in page
    assert 'name="f1_participant_name-family"' not in page
    assert re.search(r'name="c_applicant_name-family" value="緑川"', page)
    _answer_and_confirm(clerk_client, visit)

    response = clerk_client.post(f"{BASE}/{visit.public_id}/send/")
    assert response.status_code == 302
    assert response["Location"].endswith(f"/{visit.public_id}/summary/")
    made = list(Application.objects.filter(channel=Channel.COUNTER).order_by("pk"))
    assert [a.procedure.slug for a in made] == ["tsugaku-hojo", "kenko-kyoshitsu"]
    assert {a.department.code for a in made} == {"kosodate", "kenko"}
    for application in made:
        assert application.receipt_number
        assert application.applicant is None
        assert application.applicant_name == "緑川 太郎"
        assert application.events.get().actor.email == staff_email("kosodate1")
    assert made[0].answers["phone"] == made[1].answers["phone"] == "09012345678"
    assert made[0].answers["applicant_name"] == made[1].answers["participant_name"]

    summary = clerk_client.get(f"{BASE}/{visit.public_id}/summary/").content.decode()
    for application in made:
        assert application.receipt_number in summary
    visit.refresh_from_db()
    assert visit.state == Visit.State.SENT
    kinds = list(visit.events.values_list("kind", flat=True))
    assert kinds == ["start", "identify", "plan", "interview", "confirm", "send"]
    assert _actions(visit) == ["counter.visit_opened", "counter.identified", "counter.plan",
                               "counter.forms_chosen", "counter.interview", "counter.confirmed",
                               "counter.sent"]


def test_the_resident_is_found_in_the_registry_and_prefills_the_interview(
        clerk_client, fake_registry):
    visit = visit_of(clerk_client.post(f"{BASE}/open/"))
    url = f"{BASE}/{visit.public_id}/identify/"
    page = clerk_client.post(url, {"name": "緑川太郎"}).content.decode()
    assert "緑川 太郎" in page and "12345678901" not in page
    assert 'method="post" class="counter-search"' in page  # names stay out of URLs and logs
    response = clerk_client.post(url, {"name": "緑川太郎", "record": "r-1"})
    assert response.status_code == 302
    plan = clerk_client.get(f"{BASE}/{visit.public_id}/plan/").content.decode()
    assert "緑川 花子" in plan and "緑川 一郎" in plan
    choose_event(clerk_client, visit)
    page = clerk_client.get(f"{BASE}/{visit.public_id}/interview/").content.decode()
    assert re.search(r'name="c_applicant_name-given" value="太郎"', page)
    assert re.search(r'name="c_applicant_name-family_kana" value="ミドリカワ"', page)
    assert re.search(r'name="c_applicant_address-city" value="緑ヶ丘市"', page)
    lookups = AuditEvent.objects.filter(action="counter.registry_lookup",
                                        target_id=str(visit.public_id))
    assert lookups.count() == 2  # the search, and the choice looked up again
    for event in lookups:
        assert event.details["purpose"] == "counter visit"
        assert event.details["fields"] == ["name"]
        assert "緑川" not in str(event.details)
    assert AuditEvent.objects.filter(action="counter.registry_household").count() == 1
    visit.refresh_from_db()
    assert (visit.connector, visit.record_id) == ("fake_registry", "r-1")
    assert "緑川" not in visit.sealed  # sealed at rest


def test_without_a_registry_connector_the_clerk_types_the_resident_once(clerk_client,
                                                                        no_registry):
    visit = visit_of(clerk_client.post(f"{BASE}/open/"))
    page = clerk_client.get(f"{BASE}/{visit.public_id}/identify/").content.decode()
    assert "No resident registry is connected" in page or "住民記録に接続していない" in page
    assert f"/{visit.public_id}/new-resident/" in page
    response = clerk_client.post(f"{BASE}/{visit.public_id}/new-resident/", {})
    assert response.status_code == 422
    assert "field__error" in response.content.decode()


def test_a_failure_in_the_second_application_leaves_none(clerk_client, monkeypatch):
    visit = run_to_interview(clerk_client)
    _answer_and_confirm(clerk_client, visit)
    real = services.submit_application
    calls = []

    def failing(**kwargs):
        calls.append(kwargs["version"].form.slug)
        if len(calls) == 2:
            raise SubmissionRefused({"consent": "refused"}, message="refused for the test")
        return real(**kwargs)

    monkeypatch.setattr(services, "submit_application", failing)
    response = clerk_client.post(f"{BASE}/{visit.public_id}/send/", follow=True)
    assert response.status_code == 200
    assert "refused for the test" in response.content.decode()
    assert calls == ["tsugaku-hojo", "event-moshikomi"]
    assert not Application.objects.filter(channel=Channel.COUNTER).exists()
    visit.refresh_from_db()
    assert visit.state == Visit.State.OPEN and visit.applications == []

    monkeypatch.setattr(services, "submit_application", real)
    clerk_client.post(f"{BASE}/{visit.public_id}/send/")
    assert Application.objects.filter(channel=Channel.COUNTER).count() == 2


def test_sending_twice_creates_each_application_once(clerk_client, clerk):
    visit = run_to_interview(clerk_client)
    _answer_and_confirm(clerk_client, visit)
    first = clerk_client.post(f"{BASE}/{visit.public_id}/send/")
    second = clerk_client.post(f"{BASE}/{visit.public_id}/send/")
    assert first.status_code == second.status_code == 302
    assert Application.objects.filter(channel=Channel.COUNTER).count() == 2
    visit.refresh_from_db()
    request = type("R", (), {})()  # services.send needs a request only for the audit log
    request.user, request.META = clerk, {}
    again = services.send(request, clerk.staff_profile, visit)
    assert sorted(a.pk for a in again) == sorted(visit.applications)
    assert Application.objects.filter(channel=Channel.COUNTER).count() == 2


def test_nothing_is_sent_before_the_resident_confirms_and_changes_need_a_new_confirmation(
        clerk_client):
    visit = run_to_interview(clerk_client)
    clerk_client.post(f"{BASE}/{visit.public_id}/interview/", interview_post(visit))
    response = clerk_client.post(f"{BASE}/{visit.public_id}/send/")
    assert response.status_code == 302
    assert not Application.objects.filter(channel=Channel.COUNTER).exists()
    _answer_and_confirm(clerk_client, visit)
    clerk_client.post(f"{BASE}/{visit.public_id}/interview/", interview_post(visit))
    visit.refresh_from_db()
    assert visit.confirmed_at is None


def test_the_interview_shows_the_forms_own_messages(clerk_client):
    visit = run_to_interview(clerk_client)
    post = interview_post(visit)
    name_field = "c_applicant_name"
    post[f"{name_field}-family_kana"] = "abc"
    post.pop("c_applicant_phone")
    response = clerk_client.post(f"{BASE}/{visit.public_id}/interview/", post)
    assert response.status_code == 422
    page = response.content.decode()
    assert "フリガナは、カタカナまたはひらがなで入力してください" in page  # NameField's own message
    assert "電話番号を入力してください" in page  # required by 通学費補助, optional for the class


@pytest.mark.parametrize("path,data", [
    ("open/", {"ticket": "x" * 50}),
    ("open/", {"ticket": "99999"}),
    ("{v}/identify/", {"name": "\x00" * 10, "birth_date": "令和99年99月99日", "record": "junk"}),
    ("{v}/new-resident/", {"applicant_birth_date": "🙂", "applicant_address-postal_code": "x"}),
    ("{v}/plan/", {"event": ["nope", EVENT], f"{EVENT}-date": "junk", "member": "x"}),
    ("{v}/procedures/", {"form": ["../../etc", ""]}),
    ("{v}/interview/", {"c_applicant_name-family": ["a", "b"], "_action": "x:y" * 200}),
    ("{v}/send/", {}),
    ("{v}/take-over/", {}),
    ("screen/not-a-token/", {}),
])
def test_junk_never_gives_a_server_error(clerk_client, path, data):
    visit = run_to_interview(clerk_client)
    url = f"{BASE}/" + path.format(v=visit.public_id)
    for response in (clerk_client.get(url, data), clerk_client.post(url, data)):
        assert response.status_code in (200, 302, 404, 405, 422), response.status_code


@pytest.mark.parametrize("who,expected", [
    (None, 302), ("resident", 403), ("dx1", 403), ("shimin1", 404), ("kosodate2", 200)])
def test_only_clerks_of_the_departments_concerned_see_a_visit(clerk_client, resident, who,
                                                               expected):
    visit = run_to_interview(clerk_client)
    user = resident if who == "resident" else (
        User.objects.get(email=staff_email(who)) if who else None)
    client = client_for(user)
    for page in ("", "identify/", "interview/", "summary/"):
        response = client.get(f"{BASE}/{visit.public_id}/{page}")
        assert response.status_code in ((expected,) if page == "" or expected != 200
                                        else (200, 302)), (page, response.status_code)
    if who is None:
        assert "/staff/login/" in client.get(f"{BASE}/").url
    index = client.get(f"{BASE}/")
    assert index.status_code == (200 if who in ("shimin1", "kosodate2") else expected)


def test_another_department_takes_the_visit_over_at_the_same_seat(clerk_client, kenko_clerk):
    visit = run_to_interview(clerk_client)
    visit.refresh_from_db()
    kenko = kenko_clerk.staff_profile.department_id
    assert visit.pending_departments == [kenko]
    other = client_for(kenko_clerk)
    page = other.get(f"{BASE}/{visit.public_id}/").content.decode()
    assert "Take the visit over" in page or "引き継" in page
    assert other.get(f"{BASE}/").content.decode().count(str(visit.public_id)) == 1
    assert other.post(f"{BASE}/{visit.public_id}/take-over/").status_code == 302
    visit.refresh_from_db()
    assert visit.department_id == kenko and visit.pending_departments == []
    handoff = visit.events.get(kind=VisitEvent.Kind.HANDOFF)
    assert handoff.actor == kenko_clerk and handoff.department_id == kenko
    # The first clerk no longer holds it: not theirs to change, nor to take again.
    assert clerk_client.get(f"{BASE}/{visit.public_id}/").status_code == 404
    assert other.post(f"{BASE}/{visit.public_id}/end/").status_code == 302
    visit.refresh_from_db()
    assert visit.state == Visit.State.ENDED
    assert "counter.handoff" in _actions(visit) and "counter.ended" in _actions(visit)


def test_a_visit_opened_from_a_called_ticket_keeps_its_timeline(clerk_client, clerk):
    purpose = Purpose.objects.get(code="kosodate")
    ticket = ticket_services.issue(purpose, channel=Ticket.Channel.KIOSK)
    Ticket.objects.filter(pk=ticket.pk).update(state=Ticket.State.CALLED,
                                               called_at=timezone.now())
    page = clerk_client.get(f"{BASE}/").content.decode()
    assert ticket.label in page
    visit = visit_of(clerk_client.post(f"{BASE}/open/", {"ticket": str(ticket.pk)}))
    ticket.refresh_from_db()
    assert ticket.state == Ticket.State.SERVING and visit.ticket_id == ticket.pk
    assert list(visit.events.values_list("kind", flat=True)) == ["ticket", "call", "start"]
    clerk_client.post(f"{BASE}/{visit.public_id}/end/")
    ticket.refresh_from_db()
    assert ticket.state == Ticket.State.DONE


def test_a_screen_token_shows_only_its_own_visit(clerk_client):
    first = run_to_interview(clerk_client)
    second = visit_of(clerk_client.post(f"{BASE}/open/"))
    token = screen_token(first.public_id)
    assert Client().get(f"{BASE}/screen/{token}/").status_code == 200
    forged = token.replace(str(first.public_id), str(second.public_id))
    assert Client().get(f"{BASE}/screen/{forged}/").status_code == 404


def test_the_staff_menu_links_the_counter(clerk_client):
    page = clerk_client.get("/staff/", follow=True).content.decode()
    assert 'href="/staff/counter/"' in page


def test_the_imported_registry_finds_and_takes_the_resident(clerk_client, tmp_path):
    """The real file-import connector: its record ids are 64-character keyed hashes."""
    importer.import_file(write(tmp_path / "extract.csv", FAMILY))
    visit = visit_of(clerk_client.post(f"{BASE}/open/"))
    url = f"{BASE}/{visit.public_id}/identify/"
    page = clerk_client.post(url, {"name": "高橋一郎"}).content.decode()
    record_id = re.search(r'name="record" value="([0-9a-f]+)"', page).group(1)
    assert len(record_id) == 64
    response = clerk_client.post(url, {"name": "高橋一郎", "record": record_id})
    assert response.status_code == 302 and response["Location"].endswith("/plan/")
    plan = clerk_client.get(response["Location"]).content.decode()
    assert "髙橋　花子" in plan or "髙橋 花子" in plan


def test_the_screen_facing_the_resident_has_furigana_where_the_city_turns_it_on(clerk_client):
    visit = run_to_interview(clerk_client)
    url = f"{BASE}/screen/{screen_token(visit.public_id)}/"
    City.objects.update(ruby_on_counter_screen=True)
    page = Client().get(url).content.decode()
    assert "<ruby>" in page and '<rt aria-hidden="true">' in page
    City.objects.update(ruby_on_counter_screen=False)
    assert "<ruby>" not in Client().get(url).content.decode()
