"""A field type declared only here, registered for the test: the builder's palette and edit-field
page, the export and the import all follow its declaration, with no other file changed."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from madoguchi.conftest import client_for
from madoguchi.forms.builder import PALETTE
from madoguchi.forms.fields import FieldError, FieldType, registry
from madoguchi.forms.fields.options import FieldOption, OptionKind, PaletteEntry
from madoguchi.forms.interchange import ImportRefused, parse_import
from madoguchi.forms.models import FormDefinition

from .test_builder_views import BASE, add_field, create, field_spec, reload


class RatingField(FieldType):
    """A toy: a number of stars, at most ``stars``."""

    type_name = "toy_rating"
    template = "forms/fields/text.html"
    spec_options = (
        FieldOption("stars", OptionKind.COUNT, "Most stars (toy)", default=5, minimum=1,
                    maximum=10),
        FieldOption("half_stars", OptionKind.FLAG, "Half stars allowed (toy)", default=False),
    )
    palette = (
        PaletteEntry("toy_rating", "Star rating (toy)",
                     {"label": {"ja": "評価", "en": "Rating"}, "stars": 5}),
    )

    def clean(self, raw: str) -> int:
        if not raw.strip().isdigit() or not 1 <= int(raw) <= self.spec.get("stars", 5):
            raise FieldError("Choose a number of stars.")
        return int(raw)


@pytest.fixture
def staff_client(staff_user) -> Client:
    return client_for(staff_user)


@pytest.fixture
def toy() -> Iterator[type[RatingField]]:
    with registry.temporary("toy_rating", RatingField) as declared:
        yield declared


def messages(html: str) -> list[str]:
    return re.findall(r"<li>(.*?)</li>", html)


def test_the_palette_offers_the_toy_type(staff_client, toy):
    form = create(staff_client)
    page = staff_client.get(f"{BASE}/{form.pk}/").content.decode()
    assert 'value="toy_rating"' in page
    assert "Star rating (toy)" in page
    assert PALETTE[-1] == "toy_rating"
    key = add_field(staff_client, form, "toy_rating")
    assert field_spec(form, key) == {"key": key, "type": "toy_rating",
                                     "label": {"ja": "評価", "en": "Rating"}, "stars": 5,
                                     "required": True}
    assert "Star rating (toy)" in staff_client.get(f"{BASE}/{form.pk}/").content.decode()


def test_the_palette_forgets_the_toy_type_after_the_test(toy):
    assert "toy_rating" in PALETTE
    registry.unregister("toy_rating")
    assert "toy_rating" not in PALETTE
    registry.register("toy_rating", RatingField)  # for temporary() to remove


def test_the_edit_field_page_shows_and_saves_the_declared_options(staff_client, toy):
    form = create(staff_client)
    key = add_field(staff_client, form, "toy_rating")
    page = staff_client.get(f"{BASE}/{form.pk}/fields/{key}/").content.decode()
    assert re.search(r'<input [^>]*id="f-stars" name="stars" value="5"', page)
    assert "Most stars (toy)" in page
    assert re.search(r'<input type="checkbox" id="f-half_stars" name="half_stars">', page)
    assert "Half stars allowed (toy)" in page

    response = staff_client.post(f"{BASE}/{form.pk}/fields/{key}/", {
        "label_ja": "満足度", "label_en": "Satisfaction", "key": key, "stars": "３",
        "half_stars": "on"})
    assert response.status_code == 302, messages(response.content.decode())
    spec = field_spec(form, key)
    assert spec["stars"] == 3
    assert spec["half_stars"] is True

    response = staff_client.post(f"{BASE}/{form.pk}/fields/{key}/", {
        "label_ja": "満足度", "key": key, "stars": "11"})
    assert response.status_code == 422
    assert "Most stars (toy)：1から10までの数を入力してください。" in messages(
        response.content.decode())
    assert field_spec(form, key)["stars"] == 3

    response = staff_client.post(f"{BASE}/{form.pk}/fields/{key}/", {
        "label_ja": "満足度", "key": key, "stars": ""})
    assert response.status_code == 302
    assert "stars" not in field_spec(form, key)
    assert "half_stars" not in field_spec(form, key)


def test_export_and_import_carry_the_toy_options(staff_client, toy):
    form = create(staff_client)
    key = add_field(staff_client, form, "toy_rating")
    staff_client.post(f"{BASE}/{form.pk}/fields/{key}/", {
        "label_ja": "満足度", "key": key, "stars": "4", "half_stars": "on"})
    content = staff_client.get(f"{BASE}/{form.pk}/export/").content
    exported = json.loads(content)["form"]["definition"]["pages"][0]["fields"][0]
    assert exported["type"] == "toy_rating"
    assert (exported["stars"], exported["half_stars"]) == (4, True)

    upload = SimpleUploadedFile("toy.json", content, content_type="application/json")
    response = staff_client.post(f"{BASE}/import/", {"file": upload})
    assert response.status_code == 302, messages(response.content.decode())
    imported = FormDefinition.objects.order_by("-pk").first()
    assert imported.pk != form.pk
    assert imported.draft == reload(form).draft


@pytest.mark.parametrize(("option", "value", "expected"), [
    ("stars", "many", "field 1 (toy_rating_1) › “stars” must be a whole number of 0 or more."),
    ("stars", -1, "“stars” must be a whole number of 0 or more."),
    ("half_stars", "yes", "field 1 (toy_rating_1) › “half_stars” must be true or false."),
])
def test_an_import_with_a_bad_toy_option_is_refused(staff_client, toy, option, value, expected):
    form = create(staff_client)
    add_field(staff_client, form, "toy_rating")
    envelope = json.loads(staff_client.get(f"{BASE}/{form.pk}/export/").content)
    envelope["form"]["definition"]["pages"][0]["fields"][0][option] = value
    data = json.dumps(envelope, ensure_ascii=False).encode()
    with translation.override("en"), pytest.raises(ImportRefused) as refused:
        parse_import(data)
    assert any(expected in problem for problem in refused.value.problems), refused.value.problems

    upload = SimpleUploadedFile("toy.json", data, content_type="application/json")
    response = staff_client.post(f"{BASE}/import/", {"file": upload})
    assert response.status_code == 422
    assert any(f"“{option}”" in message for message in messages(response.content.decode()))


def test_without_the_toy_type_its_file_is_refused(staff_client, toy):
    form = create(staff_client)
    add_field(staff_client, form, "toy_rating")
    content = staff_client.get(f"{BASE}/{form.pk}/export/").content
    registry.unregister("toy_rating")
    try:
        with translation.override("en"), pytest.raises(ImportRefused):
            parse_import(content)
    finally:
        registry.register("toy_rating", RatingField)
