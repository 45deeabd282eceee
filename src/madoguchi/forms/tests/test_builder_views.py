"""The form builder through the browser: who may use it, editing, publishing and what residents
then get, duplicating, export / import, templates, history and the preview."""

from __future__ import annotations

import copy
import html as html_module
import json
import re
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from madoguchi.applications.models import Application, Draft
from madoguchi.catalog.models import Procedure
from madoguchi.conftest import FORM_SLUG, TOKEN_RE, client_for
from madoguchi.forms import library, services
from madoguchi.forms.builder import PALETTE
from madoguchi.forms.definition import check_definition
from madoguchi.forms.models import FormDefinition, FormRevision, FormVersion
from madoguchi.staff.models import Department
from madoguchi.staff.tests.helpers import staff_login

BASE = "/staff/forms"
# 子育て支援課; linking a form replaces the demo's own (filed at the counter only).
ONLINE_PROCEDURE = "jido-teate"


@pytest.fixture
def staff_client(staff_user) -> Client:
    return client_for(staff_user)


@pytest.fixture
def other_staff_client(other_staff_user) -> Client:
    return client_for(other_staff_user)


@pytest.fixture
def demo_form(demo) -> FormDefinition:
    return FormDefinition.objects.get(slug=FORM_SLUG)


@pytest.fixture
def shimin_form(demo, other_staff_user) -> FormDefinition:
    """A form of 市民課, which 子育て支援課 must never see."""
    from madoguchi.forms.builder import new_definition

    return services.create_form(
        department=Department.objects.get(code="shimin"),
        definition=new_definition("市民課だけのフォーム", "Resident services only"),
        actor=other_staff_user, slug="shimin-only",
    )


def reload(form: FormDefinition) -> FormDefinition:
    return FormDefinition.objects.get(pk=form.pk)


def create(client: Client, title: str = "テスト申請") -> FormDefinition:
    response = client.post(f"{BASE}/new/", {"title_ja": title, "title_en": "Test"})
    assert response.status_code == 302, response.status_code
    pk = int(re.fullmatch(rf"{BASE}/(\d+)/", response["Location"])[1])
    return FormDefinition.objects.get(pk=pk)


def edit(client: Client, form: FormDefinition, **data) -> object:
    response = client.post(f"{BASE}/{form.pk}/edit/", data)
    assert response.status_code == 302, (data, response.status_code)
    return response


def add_field(client: Client, form: FormDefinition, entry: str, page: str = "page_1") -> str:
    response = edit(client, form, op="add_field", page=page, entry=entry)
    match = re.fullmatch(rf"{BASE}/{form.pk}/fields/([a-z0-9_]+)/\?added=1",
                         response["Location"])
    assert match, response["Location"]
    return match[1]


def layout(form: FormDefinition) -> dict[str, list[str]]:
    return {p["key"]: [f["key"] for f in p["fields"]] for p in reload(form).draft["pages"]}


def field_spec(form: FormDefinition, key: str) -> dict:
    return next(f for p in reload(form).draft["pages"] for f in p["fields"] if f["key"] == key)


def link_procedure(client: Client, form: FormDefinition, **extra) -> None:
    procedure = Procedure.objects.get(slug=ONLINE_PROCEDURE)
    data = {"title_ja": reload(form).draft["title"]["ja"], "title_en": "Test",
            "access": "resident", "procedure": str(procedure.pk), **extra}
    response = client.post(f"{BASE}/{form.pk}/settings/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert reload(form).procedure_id == procedure.pk


def publishable_form(client: Client, label: str = "好きな色") -> tuple[FormDefinition, str]:
    """A one-page form with one required text field, linked to a procedure."""
    form = create(client)
    key = add_field(client, form, "text")
    response = client.post(f"{BASE}/{form.pk}/fields/{key}/",
                           {"label_ja": label, "label_en": "Colour", "required": "on",
                            "key": key})
    assert response.status_code == 302
    link_procedure(client, form)
    return form, key


def confirm_page(client: Client, form: FormDefinition) -> str:
    """The publish check (GET), which every publish goes through."""
    response = client.get(f"{BASE}/{form.pk}/publish/")
    assert response.status_code == 200
    return response.content.decode()


def checked_revision(html: str) -> str:
    match = re.search(r'name="revision" value="(\d+)"', html)
    assert match, "the publish check offers no publish button"
    return match[1]


def publish(client: Client, form: FormDefinition, **extra):
    """Publish as a clerk does: read the publish check, then press its button."""
    revision = checked_revision(confirm_page(client, form))
    response = client.post(f"{BASE}/{form.pk}/publish/", {"revision": revision, **extra})
    assert response.status_code == 302
    assert response["Location"] == f"{BASE}/{form.pk}/"
    return response


def problem_list(html: str) -> str:
    """The editor's list of what stops publishing."""
    match = re.search(r'<div class="notice notice--error" id="problems">(.*?)</div>', html, re.S)
    assert match, "no problem list"
    return match[1]


def apply_as(client: Client, form: FormDefinition, key: str, answer: str) -> Application:
    slug = reload(form).slug
    start = client.get(f"/apply/{slug}/")
    assert start.status_code == 302
    assert start["Location"] == f"/apply/{slug}/page_1/"
    response = client.post(f"/apply/{slug}/page_1/", {key: answer})
    assert response["Location"] == f"/apply/{slug}/check/"
    token = TOKEN_RE.search(client.get(f"/apply/{slug}/check/").content.decode())[1]
    response = client.post(f"/apply/{slug}/check/", {"token": token})
    assert response.status_code == 302
    return Application.objects.get(submission_token=token)


# --- who may use the builder --------------------------------------------------------------------
def test_list_shows_only_the_forms_of_the_own_department(staff_client, demo_form, shimin_form):
    response = staff_client.get(f"{BASE}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="{BASE}/{demo_form.pk}/"' in html
    assert f'href="{BASE}/{shimin_form.pk}/"' not in html
    assert "市民課だけのフォーム" not in html
    assert "shimin-only" not in html


def test_the_other_department_sees_its_own_form_only(other_staff_client, demo_form, shimin_form):
    html = other_staff_client.get(f"{BASE}/").content.decode()
    assert f'href="{BASE}/{shimin_form.pk}/"' in html
    assert f'href="{BASE}/{demo_form.pk}/"' not in html


FOREIGN_GETS = ["/", "/edit/", "/settings/", "/fields/phone/", "/pages/applicant/", "/export/",
                "/history/", "/preview/", "/preview/applicant/", "/preview/check/"]
FOREIGN_POSTS = [
    ("/edit/", {"op": "add_page"}),
    ("/edit/", {"op": "remove_field", "field": "phone"}),
    ("/settings/", {"title_ja": "乗っ取り", "access": "anyone"}),
    ("/fields/phone/", {"label_ja": "乗っ取り", "key": "phone"}),
    ("/pages/applicant/", {"title_ja": "乗っ取り"}),
    ("/publish/", {}),
    ("/unpublish/", {}),
    ("/duplicate/", {}),
    ("/history/1/restore/", {}),
    ("/preview/applicant/", {"relationship": "father"}),
]


@pytest.mark.parametrize("suffix", FOREIGN_GETS)
def test_another_departments_form_is_not_found_get(other_staff_client, demo_form, suffix):
    response = other_staff_client.get(f"{BASE}/{demo_form.pk}{suffix}")
    # The edit view only takes POST: 405 says nothing about the form either.
    assert response.status_code == (405 if suffix == "/edit/" else 404)


@pytest.mark.parametrize(("suffix", "data"), FOREIGN_POSTS)
def test_another_departments_form_is_not_found_post(other_staff_client, demo_form, suffix, data):
    before = (reload(demo_form).draft, reload(demo_form).is_open, demo_form.revisions.count(),
              demo_form.versions.count(), FormDefinition.objects.count())
    response = other_staff_client.post(f"{BASE}/{demo_form.pk}{suffix}", data)
    assert response.status_code == 404
    after = (reload(demo_form).draft, reload(demo_form).is_open, demo_form.revisions.count(),
             demo_form.versions.count(), FormDefinition.objects.count())
    assert after == before
    assert reload(demo_form).procedure.slug == FORM_SLUG


def test_a_form_that_does_not_exist_is_not_found(staff_client, demo):
    assert staff_client.get(f"{BASE}/999999/").status_code == 404
    assert staff_client.post(f"{BASE}/999999/publish/").status_code == 404


STAFF_PAGES = ["/", "/new/", "/templates/", "/import/", "/{pk}/", "/{pk}/history/",
               "/{pk}/preview/", "/{pk}/export/", "/{pk}/fields/phone/"]


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_residents_are_refused(resident_client, demo_form, path):
    response = resident_client.get(BASE + path.format(pk=demo_form.pk))
    assert response.status_code == 403


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_anonymous_visitors_are_sent_to_the_staff_login(client, demo_form, path):
    url = BASE + path.format(pk=demo_form.pk)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/?next=")


@pytest.mark.parametrize("path", ["/new/", "/{pk}/edit/", "/{pk}/publish/", "/{pk}/unpublish/",
                                  "/templates/tsugaku-hojo/use/"])
def test_residents_and_anonymous_cannot_post(resident_client, client, demo_form, path):
    url = BASE + path.format(pk=demo_form.pk)
    forms_before = FormDefinition.objects.count()
    assert resident_client.post(url, {"op": "add_page", "title_ja": "x"}).status_code == 403
    assert client.post(url, {"op": "add_page", "title_ja": "x"}).status_code == 302
    assert FormDefinition.objects.count() == forms_before
    assert reload(demo_form).is_open


# --- creating and editing -----------------------------------------------------------------------
def test_create_a_blank_form(staff_client, staff_user):
    form = create(staff_client, "新しい申請")
    assert form.department_id == staff_user.staff_profile.department_id
    assert form.draft["title"]["ja"] == "新しい申請"
    assert form.procedure_id is None
    assert not form.versions.exists()
    assert form.revisions.count() == 1
    assert staff_client.get(f"{BASE}/{form.pk}/").status_code == 200


def test_a_blank_form_needs_a_title(staff_client, demo):
    before = FormDefinition.objects.count()
    response = staff_client.post(f"{BASE}/new/", {"title_ja": "  \x00 ", "title_en": "x"})
    assert response.status_code == 422
    assert FormDefinition.objects.count() == before


def test_add_fields_and_pages_through_edit(staff_client):
    form = create(staff_client)
    text = add_field(staff_client, form, "text")
    choice = add_field(staff_client, form, "choice")
    response = edit(staff_client, form, op="add_page")
    assert response["Location"] == f"{BASE}/{form.pk}/#page-page_2"
    date = add_field(staff_client, form, "date", page="page_2")
    assert layout(form) == {"page_1": [text, choice], "page_2": [date]}
    edit(staff_client, form, op="move_field", field=choice, direction="up")
    assert layout(form) == {"page_1": [choice, text], "page_2": [date]}
    edit(staff_client, form, op="move_field", field=text, direction="down")
    assert layout(form) == {"page_1": [choice], "page_2": [text, date]}
    edit(staff_client, form, op="reorder",
         layout=json.dumps({"page_1": [date, choice], "page_2": [text]}))
    assert layout(form) == {"page_1": [date, choice], "page_2": [text]}
    edit(staff_client, form, op="move_page", page="page_2", direction="up")
    assert list(layout(form)) == ["page_2", "page_1"]
    edit(staff_client, form, op="remove_field", field=date, page="page_1")
    edit(staff_client, form, op="remove_page", page="page_2")
    assert layout(form) == {"page_1": [choice]}
    assert form.revisions.count() == 1 + 10
    editor = staff_client.get(f"{BASE}/{form.pk}/")
    assert editor.status_code == 200
    assert f'id="field-{choice}"' in editor.content.decode()


def test_edit_a_field_label_required_options_and_condition(staff_client):
    form = create(staff_client)
    choice = add_field(staff_client, form, "choice")
    text = add_field(staff_client, form, "text")
    response = staff_client.post(f"{BASE}/{form.pk}/fields/{choice}/", {
        "label_ja": "続柄", "label_en": "Relationship", "hint_ja": "", "hint_en": "",
        "options": "父 / Father\n母 / Mother\nその他 / Other", "widget": "radio",
        "key": "relationship",
    })
    assert response.status_code == 302
    assert response["Location"] == f"{BASE}/{form.pk}/#field-relationship"
    spec = field_spec(form, "relationship")
    assert spec["label"] == {"ja": "続柄", "en": "Relationship"}
    assert "required" not in spec
    assert [o["label"]["ja"] for o in spec["options"]] == ["父", "母", "その他"]
    other = spec["options"][2]["value"]
    response = staff_client.post(f"{BASE}/{form.pk}/fields/{text}/", {
        "label_ja": "具体的に", "required": "on", "key": text,
        "show_if_field": "relationship", "show_if_phrase": "is", "show_if_value": "その他",
        "require_if_field": "",
    })
    assert response.status_code == 302
    spec = field_spec(form, text)
    assert spec["required"] is True
    assert spec["show_if"] == {"==": [{"var": "relationship"}, other]}
    assert "require_if" not in spec
    # The field page shows the condition's option chosen among the field's own options.
    html = staff_client.get(f"{BASE}/{form.pk}/fields/{text}/").content.decode()
    assert f'<option value="relationship:{other}" selected>その他</option>' in html
    # Clearing the condition ("(always)").
    staff_client.post(f"{BASE}/{form.pk}/fields/{text}/",
                      {"label_ja": "具体的に", "key": text, "show_if_field": ""})
    assert "show_if" not in field_spec(form, text)


def test_a_field_edit_with_errors_keeps_what_was_typed_and_saves_nothing(staff_client):
    form = create(staff_client)
    key = add_field(staff_client, form, "number")
    revisions = form.revisions.count()
    response = staff_client.post(f"{BASE}/{form.pk}/fields/{key}/", {
        "label_ja": "人数です", "min": "たくさん", "key": key})
    assert response.status_code == 422
    assert 'value="人数です"' in response.content.decode()
    assert form.revisions.count() == revisions
    assert field_spec(form, key)["label"]["ja"] != "人数です"


@pytest.mark.parametrize("data", [
    {"label_ja": "x", "key": "Bad Key"},
    {"label_ja": "x", "key": "page_1_taken"},
    {"label_ja": "x", "show_if_field": "nope", "show_if_phrase": "is", "show_if_value": "1"},
    {"label_ja": "x", "show_if_field": "text_1", "show_if_phrase": "matches", "show_if_value": "1"},
    {"label_ja": "\x00", "key": "\x00"},
    {},
])
def test_a_bad_field_edit_is_refused_without_a_server_error(staff_client, data):
    form = create(staff_client)
    add_field(staff_client, form, "text")
    second = add_field(staff_client, form, "text")
    if data.get("key") == "page_1_taken":
        data = {**data, "key": "text_1"}
    draft = reload(form).draft
    response = staff_client.post(f"{BASE}/{form.pk}/fields/{second}/", data)
    assert response.status_code == 422
    assert reload(form).draft == draft


def test_unknown_field_or_page_is_not_found(staff_client):
    form = create(staff_client)
    assert staff_client.get(f"{BASE}/{form.pk}/fields/nope/").status_code == 404
    assert staff_client.get(f"{BASE}/{form.pk}/pages/nope/").status_code == 404


def test_edit_a_page_and_its_condition(staff_client):
    form = create(staff_client)
    choice = add_field(staff_client, form, "choice")
    edit(staff_client, form, op="add_page")
    response = staff_client.post(f"{BASE}/{form.pk}/pages/page_2/", {
        "title_ja": "お子さん", "title_en": "Child", "intro_ja": "説明", "intro_en": "",
        "show_if_field": choice, "show_if_phrase": "is", "show_if_value": "はい"})
    assert response.status_code == 302
    page = reload(form).draft["pages"][1]
    assert page["title"] == {"ja": "お子さん", "en": "Child"}
    assert page["show_if"] == {"==": [{"var": choice}, "yes"]}
    response = staff_client.post(f"{BASE}/{form.pk}/pages/page_2/", {"title_ja": ""})
    assert response.status_code == 422


# --- hostile edits ------------------------------------------------------------------------------
HOSTILE = [
    {},
    {"op": "explode"},
    {"op": "\x00"},
    {"op": "add_field"},
    {"op": "add_field", "page": "page_1", "entry": "text\x00"},
    {"op": "add_field", "page": "page_1\x00", "entry": "text"},
    {"op": "add_field", "page": "page_1\r\nSet-Cookie: x=1", "entry": "nope"},
    {"op": "remove_field"},
    {"op": "remove_field", "field": "\x00"},
    {"op": "move_field", "field": "nope", "direction": "sideways"},
    {"op": "move_field"},
    {"op": "move_page", "page": "\x00", "direction": "up"},
    {"op": "remove_page", "page": "page_1"},  # the only page
    {"op": "remove_page"},
    {"op": "reorder"},
    {"op": "reorder", "layout": "{not json"},
    {"op": "reorder", "layout": "[]"},
    {"op": "reorder", "layout": "null"},
    {"op": "reorder", "layout": '{"page_1": "text_1"}'},
    {"op": "reorder", "layout": '{"page_1": [1, 2]}'},
    {"op": "reorder", "layout": '{"page_1": ["text_1", "text_1"]}'},
    {"op": "reorder", "layout": '{"page_9": ["text_1"]}'},
    {"op": "reorder", "layout": '{"page_1": []}'},
    {"op": "reorder", "layout": "[" * 100_000},
    {"op": "reorder", "layout": '{"page_1": ["text_1\\u0000"]}'},
]


@pytest.mark.parametrize("data", HOSTILE)
def test_hostile_edit_posts_change_nothing_and_never_fail(staff_client, data):
    form = create(staff_client)
    add_field(staff_client, form, "text")
    draft, revisions = reload(form).draft, form.revisions.count()
    response = staff_client.post(f"{BASE}/{form.pk}/edit/", data)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{BASE}/{form.pk}/")
    assert "\n" not in response["Location"] and "\x00" not in response["Location"]
    assert reload(form).draft == draft
    assert form.revisions.count() == revisions
    assert staff_client.get(response["Location"]).status_code == 200


def test_hostile_settings_and_import_posts_never_fail(staff_client, demo_form):
    response = staff_client.post(f"{BASE}/{demo_form.pk}/settings/", {
        "title_ja": "\x00", "access": "everyone", "procedure": "1 OR 1=1",
        "applicant_field": "nope", "contact_field": "\x00"})
    assert response.status_code == 422
    other = Procedure.objects.filter(department__code="shimin").first()
    response = staff_client.post(f"{BASE}/{demo_form.pk}/settings/", {
        "title_ja": "題", "access": "resident", "procedure": str(other.pk)})
    assert response.status_code == 422  # a procedure of another department
    assert reload(demo_form).procedure.slug == FORM_SLUG
    assert staff_client.post(f"{BASE}/import/", {}).status_code == 422
    upload = SimpleUploadedFile("x.json", b"\x00\xff{[", content_type="application/json")
    assert staff_client.post(f"{BASE}/import/", {"file": upload}).status_code == 422


def test_settings_offer_the_card_based_sign_in_for_resident_forms(staff_client, demo_form):
    page = staff_client.get(f"{BASE}/{demo_form.pk}/settings/").content.decode()
    assert 'name="assurance" value="high"' in page
    data = {"title_ja": "題", "access": "resident", "assurance": "high",
            "procedure": str(demo_form.procedure_id)}
    assert staff_client.post(f"{BASE}/{demo_form.pk}/settings/", data).status_code == 302
    assert reload(demo_form).draft["assurance"] == "high"
    data.update(access="counter")
    assert staff_client.post(f"{BASE}/{demo_form.pk}/settings/", data).status_code == 302
    assert "assurance" not in reload(demo_form).draft  # only resident forms need the card
    data.update(access="resident", assurance="email")
    staff_client.post(f"{BASE}/{demo_form.pk}/settings/", data)
    assert "assurance" not in reload(demo_form).draft


# --- publishing ---------------------------------------------------------------------------------
def test_publish_is_refused_while_a_condition_points_at_a_deleted_field(staff_client):
    form = create(staff_client)
    choice = add_field(staff_client, form, "choice")
    text = add_field(staff_client, form, "text")
    staff_client.post(f"{BASE}/{form.pk}/fields/{text}/", {
        "label_ja": "理由", "key": text, "show_if_field": choice, "show_if_phrase": "is",
        "show_if_value": "はい"})
    assert "show_if" in field_spec(form, text)
    edit(staff_client, form, op="remove_field", field=choice)
    editor = staff_client.get(f"{BASE}/{form.pk}/").content.decode()
    assert choice in problem_list(editor)
    # The publish check lists the problem and offers no button to publish.
    check = confirm_page(staff_client, form)
    assert choice in problem_list(check)
    assert 'name="revision"' not in check
    # A publish posted anyway is refused by the server with the reasons.
    revision = str(services.latest_revision_number(reload(form)))
    response = staff_client.post(f"{BASE}/{form.pk}/publish/", {"revision": revision},
                                 follow=True)
    assert response.status_code == 200
    assert not form.versions.exists()
    html = response.content.decode()
    assert choice in problem_list(html)
    alerts = re.findall(r'<div class="notice notice--error" role="alert"><p>(.*?)</p></div>', html,
                        re.S)
    assert any(choice in alert for alert in alerts), alerts
    # Once the condition is removed the form can be published.
    staff_client.post(f"{BASE}/{form.pk}/fields/{text}/",
                      {"label_ja": "理由", "key": text, "show_if_field": ""})
    publish(staff_client, form)
    assert form.versions.count() == 1


def test_publish_creates_an_immutable_version_served_to_residents(staff_client, resident_client):
    form, key = publishable_form(staff_client)
    assert resident_client.get(f"/apply/{form.slug}/").status_code == 404  # not yet published
    publish(staff_client, form)
    version = FormVersion.objects.get(form=form)
    assert version.number == 1
    assert version.definition == reload(form).draft
    assert reload(form).is_open
    # The version never changes, whatever happens to the draft.
    staff_client.post(f"{BASE}/{form.pk}/fields/{key}/",
                      {"label_ja": "嫌いな色", "required": "on", "key": key})
    version.refresh_from_db()
    assert version.definition["pages"][0]["fields"][0]["label"]["ja"] == "好きな色"
    version.definition["title"]["ja"] = "改ざん"
    with pytest.raises(ValueError):
        version.save()
    # Residents are served the published version, not the draft.
    page = resident_client.get(f"/apply/{form.slug}/page_1/")
    assert page.status_code == 200
    assert "好きな色" in page.content.decode()
    assert "嫌いな色" not in page.content.decode()


def test_publishing_the_same_draft_twice_makes_one_version(staff_client):
    form, _key = publishable_form(staff_client)
    publish(staff_client, form)
    check = confirm_page(staff_client, form)
    assert "住民はすでにこのフォーム（第1版）を使っています" in check
    assert 'name="revision"' not in check
    revision = str(services.latest_revision_number(reload(form)))
    staff_client.post(f"{BASE}/{form.pk}/publish/", {"revision": revision})
    assert form.versions.count() == 1


def test_applications_keep_their_version_after_a_republish(staff_client, resident_client):
    form, key = publishable_form(staff_client)
    publish(staff_client, form)
    application = apply_as(resident_client, form, key, "みどり")
    first = application.form_version
    staff_client.post(f"{BASE}/{form.pk}/fields/{key}/",
                      {"label_ja": "好きな花", "required": "on", "key": key})
    publish(staff_client, form)
    assert form.versions.count() == 2
    application.refresh_from_db()
    assert application.form_version_id == first.pk
    assert first.number == 1
    detail = resident_client.get(f"/my/applications/{application.public_id}/")
    assert detail.status_code == 200
    html = detail.content.decode()
    assert "好きな色" in html and "みどり" in html
    assert "好きな花" not in html
    # A new application uses the new version.
    second = apply_as(resident_client, form, key, "さくら")
    assert second.form_version.number == 2


def test_unpublish_makes_the_form_unavailable_and_keeps_applications(staff_client,
                                                                     resident_client):
    form, key = publishable_form(staff_client)
    publish(staff_client, form)
    application = apply_as(resident_client, form, key, "あお")
    response = staff_client.post(f"{BASE}/{form.pk}/unpublish/")
    assert response.status_code == 302
    assert not reload(form).is_open
    assert resident_client.get(f"/apply/{form.slug}/").status_code == 404
    assert resident_client.get(f"/apply/{form.slug}/page_1/").status_code == 404
    assert resident_client.get(f"/my/applications/{application.public_id}/").status_code == 200
    assert Application.objects.filter(pk=application.pk).exists()
    # Publishing again opens it (same definition: no new version).
    publish(staff_client, form)
    assert reload(form).is_open
    assert form.versions.count() == 1
    assert resident_client.get(f"/apply/{form.slug}/").status_code == 302


# --- duplicate, export and import, templates ------------------------------------------------------
def test_duplicate_makes_an_unpublished_unlinked_copy(staff_client, demo_form):
    response = staff_client.post(f"{BASE}/{demo_form.pk}/duplicate/")
    assert response.status_code == 302
    pk = int(re.fullmatch(rf"{BASE}/(\d+)/", response["Location"])[1])
    copy_form = FormDefinition.objects.get(pk=pk)
    assert copy_form.pk != demo_form.pk
    assert copy_form.slug.startswith(f"{FORM_SLUG}-copy")
    assert copy_form.department_id == demo_form.department_id
    assert copy_form.procedure_id is None
    assert not copy_form.versions.exists()
    assert copy_form.draft["pages"] == demo_form.draft["pages"]
    assert copy_form.draft["title"] != demo_form.draft["title"]
    assert reload(demo_form).procedure.slug == FORM_SLUG  # the original keeps its procedure


def test_export_then_import_round_trip(staff_client, demo_form):
    response = staff_client.get(f"{BASE}/{demo_form.pk}/export/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert f'filename="{FORM_SLUG}.json"' in response["Content-Disposition"]
    content = response.content
    envelope = json.loads(content)
    assert envelope["form"]["definition"] == demo_form.draft
    upload = SimpleUploadedFile(f"{FORM_SLUG}.json", content, content_type="application/json")
    response = staff_client.post(f"{BASE}/import/", {"file": upload})
    assert response.status_code == 302
    pk = int(re.fullmatch(rf"{BASE}/(\d+)/", response["Location"])[1])
    imported = FormDefinition.objects.get(pk=pk)
    assert imported.pk != demo_form.pk
    assert imported.slug != FORM_SLUG
    assert imported.draft == demo_form.draft
    assert imported.department_id == demo_form.department_id
    assert imported.procedure_id is None
    assert not imported.versions.exists()
    assert imported.revisions.count() == 1


def test_an_imported_form_from_another_department_lands_in_the_own_one(other_staff_client,
                                                                       staff_client, demo_form):
    content = staff_client.get(f"{BASE}/{demo_form.pk}/export/").content
    upload = SimpleUploadedFile("form.json", content, content_type="application/json")
    response = other_staff_client.post(f"{BASE}/import/", {"file": upload})
    assert response.status_code == 302
    imported = FormDefinition.objects.order_by("-pk").first()
    assert imported.department.code == "shimin"


def test_import_refuses_a_broken_definition(staff_client, demo_form):
    envelope = json.loads(staff_client.get(f"{BASE}/{demo_form.pk}/export/").content)
    envelope["form"]["definition"]["pages"][1]["show_if"] = {
        "==": [{"var": "deleted_field"}, "x"]}
    before = FormDefinition.objects.count()
    upload = SimpleUploadedFile("f.json", json.dumps(envelope).encode(),
                                content_type="application/json")
    response = staff_client.post(f"{BASE}/import/", {"file": upload})
    assert response.status_code == 422
    assert "deleted_field" in response.content.decode()
    assert FormDefinition.objects.count() == before


def test_template_list_and_use_this_template(staff_client, staff_user):
    response = staff_client.get(f"{BASE}/templates/")
    assert response.status_code == 200
    html = response.content.decode()
    for template in library.templates():
        assert f'action="{BASE}/templates/{template.slug}/use/"' in html
    template = library.get_template("event-moshikomi")
    original = copy.deepcopy(template.definition)
    response = staff_client.post(f"{BASE}/templates/event-moshikomi/use/")
    assert response.status_code == 302
    pk = int(re.fullmatch(rf"{BASE}/(\d+)/", response["Location"])[1])
    form = FormDefinition.objects.get(pk=pk)
    assert form.draft == original
    assert form.department_id == staff_user.staff_profile.department_id
    assert not form.versions.exists()
    # Editing the copy leaves the template alone.
    edit(staff_client, form, op="add_page")
    assert library.get_template("event-moshikomi").definition == original


def test_unknown_template_is_not_found(staff_client, demo):
    assert staff_client.post(f"{BASE}/templates/nope/use/").status_code == 404
    assert staff_client.get(f"{BASE}/templates/event-moshikomi/use/").status_code == 405


# --- history ------------------------------------------------------------------------------------
def test_history_lists_revisions_and_restore_goes_back(staff_client, staff_user):
    form = create(staff_client)
    first_draft = reload(form).draft
    add_field(staff_client, form, "text")
    edit(staff_client, form, op="add_page")
    response = staff_client.get(f"{BASE}/{form.pk}/history/")
    assert response.status_code == 200
    html = response.content.decode()
    for number in (1, 2):
        assert f'action="{BASE}/{form.pk}/history/{number}/restore/"' in html
    assert "/history/3/restore/" not in html  # the current state has no "go back"
    text = html_module.unescape(html)
    for revision in FormRevision.objects.filter(form=form):
        assert revision.summary in text
    response = staff_client.post(f"{BASE}/{form.pk}/history/1/restore/")
    assert response.status_code == 302
    assert reload(form).draft == first_draft
    latest = form.revisions.first()
    assert latest.number == 4
    assert latest.definition == first_draft
    assert latest.actor == staff_user
    assert staff_client.post(f"{BASE}/{form.pk}/history/99/restore/").status_code == 404
    assert staff_client.get(f"{BASE}/{form.pk}/history/1/restore/").status_code == 405


# --- preview ------------------------------------------------------------------------------------
def test_preview_shows_the_resident_page_and_stores_nothing(staff_client, demo_form):
    applications, drafts = Application.objects.count(), Draft.objects.count()
    response = staff_client.get(f"{BASE}/{demo_form.pk}/preview/")
    assert response.status_code == 302
    assert response["Location"] == f"{BASE}/{demo_form.pk}/preview/applicant/"
    page = staff_client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert 'class="notice notice--preview"' in html
    assert 'name="applicant_name-family"' in html
    assert 'name="_save"' not in html  # nothing to save for later in a preview
    response = staff_client.post(f"{BASE}/{demo_form.pk}/preview/consent/", {})
    assert response.status_code == 422
    assert 'class="error-summary"' in response.content.decode()
    response = staff_client.post(f"{BASE}/{demo_form.pk}/preview/consent/", {"consent": "yes"})
    assert response.status_code == 302
    assert response["Location"] == f"{BASE}/{demo_form.pk}/preview/check/"
    check = staff_client.get(response["Location"])
    assert check.status_code == 200
    assert 'class="notice notice--preview"' in check.content.decode()
    assert 'name="token"' not in check.content.decode()
    assert Application.objects.count() == applications
    assert Draft.objects.count() == drafts


def test_preview_follows_conditions_of_the_draft(staff_client):
    form = create(staff_client)
    choice = add_field(staff_client, form, "choice")
    edit(staff_client, form, op="add_page")
    text = add_field(staff_client, form, "text", page="page_2")
    staff_client.post(f"{BASE}/{form.pk}/pages/page_2/", {
        "title_ja": "詳しく", "show_if_field": choice, "show_if_phrase": "is",
        "show_if_value": "はい"})
    assert "show_if" in reload(form).draft["pages"][1]
    url = f"{BASE}/{form.pk}/preview/page_1/"
    staff_client.get(f"{BASE}/{form.pk}/preview/?restart=1")
    assert staff_client.post(url, {choice: "no"})["Location"].endswith("/preview/check/")
    assert staff_client.post(url, {choice: "yes"})["Location"].endswith("/preview/page_2/")
    assert text
    assert Draft.objects.filter(form=form).count() == 0


def test_preview_of_a_broken_draft_lists_the_problems(staff_client):
    form = create(staff_client)
    choice = add_field(staff_client, form, "choice")
    text = add_field(staff_client, form, "text")
    staff_client.post(f"{BASE}/{form.pk}/fields/{text}/", {
        "label_ja": "理由", "key": text, "show_if_field": choice, "show_if_phrase": "is",
        "show_if_value": "はい"})
    edit(staff_client, form, op="remove_field", field=choice)
    response = staff_client.get(f"{BASE}/{form.pk}/preview/page_1/")
    assert response.status_code == 422
    assert choice in response.content.decode()


def test_preview_of_an_unknown_page_is_not_found(staff_client, demo_form):
    assert staff_client.get(f"{BASE}/{demo_form.pk}/preview/nope/").status_code == 404


def test_a_form_built_from_every_palette_entry_survives_export_and_import(staff_client):
    form = create(staff_client, "全部入り")
    keys = [add_field(staff_client, form, entry) for entry in PALETTE]
    edit(staff_client, form, op="add_page")
    later = add_field(staff_client, form, "text", page="page_2")
    choice = keys[PALETTE.index("choice")]
    response = staff_client.post(f"{BASE}/{form.pk}/fields/{later}/", {
        "label_ja": "理由", "key": later, "show_if_field": choice, "show_if_phrase": "is",
        "show_if_value": "はい", "require_if_field": keys[PALETTE.index("date")],
        "require_if_phrase": "before", "require_if_value": "令和2年4月1日"})
    assert response.status_code == 302, response.content.decode()[:3000]
    staff_client.post(f"{BASE}/{form.pk}/pages/page_2/", {
        "title_ja": "二", "show_if_field": keys[PALETTE.index("consent")],
        "show_if_phrase": "is", "show_if_value": ""})
    draft = reload(form).draft
    assert "show_if" in draft["pages"][1]
    assert check_definition(draft) == []
    content = staff_client.get(f"{BASE}/{form.pk}/export/").content
    upload = SimpleUploadedFile("all.json", content, content_type="application/json")
    response = staff_client.post(f"{BASE}/import/", {"file": upload})
    assert response.status_code == 302, re.findall(r"<li>(.*?)</li>", response.content.decode())
    imported = FormDefinition.objects.order_by("-pk").first()
    assert imported.draft == draft


class _FormInputs(HTMLParser):
    """What a browser would post from the edit-field page as it is shown (no change made)."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, str] = {}
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        name = attributes.get("name")
        if tag == "input" and name and name != "csrfmiddlewaretoken":
            if attributes.get("type") == "checkbox":
                if "checked" in attributes:
                    self.data[name] = "on"
            elif attributes.get("type") == "radio":
                if "checked" in attributes:
                    self.data[name] = attributes.get("value", "")
            else:
                self.data[name] = attributes.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and (
            "selected" in attributes or self._select not in self.data
        ):
            self.data[self._select] = attributes.get("value", "")

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data


@pytest.mark.parametrize("entry", PALETTE)
def test_saving_a_field_page_unchanged_keeps_the_field(staff_client, entry):
    form = create(staff_client)
    add_field(staff_client, form, "choice")
    key = add_field(staff_client, form, entry)
    before = field_spec(form, key)
    page = staff_client.get(f"{BASE}/{form.pk}/fields/{key}/")
    assert page.status_code == 200
    parser = _FormInputs()
    parser.feed(page.content.decode())
    response = staff_client.post(f"{BASE}/{form.pk}/fields/{key}/", parser.data)
    assert response.status_code == 302, re.findall(r"<li>(.*?)</li>", response.content.decode())
    assert field_spec(form, key) == before
    assert check_definition(reload(form).draft) == []


def test_a_group_edits_the_questions_of_each_row(demo):
    """A clerk renames a row question, makes it optional, removes one and adds a phone."""
    from madoguchi.forms import builder, services
    from madoguchi.staff.models import StaffMember

    staff = StaffMember.objects.filter(department__code="kosodate").select_related("user").first()
    definition, _summary, key = builder.add_field(builder.new_definition("家族"), "page_1", "group")
    form = services.create_form(department=staff.department, definition=definition,
                                actor=staff.user)
    client = Client()
    staff_login(client, staff.user)
    url = f"/staff/forms/{form.pk}/fields/{key}/"
    page = client.get(url).content.decode()
    assert 'name="sub-0-label_ja"' in page and 'name="sub_add"' in page
    response = client.post(url, {
        "label_ja": "お子さん", "label_en": "Children", "required": "on",
        "item_label_ja": "お子さん", "item_label_en": "Child", "min_rows": "1", "max_rows": "4",
        "sub-0-label_ja": "お子さんのお名前", "sub-0-label_en": "Child's name",
        "sub-1-label_ja": "生年月日", "sub-1-label_en": "Date of birth", "sub-1-remove": "on",
        "sub_add": "phone", "key": key,
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    form.refresh_from_db()
    _page, group = builder.find_field(form.draft, key)
    assert [s["label"]["ja"] for s in group["fields"]] == ["お子さんのお名前", "電話番号"]
    assert "required" not in group["fields"][0]
    assert group["fields"][1]["type"] == "phone"
    assert group["max_rows"] == 4
    from madoguchi.forms.definition import check_definition

    assert check_definition(form.draft) == []


def test_publishing_and_unpublishing_are_audit_logged(demo):
    from madoguchi.core.models import AuditEvent
    from madoguchi.forms import builder, services
    from madoguchi.staff.models import StaffMember

    staff = StaffMember.objects.filter(department__code="kosodate").select_related("user").first()
    definition, _summary, _key = builder.add_field(builder.new_definition("記録"), "page_1", "text")
    form = services.create_form(department=staff.department, definition=definition,
                                actor=staff.user)
    client = Client()
    staff_login(client, staff.user)
    client.post(f"/staff/forms/{form.pk}/publish/",
                {"revision": str(services.latest_revision_number(form))})
    client.post(f"/staff/forms/{form.pk}/unpublish/")
    actions = list(AuditEvent.objects.filter(target_id=str(form.pk), target_type="form")
                   .order_by("pk").values_list("action", flat=True))
    assert actions == ["form.publish", "form.unpublish"]


def test_a_group_row_question_takes_a_row_concept(demo):
    """Staff give a row question a concept "each row" of its kind, and take it away again."""
    from madoguchi.forms import builder, services
    from madoguchi.forms.definition import check_definition
    from madoguchi.staff.models import StaffMember

    staff = StaffMember.objects.filter(department__code="kosodate").select_related("user").first()
    definition, _summary, key = builder.add_field(builder.new_definition("家族"), "page_1", "group")
    form = services.create_form(department=staff.department, definition=definition,
                                actor=staff.user)
    client = Client()
    staff_login(client, staff.user)
    url = f"/staff/forms/{form.pk}/fields/{key}/"
    page = client.get(url).content.decode()
    # the name question is offered the name concepts only, the date question the date ones
    assert 'name="sub-0-concept"' in page and 'value="child.name"' in page
    base = {"label_ja": "お子さん", "label_en": "Children", "item_label_ja": "お子さん",
            "item_label_en": "Child", "min_rows": "1", "max_rows": "5", "key": key,
            "sub-0-label_ja": "氏名", "sub-0-label_en": "Name",
            "sub-1-label_ja": "生年月日", "sub-1-label_en": "Date of birth"}
    response = client.post(url, {**base, "sub-0-concept": "child.name",
                                 "sub-1-concept": "child.birth_date"})
    assert response.status_code == 302, response.content.decode()[:2000]
    form.refresh_from_db()
    _page, group = builder.find_field(form.draft, key)
    assert [s.get("concept") for s in group["fields"]] == ["child.name", "child.birth_date"]
    assert check_definition(form.draft) == []
    refused = client.post(url, {**base, "sub-0-concept": "child.birth_date"})
    assert refused.status_code == 422
    assert client.post(url, {**base, "sub-0-concept": "", "sub-1-concept": ""}
                       ).status_code == 302
    form.refresh_from_db()
    _page, group = builder.find_field(form.draft, key)
    assert [s.get("concept") for s in group["fields"]] == [None, None]


def test_the_form_settings_set_the_counter_signature(demo):
    from madoguchi.forms import builder, services
    from madoguchi.staff.models import StaffMember

    staff = StaffMember.objects.filter(department__code="kosodate").select_related("user").first()
    definition, _summary, _key = builder.add_field(builder.new_definition("署名"), "page_1", "text")
    form = services.create_form(department=staff.department, definition=definition,
                                actor=staff.user)
    client = Client()
    staff_login(client, staff.user)
    url = f"/staff/forms/{form.pk}/settings/"
    assert 'name="signature"' in client.get(url).content.decode()
    posted = {"title_ja": "署名", "access": "counter"}
    assert client.post(url, {**posted, "signature": "on"}).status_code == 302
    form.refresh_from_db()
    assert form.draft["signature"] is True
    assert client.post(url, posted).status_code == 302
    form.refresh_from_db()
    assert "signature" not in form.draft
