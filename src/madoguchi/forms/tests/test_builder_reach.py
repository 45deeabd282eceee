"""A form a clerk publishes is reachable by residents: one rule for the apply view, the
procedure page, the list of procedures and the navigator; unpublishing or unlinking takes it
away again."""

from __future__ import annotations

import pytest
from django.test import Client

from madoguchi.catalog import selectors as catalog_selectors
from madoguchi.catalog.models import Procedure
from madoguchi.conftest import client_for, visible_text
from madoguchi.forms import services
from madoguchi.forms.models import FormDefinition

from .test_builder_views import add_field, create, publish, reload

BASE = "/staff/forms"
# 子育て支援課's daycare application: the demo has no form for it and never set it online.
OFFLINE_PROCEDURE = "hoikusho"
BIRTH_WITH_DAYCARE = {"date": "R8.12.1", "born_abroad": "no", "kokuho": "yes",
                      "daycare": "yes"}


@pytest.fixture
def staff_client(staff_user) -> Client:
    return client_for(staff_user)


def daycare_form(client: Client) -> FormDefinition:
    """A one-field form linked, through the settings page, to the daycare procedure."""
    form = create(client, "保育所の入所申込み")
    key = add_field(client, form, "text")
    assert client.post(f"{BASE}/{form.pk}/fields/{key}/", {
        "label_ja": "希望する保育所", "label_en": "Daycare centre", "required": "on",
        "key": key}).status_code == 302
    procedure = Procedure.objects.get(slug=OFFLINE_PROCEDURE)
    response = client.post(f"{BASE}/{form.pk}/settings/", {
        "title_ja": "保育所の入所申込み", "title_en": "", "access": "resident",
        "procedure": str(procedure.pk)})
    assert response.status_code == 302
    return reload(form)


def reachable(client: Client, form: FormDefinition) -> dict[str, bool]:
    """Where a resident can (True) or cannot (False) find the way to the form."""
    apply_link = f'href="/apply/{form.slug}/"'
    page = client.get(f"/procedures/{OFFLINE_PROCEDURE}/").content.decode()
    home = client.get("/").content.decode()
    card = home[home.index(f'href="/procedures/{OFFLINE_PROCEDURE}/"'):]
    card = card[:card.index("</li>")]
    navi = client.get("/navi/birth/checklist/", BIRTH_WITH_DAYCARE, follow=True).content.decode()
    procedure = catalog_selectors.procedures().get(slug=OFFLINE_PROCEDURE)
    return {
        "apply view": client.get(f"/apply/{form.slug}/").status_code == 302,
        "procedure page": apply_link in page,
        "online note hidden": "準備中" not in visible_text(page),
        "list badge": "badge--online" in card,
        "navigator": apply_link in navi,
        "model": procedure.accepts_online_application,
        "model without annotation": Procedure.objects.get(slug=OFFLINE_PROCEDURE)
        .accepts_online_application,
    }


def test_the_demo_did_not_put_the_daycare_procedure_online(demo):
    procedure = Procedure.objects.get(slug=OFFLINE_PROCEDURE)
    assert not procedure.online
    assert getattr(procedure, "form", None) is None


def test_publishing_a_linked_form_makes_it_reachable_and_unpublishing_takes_it_away(
    staff_client, resident_client
):
    form = daycare_form(staff_client)
    assert not any(reachable(resident_client, form)[k] for k in (
        "apply view", "procedure page", "list badge", "navigator", "model"))
    publish(staff_client, form)
    assert reachable(resident_client, form) == dict.fromkeys(reachable(resident_client, form),
                                                            True)
    response = staff_client.post(f"{BASE}/{form.pk}/unpublish/")
    assert response.status_code == 302
    after = reachable(resident_client, form)
    assert not any(after[k] for k in ("apply view", "procedure page", "list badge", "navigator",
                                      "model", "model without annotation")), after
    assert not after["online note hidden"]  # the procedure's own note is shown again


def test_unlinking_a_published_form_takes_it_away(staff_client, resident_client):
    form = daycare_form(staff_client)
    publish(staff_client, form)
    services.link_procedure(reload(form), None)
    state = reachable(resident_client, form)
    assert not any(state[k] for k in ("apply view", "procedure page", "list badge", "navigator",
                                      "model")), state


def test_a_published_form_that_is_not_linked_cannot_be_reached(staff_client, resident_client):
    form = create(staff_client, "どこにもつながらないフォーム")
    key = add_field(staff_client, form, "text")
    staff_client.post(f"{BASE}/{form.pk}/fields/{key}/", {"label_ja": "名前", "key": key})
    publish(staff_client, form)
    assert reload(form).live_version is not None
    assert resident_client.get(f"/apply/{form.slug}/").status_code == 404


def test_unpublishing_says_first_what_residents_lose(staff_client):
    form = daycare_form(staff_client)
    assert "builder-unpublish" not in staff_client.get(f"{BASE}/{form.pk}/").content.decode()
    publish(staff_client, form)
    text = visible_text(staff_client.get(f"{BASE}/{form.pk}/").content)
    assert ("手続き「保育所等の入所申込み」のページから「オンラインで申請する」ボタンがなくなり、"
            "入力の途中の住民は送信できなくなります。") in text
