"""Form definitions: the checks before publishing, FormSpec, and immutable published versions."""

from __future__ import annotations

import copy
import uuid

import pytest
from django.utils import translation

from madoguchi.applications.services import submit_application
from madoguchi.conftest import valid_answers
from madoguchi.forms.definition import DefinitionError, FormSpec, check_definition
from madoguchi.forms.library import get_template
from madoguchi.forms.models import FormDefinition, FormVersion
from madoguchi.forms.services import publish


def demo_definition() -> dict:
    return copy.deepcopy(get_template("tsugaku-hojo").definition)


def minimal(**page_overrides) -> dict:
    page = {"key": "one", "title": {"ja": "一", "en": "One"},
            "fields": [{"key": "a", "type": "text", "label": {"ja": "A", "en": "A"}}]}
    page.update(page_overrides)
    return {"title": {"ja": "フォーム", "en": "Form"}, "pages": [page]}


def test_minimal_definition_is_valid():
    assert check_definition(minimal()) == []


def problems_of(definition) -> str:
    """The problems in English (the messages are translated; the tests read the msgids)."""
    with translation.override("en"):
        problems = check_definition(definition)
        assert problems, "expected problems"
        with pytest.raises(DefinitionError) as info:
            FormSpec(definition)
    assert info.value.problems == problems
    return " | ".join(problems)


def test_duplicate_field_keys_across_pages():
    definition = demo_definition()
    definition["pages"][1]["fields"].append(copy.deepcopy(definition["pages"][0]["fields"][2]))
    assert "Two fields have the key “phone”" in problems_of(definition)


def test_duplicate_page_keys():
    definition = minimal()
    definition["pages"].append({"key": "one", "title": {"ja": "二"}, "fields": []})
    assert "Two pages have the key “one”" in problems_of(definition)


def test_unknown_field_type():
    definition = minimal(fields=[{"key": "a", "type": "signature"}])
    assert "Field (a) has an unknown type “signature”" in problems_of(definition)


@pytest.mark.parametrize("options", [None, []])
def test_choice_without_options(options):
    field = {"key": "a", "type": "choice", "label": {"ja": "選択", "en": "Choice"}}
    if options is not None:
        field["options"] = options
    assert "option" in problems_of(minimal(fields=[field]))


@pytest.mark.parametrize("pages", [None, [], "pages", {}])
def test_missing_or_empty_pages(pages):
    definition = {"title": {"ja": "フォーム"}}
    if pages is not None:
        definition["pages"] = pages
    assert "at least one page" in problems_of(definition)


def test_missing_title_page_key_and_field_key():
    assert "Give the form a title" in problems_of({"pages": minimal()["pages"]})
    assert "Page 1 needs a key" in problems_of(minimal(key="Bad Key"))
    assert "needs a key" in problems_of(minimal(fields=[{"type": "text"}]))
    assert "(one) needs a title" in problems_of(minimal(title="一"))
    assert "reserved" in problems_of(minimal(key="check"))
    assert "Page 1 needs a key" in problems_of({"title": {"ja": "x"}, "pages": ["not a page"]})
    assert "needs a label" in problems_of(minimal(fields=[{"key": "a", "type": "text"}]))


def test_a_condition_on_a_deleted_field_is_named():
    definition = demo_definition()
    definition["pages"][2]["fields"][0]["show_if"] = {"==": [{"var": "gone"}, "x"]}
    assert "refers to the field “gone”, which does not exist" in problems_of(definition)


def test_a_page_that_depends_on_itself_or_later_pages_cannot_be_reached():
    definition = demo_definition()
    definition["pages"][1]["show_if"] = {"==": [{"var": "term"}, "first"]}  # on page 3
    assert "Nobody can reach page" in problems_of(definition)


def test_a_page_condition_asking_for_a_missing_option_cannot_be_reached():
    definition = demo_definition()
    definition["pages"][1]["show_if"] = {"==": [{"var": "relationship"}, "uncle"]}
    assert "“uncle”, which is not an option" in problems_of(definition)


def test_a_form_for_anyone_needs_a_contact_email_field():
    definition = minimal()
    definition["access"] = "anyone"
    assert "needs an e-mail field" in problems_of(definition)


def test_formspec_navigation_and_sensitive_keys():
    spec = FormSpec(demo_definition())
    keys = [p.key for p in spec.pages]
    assert keys == ["applicant", "student", "commute", "bank", "consent"]
    assert spec.next_page("applicant").key == "student"
    assert spec.next_page("consent") is None
    assert spec.previous_page("applicant") is None
    assert spec.previous_page("bank").key == "commute"
    assert spec.page("nope") is None
    assert spec.sensitive_keys() == {"payment_account"}
    # guidance holds no value and is not one of the form's fields
    assert spec.field("records_note") is None
    assert spec.field("consent").type_name == "consent"


def test_missing_pages_reports_unfinished_and_incomplete_pages():
    spec = FormSpec(demo_definition())
    assert [p.key for p in spec.missing_pages({}, [])] == [p.key for p in spec.pages]
    # A page marked done but with a required answer missing is still missing.
    missing = spec.missing_pages({"applicant_name": None}, ["applicant"])
    assert missing[0].key == "applicant"


def test_summary_masks_sensitive_values_when_asked():
    spec = FormSpec(demo_definition())
    answers = {"school_name": "緑ヶ丘高校", "payment_account": {
        "bank_code": "0001", "bank_name": "みずほ銀行", "branch_code": "001",
        "branch_name": "東京営業部", "account_type": "ordinary", "number": "0123456",
        "holder": "ミドリ\u3000ハナコ"}}
    with translation.override("ja"):
        plain = {i["key"]: i["value"] for s in spec.summary(answers) for i in s["items"]}
        masked = {i["key"]: i["value"] for s in spec.summary(answers, masked=True)
                  for i in s["items"]}
    # The bank and branch are shown by name, never as the codes stored beside them.
    assert plain["payment_account"] == "みずほ銀行 東京営業部 普通 0123456 ミドリ\u3000ハナコ"
    assert masked["payment_account"] == "みずほ銀行 東京営業部 普通 ****456"
    assert masked["school_name"] == "緑ヶ丘高校"


# --- publishing and immutability --------------------------------------------------------------
@pytest.fixture
def form(db):
    return FormDefinition.objects.create(slug="sample", title={"ja": "見本", "en": "Sample"})


def test_publish_refuses_an_invalid_definition(form):
    with pytest.raises(DefinitionError):
        publish(form, minimal(fields=[{"key": "a", "type": "nope"}]))
    assert not form.versions.exists()


def test_publish_makes_a_new_version_only_when_the_definition_changed(form):
    first = publish(form, minimal())
    assert first.number == 1 and first.published_at is not None
    again = publish(form, minimal())
    assert again.pk == first.pk
    assert form.versions.count() == 1
    changed = minimal(title={"ja": "一ページ目", "en": "Page one"})
    second = publish(form, changed)
    assert second.number == 2
    assert form.live_version == second
    assert form.versions.count() == 2
    # Publishing the first definition again is a change from the live one: a third version.
    third = publish(form, minimal())
    assert third.number == 3


def test_published_version_never_changes(form):
    version = publish(form, minimal())
    version.definition = minimal(title={"ja": "改変", "en": "Changed"})
    with pytest.raises(ValueError, match="never changes"):
        version.save()
    version.refresh_from_db()
    assert version.definition == minimal()


def test_saving_a_published_version_unchanged_is_allowed(form):
    version = publish(form, minimal())
    version.save()
    assert FormVersion.objects.get(pk=version.pk).definition == minimal()


def test_applications_keep_pointing_at_their_version(make_application, form_version):
    application = make_application()
    form = form_version.form
    changed = copy.deepcopy(form_version.definition)
    changed["pages"][0]["title"]["ja"] = "申請する方（保護者）について（改訂）"
    new_version = publish(form, changed)
    assert new_version.pk != form_version.pk
    assert form.live_version == new_version
    application.refresh_from_db()
    assert application.form_version_id == form_version.pk
    assert application.form_version.definition == form_version.definition
    # The next application is filled against the new version.
    fresh = submit_application(user=application.applicant, version=form.live_version,
                               answers=valid_answers(), token=uuid.uuid4())
    assert fresh.form_version_id == new_version.pk


def test_loading_the_demo_twice_does_not_publish_a_new_version(demo):
    from madoguchi.demo.city import load_demo_city

    form = FormDefinition.objects.get(slug="tsugaku-hojo")
    before = list(form.versions.values_list("pk", flat=True))
    load_demo_city()
    assert list(form.versions.values_list("pk", flat=True)) == before
