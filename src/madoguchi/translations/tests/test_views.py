"""Staff pages of the translation workflow: who sees and changes what."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from madoguchi.catalog.models import Procedure
from madoguchi.conftest import client_for
from madoguchi.core.models import AuditEvent, User
from madoguchi.demo.accounts import DEMO_RESIDENT_EMAIL, staff_email
from madoguchi.forms.models import FormDefinition
from madoguchi.translations import sources

from .helpers import fill, upload

pytestmark = pytest.mark.django_db


def staff(name: str) -> Client:
    return client_for(User.objects.get(email=staff_email(name)))


@pytest.fixture
def urls(demo) -> dict[str, str]:
    shimin_form = FormDefinition.objects.get(slug="tennyu")
    kosodate_form = FormDefinition.objects.get(slug="jido-teate")
    return {
        "index": reverse("translations:index"),
        "vi": reverse("translations:language", args=["vi"]),
        "own_procedure_export": reverse("translations:procedure_export", args=["tennyu"]),
        "own_procedure_import": reverse("translations:procedure_import", args=["tennyu"]),
        "other_procedure_export": reverse("translations:procedure_export", args=["jido-teate"]),
        "other_procedure_import": reverse("translations:procedure_import", args=["jido-teate"]),
        "own_form_export": reverse("translations:form_export", args=[shimin_form.pk]),
        "own_form_import": reverse("translations:form_import", args=[shimin_form.pk]),
        "other_form_export": reverse("translations:form_export", args=[kosodate_form.pk]),
        "other_form_import": reverse("translations:form_import", args=[kosodate_form.pk]),
        "faq_export": reverse("translations:faq_export"),
        "faq_import": reverse("translations:faq_import"),
        "city_export": reverse("translations:city_export"),
        "city_import": reverse("translations:city_import"),
    }


# Who gets what, for a member of 市民課 (shimin) of each role: the department's own procedure
# and form, another department's, the FAQ and the city-wide texts. The DX office sees and
# exports everything and changes nothing; only administrators change the city-wide texts. A role
# that may never import gets 403 before the department is looked at.
PAGES = (
    "index",
    "vi",
    "own_procedure_export",
    "own_procedure_import",
    "other_procedure_export",
    "other_procedure_import",
    "own_form_export",
    "own_form_import",
    "other_form_export",
    "other_form_import",
    "faq_export",
    "faq_import",
    "city_export",
    "city_import",
)
MATRIX = {  # fmt: skip
    "shimin1": (200, 200, 200, 403, 404, 403, 200, 200, 404, 404, 200, 200, 200, 403),
    "shimin3": (200, 200, 200, 200, 404, 404, 200, 200, 404, 404, 200, 200, 200, 403),
    "shimin-admin": (200, 200, 200, 200, 404, 404, 200, 200, 404, 404, 200, 200, 200, 200),
    "dx1": (200, 200, 200, 403, 200, 403, 200, 403, 200, 403, 200, 403, 200, 403),
}


@pytest.mark.parametrize("who", sorted(MATRIX))
def test_the_permission_matrix(urls, who):
    client = staff(who)
    got = {name: client.get(url).status_code for name, url in urls.items()}
    assert got == dict(zip(PAGES, MATRIX[who], strict=True))


def test_residents_and_visitors_are_kept_out(urls):
    resident = client_for(User.objects.get(email=DEMO_RESIDENT_EMAIL))
    visitor = Client()
    for url in urls.values():
        assert resident.get(url).status_code == 403
        response = visitor.get(url)
        assert response.status_code == 302 and "/staff/" in response["Location"]


def test_only_translation_languages_have_a_page(urls):
    client = staff("shimin1")
    for code in ("ja-easy", "en", "zh-hans", "ko", "vi", "pt-br"):
        assert client.get(reverse("translations:language", args=[code])).status_code == 200
    for code in ("ja", "xx", "fr"):
        assert client.get(reverse("translations:language", args=[code])).status_code == 404


def test_the_language_page_lists_the_department_content_with_export_links(urls):
    page = staff("shimin1").get(urls["vi"]).content.decode()
    assert "転入届" in page and urls["own_procedure_export"] in page
    assert urls["other_procedure_export"] not in page
    assert urls["faq_export"] in page
    everything = staff("dx1").get(urls["vi"]).content.decode()
    assert urls["other_procedure_export"] in everything


def test_the_staff_navigation_links_to_translations(urls):
    assert urls["index"] in staff("shimin1").get(reverse("staff:inbox")).content.decode()


def test_an_export_is_an_xlsx_and_audit_logged(urls):
    response = staff("shimin1").get(urls["own_procedure_export"])
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert response.content[:2] == b"PK"
    assert AuditEvent.objects.filter(action="translations.export", target_id="tennyu").exists()


def test_an_import_through_the_page_reports_and_is_audit_logged(urls):
    client = staff("shimin3")
    data = client.get(urls["own_procedure_export"]).content
    good = fill(data, {("procedure:tennyu:name", "ko"): "전입 신고서 (시험)"})
    response = client.post(urls["own_procedure_import"], {"workbook": upload(good)})
    assert response.status_code == 200
    assert Procedure.objects.get(slug="tennyu").name["ko"] == "전입 신고서 (시험)"
    assert "読み込み結果" in response.content.decode()
    event = AuditEvent.objects.filter(action="translations.import").latest("pk")
    assert event.details["accepted"] and event.details["applied"]["ko"] == 1
    hostile = fill(data, {("procedure:tennyu:name", "ko"): "<script>x</script>"})
    refused = client.post(urls["own_procedure_import"], {"workbook": upload(hostile)})
    assert refused.status_code == 422
    assert "HTML" in refused.content.decode()
    assert Procedure.objects.get(slug="tennyu").name["ko"] == "전입 신고서 (시험)"


def test_a_form_import_says_publishing_makes_it_live(urls):
    client = staff("shimin1")
    form = FormDefinition.objects.get(slug="tennyu")
    data = client.get(urls["own_form_export"]).content
    good = fill(data, {(f"form:{form.pk}:title", "vi"): "Thông báo chuyển đến"})
    response = client.post(urls["own_form_import"], {"workbook": upload(good)})
    assert response.status_code == 200
    assert "公開すると反映されます" in response.content.decode()
    assert sources.form_target(form).texts()[f"form:{form.pk}:title"]["vi"]


def test_the_language_page_names_untranslated_and_stale_texts(urls):
    client = staff("shimin3")
    Procedure.objects.filter(slug="tennyu").update(summary={"ja": "試験用の概要"})
    page = client.get(urls["vi"]).content.decode()
    missing = page.split("未翻訳の文章", 1)[1]
    assert "試験用の概要 <code>procedure:tennyu:summary</code>" in missing
    data = client.get(urls["own_procedure_export"]).content
    client.post(
        urls["own_procedure_import"],
        {"workbook": upload(fill(data, {("procedure:tennyu:name", "vi"): "Chuyển đến"}))},
    )
    procedure = Procedure.objects.get(slug="tennyu")
    procedure.name = {**procedure.name, "ja": "転入の届出"}
    procedure.save()
    page = client.get(urls["vi"]).content.decode()
    stale = page.split("要更新の文章", 1)[1].split("</details>", 1)[0]
    assert "転入の届出" in stale and "procedure:tennyu:name" in stale
