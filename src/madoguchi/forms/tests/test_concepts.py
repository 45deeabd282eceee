"""Concept keys: the vocabulary, the ``concept`` option of every value field (builder and
interchange), the definition's checks, and the library templates that carry them."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.utils import translation

from madoguchi.conftest import client_for
from madoguchi.forms import library
from madoguchi.forms.concepts import CONCEPTS, concept_choices, concept_of
from madoguchi.forms.definition import check_definition
from madoguchi.forms.fields import registry
from madoguchi.forms.interchange import ImportRefused, parse_import

from .test_builder_views import BASE, add_field, create, field_spec


@pytest.fixture
def staff_client(staff_user) -> Client:
    return client_for(staff_user)


def _definition(*fields: dict) -> dict:
    return {"title": {"ja": "テスト", "en": "Test"},
            "pages": [{"key": "p1", "title": {"ja": "頁", "en": "Page"}, "fields": list(fields)}]}


NAME = {"key": "applicant_name", "type": "name", "label": {"ja": "氏名", "en": "Name"},
        "concept": "applicant.name"}


def test_the_vocabulary_has_ja_and_en_labels_and_known_types():
    assert {"applicant.name", "applicant.furigana", "applicant.birth_date", "applicant.sex",
            "applicant.address", "applicant.phone", "applicant.email",
            "household.member.1.name"} <= set(CONCEPTS)
    for concept in CONCEPTS.values():
        assert concept.label["ja"] and concept.label["en"]
        assert concept.type_name in registry, concept
    with translation.override("en"):
        labels = dict(concept_choices())
        assert str(labels["applicant.phone"]) == "Applicant: phone"
    with translation.override("ja"):
        assert str(labels["applicant.phone"]) == "申請者の電話番号"


def test_every_value_field_declares_the_concept_option_and_guidance_does_not():
    for field_type in registry:
        names = [option.name for option in field_type.declared_options()]
        assert ("concept" in names) == field_type.has_value, field_type.type_name


def test_a_definition_with_good_concepts_passes():
    phone = {"key": "phone", "type": "phone", "label": {"ja": "電話", "en": "Phone"},
             "concept": "applicant.phone"}
    assert check_definition(_definition(NAME, phone)) == []
    assert concept_of(NAME) is CONCEPTS["applicant.name"]
    assert concept_of({"concept": "nothing"}) is None


@pytest.mark.parametrize(("fields", "expected"), [
    ([{**NAME, "concept": "applicant.shoe_size"}], "“applicant.shoe_size” is not a concept"),
    ([{**NAME, "concept": "applicant.phone"}], "is for a question of another kind"),
    ([NAME, {**NAME, "key": "other_name"}], "both ask for “Applicant: name”"),
])
def test_a_definition_with_bad_concepts_is_refused(fields, expected):
    with translation.override("en"):
        problems = check_definition(_definition(*fields))
    assert any(expected in problem for problem in problems), problems


def test_the_library_templates_carry_concepts():
    juminhyo = library.get_template("juminhyo").definition
    fields = {f["key"]: f for page in juminhyo["pages"] for f in page["fields"]}
    assert fields["applicant_name"]["concept"] == "applicant.name"
    assert fields["phone"]["concept"] == "applicant.phone"
    assert fields["address"]["concept"] == "applicant.address"
    jido = library.get_template("jido-teate").definition
    keys = {f.get("concept") for page in jido["pages"] for f in page["fields"]}
    assert {"applicant.my_number", "applicant.bank_account", "spouse.name"} <= keys


def test_the_edit_field_page_offers_and_saves_a_concept(staff_client):
    form = create(staff_client)
    key = add_field(staff_client, form, "name")
    page = staff_client.get(f"{BASE}/{form.pk}/fields/{key}/").content.decode()
    assert re.search(r'<select class="input" id="f-concept" name="concept">', page)
    assert 'value="applicant.name"' in page
    response = staff_client.post(f"{BASE}/{form.pk}/fields/{key}/", {
        "label_ja": "氏名", "key": key, "concept": "applicant.name"})
    assert response.status_code == 302
    assert field_spec(form, key)["concept"] == "applicant.name"
    response = staff_client.post(f"{BASE}/{form.pk}/fields/{key}/", {
        "label_ja": "氏名", "key": key, "concept": "no.such.concept"})
    assert response.status_code == 302
    assert "concept" not in field_spec(form, key)

    content = staff_client.get(f"{BASE}/{form.pk}/export/").content
    exported = json.loads(content)
    exported["form"]["definition"]["pages"][0]["fields"][0]["concept"] = "applicant.name"
    imported = parse_import(json.dumps(exported, ensure_ascii=False).encode())
    assert imported.definition["pages"][0]["fields"][0]["concept"] == "applicant.name"


@pytest.mark.parametrize("value", [7, "applicant.nickname", ["applicant.name"]])
def test_an_import_with_a_bad_concept_is_refused(staff_client, value):
    form = create(staff_client)
    add_field(staff_client, form, "name")
    envelope = json.loads(staff_client.get(f"{BASE}/{form.pk}/export/").content)
    envelope["form"]["definition"]["pages"][0]["fields"][0]["concept"] = value
    with translation.override("en"), pytest.raises(ImportRefused) as refused:
        parse_import(json.dumps(envelope, ensure_ascii=False).encode())
    assert any("concept" in problem for problem in refused.value.problems), \
        refused.value.problems
