"""Forms in the residents' languages: the language recorded on the application, answers stored
language-neutral, staff reading Japanese labels, notices in the resident's language."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.utils import translation

from madoguchi.applications import exports, services
from madoguchi.applications.models import Application, Status
from madoguchi.applications.selectors import notice_language
from madoguchi.catalog.templatetags.navi_tags import weekday
from madoguchi.channels.services import recipient_for
from madoguchi.conftest import (
    CHECK_URL,
    FORM_SLUG,
    PAGE_KEYS,
    VALID_POST,
    check_token,
    client_for,
    fill_wizard,
    valid_answers,
)
from madoguchi.core import language_names, languages
from madoguchi.core.dates import display_date
from madoguchi.core.models import MailboxMessage
from madoguchi.forms.definition import FormSpec
from madoguchi.forms.fields import FieldError, registry
from madoguchi.forms.models import FormDefinition
from madoguchi.residents.models import Resident

# Every resident language in settings, as the language switch offers them.
ALL_LANGUAGES = [(language.code, language.native_name) for language in languages.LANGUAGES]
RECEIVED_SUBJECT = "[%(name)s] Application received (receipt number %(number)s)"
STATUS_SUBJECT = "[%(name)s] Status update (receipt number %(number)s)"
VI_RECEIVED = "[%(name)s] Đã nhận hồ sơ (số tiếp nhận %(number)s)"
VI_STATUS = "[%(name)s] Cập nhật trạng thái (số tiếp nhận %(number)s)"
# The 通学費補助金 form's labels, and the Vietnamese given to some of them in the tests.
VI_LABELS = {
    "district": "Khu vực sinh sống của học sinh",
    "transport": "Phương tiện đi học",
}


def _language_client(client: Client, code: str) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = code
    return client


def _translate_labels(code: str, labels: dict[str, str]) -> None:
    """Give some fields of the live demo form labels in ``code`` (its published definition)."""
    version = FormDefinition.objects.get(slug=FORM_SLUG).live_version
    definition = version.definition
    for page in definition["pages"]:
        for field in page["fields"]:
            if field["key"] in labels:
                field["label"] = {**field["label"], code: labels[field["key"]]}
    type(version).objects.filter(pk=version.pk).update(definition=definition)


@pytest.fixture
def vi_catalog(tmp_path: Path):
    """A tiny Vietnamese catalog (two notice subjects), ahead of the project's own."""
    folder = tmp_path / "vi" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    catalog = polib.POFile()
    catalog.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": "vi"}
    for msgid, msgstr in ((RECEIVED_SUBJECT, VI_RECEIVED), (STATUS_SUBJECT, VI_STATUS)):
        catalog.append(polib.POEntry(msgid=msgid, msgstr=msgstr, flags=["python-format"]))
    catalog.save_as_mofile(str(folder / "django.mo"))
    with override_settings(
        LOCALE_PATHS=[tmp_path, *settings.LOCALE_PATHS], LANGUAGES=ALL_LANGUAGES
    ):
        yield


def _apply_through_the_wizard(client: Client) -> Application:
    fill_wizard(client)
    token = check_token(client)
    response = client.post(CHECK_URL, {"token": token})
    assert response.status_code == 302, response.status_code
    return Application.objects.get(submission_token=token)


# --- the language of the application --------------------------------------------------------
@override_settings(LANGUAGES=ALL_LANGUAGES)
def test_same_answers_in_vietnamese_and_japanese_are_stored_identically(
    resident, other_resident
) -> None:
    """The form filled in vi and in ja with the same choices gives the same stored answers
    (choice values, ISO dates, plain numbers), and each records its language."""
    _translate_labels("vi", VI_LABELS)
    in_japanese = _apply_through_the_wizard(_language_client(client_for(resident), "ja"))
    vi_client = _language_client(client_for(other_resident), "vi")
    page = vi_client.get(f"/apply/{FORM_SLUG}/{PAGE_KEYS[2]}/")
    assert VI_LABELS["district"] in page.content.decode()  # the form speaks Vietnamese
    with translation.override("ja"):
        untranslated = FormSpec(in_japanese.form_version.definition).field("route").label
    # A label without a Vietnamese translation is shown in Japanese, marked as such.
    assert f'<span lang="ja">{untranslated}</span>' in page.content.decode()
    in_vietnamese = _apply_through_the_wizard(vi_client)
    assert in_japanese.language == "ja"
    assert in_vietnamese.language == "vi"
    assert in_vietnamese.answers == in_japanese.answers
    assert services.all_answers(in_vietnamese) == services.all_answers(in_japanese)
    commute = in_vietnamese.answers
    assert commute["district"] == VALID_POST["commute"]["district"]  # the value, not a label
    assert commute["monthly_pass_cost"] == 15000
    assert in_vietnamese.answers["student_birth_date"] == "2009-04-02"


def test_the_language_defaults_to_the_active_one_online_and_japanese_at_the_counter(
    form_version, resident
) -> None:
    with translation.override("pt-br"):
        online = services.submit_application(
            user=resident, version=form_version, answers=valid_answers(), token=uuid.uuid4()
        )
        counter = services.application_language(None, "counter")
    assert online.language == "pt-br"
    assert counter == "ja"
    assert services.application_language("zh-Hans") == "zh-hans"
    assert services.application_language("xx") == "ja"


def test_numbers_typed_with_the_grouping_of_the_language_are_normalised() -> None:
    field = registry.build({"key": "n", "type": "number", "label": {"ja": "金額"}})
    with translation.override("vi"):
        assert field.validate("15.000") == 15000
        assert field.validate("1 234 567") == 1234567
    with translation.override("pt-br"), pytest.raises(FieldError):
        field.validate("1,5")  # a decimal comma, not a grouping
    with translation.override("ja"):
        assert field.validate("１５，０００円") == 15000
    with translation.override("en"), pytest.raises(FieldError):
        field.validate("1.5")


def test_validation_messages_and_options_follow_the_resident_language() -> None:
    spec = {
        "key": "kind",
        "type": "choice",
        "required": True,
        "label": {"ja": "種別", "vi": "Loại"},
        "options": [
            {"value": "a", "label": {"ja": "はい", "vi": "Có"}},
            {"value": "b", "label": {"ja": "いいえ"}},
        ],
    }
    field = registry.build(spec)
    with translation.override("vi"):
        assert field.label == "Loại"
        assert field.label_fallback == ""
        assert registry.build({**spec, "label": {"ja": "種別"}}).label_fallback == "ja"
        assert field.display("a") == "Có"
        assert field.display("b") == "いいえ"  # no translation: Japanese
        with pytest.raises(FieldError) as refused:
            field.validate("")
        assert "Loại" in refused.value.message
    with translation.override("ja"):
        assert field.display("a") == "はい"


def test_dates_and_weekdays_in_the_resident_language() -> None:
    day = dt.date(2026, 11, 23)
    with translation.override("vi"):
        assert display_date(day) == "Ngày 23 tháng 11 năm 2026"
        assert weekday(day) in ("Thứ 2", "Thứ Hai")  # Django's catalog, or ours
    with translation.override("pt-br"):
        assert weekday(day).lower().startswith("segunda")
    with translation.override("en"):
        assert display_date(day) == "23 November 2026"
        assert weekday(day) == "Monday"
    with translation.override("ja"):
        assert weekday(day) == "月"


# --- what staff see ---------------------------------------------------------------------------
@override_settings(LANGUAGES=ALL_LANGUAGES)
def test_the_clerk_reads_japanese_labels_and_the_application_language(
    other_resident, staff_user
) -> None:
    _translate_labels("vi", VI_LABELS)
    application = _apply_through_the_wizard(_language_client(client_for(other_resident), "vi"))
    clerk = _language_client(client_for(staff_user), "ja")
    response = clerk.get(f"/staff/applications/{application.public_id}/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "申請言語" in text
    assert "ベトナム語 (Tiếng Việt)" in text
    spec = FormSpec(application.form_version.definition)
    with translation.override("ja"):
        japanese = spec.field("district").label
    assert japanese in text
    assert VI_LABELS["district"] not in text


@override_settings(LANGUAGES=ALL_LANGUAGES)
def test_a_clerk_whose_cookie_names_a_resident_language_still_reads_japanese_labels(
    make_application, staff_user
) -> None:
    _translate_labels("vi", VI_LABELS)
    application = make_application()
    clerk = _language_client(client_for(staff_user), "vi")
    with translation.override("vi"):  # as if the page were served in Vietnamese
        assert language_names.office_language() == "ja"
    response = clerk.get(f"/staff/applications/{application.public_id}/")
    assert VI_LABELS["district"] not in response.content.decode()


@override_settings(LANGUAGES=ALL_LANGUAGES)
def test_the_export_is_labelled_in_japanese_whatever_language_is_active(
    make_application, staff_user
) -> None:
    _translate_labels("vi", VI_LABELS)
    application = make_application()
    Application.objects.filter(pk=application.pk).update(language="vi")
    clerk = _language_client(client_for(staff_user), "vi")
    response = clerk.post(
        "/staff/exports/",
        {
            "procedure": application.procedure.slug,
            "columns": ["district", "transport"],
            "status": "",
            "submitted_from": "",
            "submitted_to": "",
            "format": exports.ExportFormat.CSV_UTF8,
        },
    )
    assert response.status_code == 200, response.status_code
    header = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()[0]
    spec = FormSpec(application.form_version.definition)
    with translation.override("ja"):
        assert spec.field("district").label in header
    assert VI_LABELS["district"] not in header


def test_language_names() -> None:
    with translation.override("ja"):
        assert language_names.label("vi") == "ベトナム語 (Tiếng Việt)"
        assert language_names.label("ja") == "日本語"
        assert language_names.label("pt_BR") == "ポルトガル語（ブラジル） (Português (Brasil))"
    with translation.override("en"):
        assert language_names.label("ko") == "Korean (한국어)"


# --- notices ------------------------------------------------------------------------------------
def test_notices_follow_the_account_language_else_the_application_language(
    make_application, resident
) -> None:
    application = make_application()
    Application.objects.filter(pk=application.pk).update(language="vi")
    application.refresh_from_db()
    Resident.objects.filter(user=resident).update(preferred_language="ko")
    resident.refresh_from_db()
    assert notice_language(application) == "ko"
    application.applicant = None
    assert notice_language(application) == "vi"
    assert recipient_for(None, "a@example.jp", "vi").language == "vi"
    assert recipient_for(None, "a@example.jp", "pt_BR").language == "pt-br"
    assert recipient_for(None, "a@example.jp", "xx").language == "ja"


def test_a_vietnamese_application_gets_its_notices_in_vietnamese(
    vi_catalog, form_version, resident, staff_user, django_capture_on_commit_callbacks
) -> None:
    """Receipt and status notices are rendered with the vi catalog (here a tiny fixture)."""
    Resident.objects.filter(user=resident).update(preferred_language="vi")
    resident.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True), translation.override("vi"):
        application = services.submit_application(
            user=resident, version=form_version, answers=valid_answers(), token=uuid.uuid4()
        )
    with django_capture_on_commit_callbacks(execute=True), translation.override("ja"):
        services.change_status(
            application=application, to_status=Status.UNDER_REVIEW, actor=staff_user
        )
    subjects = list(MailboxMessage.objects.order_by("id").values_list("subject", flat=True))
    assert application.language == "vi"
    assert len(subjects) == 2
    assert "Đã nhận hồ sơ" in subjects[0]
    assert application.receipt_number in subjects[0]
    assert "Cập nhật trạng thái" in subjects[1]


def test_without_an_account_the_notice_uses_the_application_language(
    vi_catalog, make_application, django_capture_on_commit_callbacks
) -> None:
    application = make_application()
    Application.objects.filter(pk=application.pk).update(applicant=None, language="vi")
    MailboxMessage.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(
            application=Application.objects.get(pk=application.pk),
            to_status=Status.UNDER_REVIEW,
            actor=None,
        )
    assert "Cập nhật trạng thái" in MailboxMessage.objects.get().subject


@override_settings(LANGUAGES=ALL_LANGUAGES)
def test_switching_language_updates_the_signed_in_residents_account(resident) -> None:
    client = client_for(resident)
    response = client.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "vi"
    assert Resident.objects.get(user=resident).preferred_language == "vi"
    Client().post("/i18n/setlang/", {"language": "ko", "next": "/"})  # anonymous: no account
    assert Resident.objects.get(user=resident).preferred_language == "vi"
