"""Notices name the payee's bank and branch, never their codes (0001 001) or the account.

The bank-account field keeps the Zengin codes and the names the resident confirmed; a form made
before it asked for a bank and a branch in text fields, where residents often typed the codes.
"""

from __future__ import annotations

import importlib
import uuid
from typing import Any

import pytest
from django.apps import apps

from madoguchi.applications import services as cases
from madoguchi.applications.models import Application, Status
from madoguchi.catalog.models import Procedure
from madoguchi.core.models import User
from madoguchi.forms.definition import FormSpec
from madoguchi.forms.models import FormDefinition
from madoguchi.forms.services import publish
from madoguchi.issuance import content, defaults, services
from madoguchi.issuance.models import DocumentTemplate

from .pdftext import pdf_text

pytestmark = pytest.mark.django_db
NAME_FIELD = {"key": "applicant_name", "type": "name", "required": True,
              "label": {"ja": "氏名", "en": "Name"}}
NAME_POST = {"applicant_name-family": "髙橋", "applicant_name-given": "美咲",
             "applicant_name-family_kana": "たかはし", "applicant_name-given_kana": "みさき"}


def apply(resident: User, slug: str, fields: list[dict[str, Any]],
          post: dict[str, str]) -> Application:
    """Publish a one-page form of ``fields`` and submit ``post`` through it."""
    procedure = Procedure.objects.get(slug="hoikusho")  # a demo procedure without a form
    title = {"ja": "振込先の試験", "en": "Test of the payee"}
    form = FormDefinition.objects.create(slug=slug, procedure=procedure, title=title,
                                         department=procedure.department)
    version = publish(form, {
        "title": title, "applicant_field": "applicant_name",
        "pages": [{"key": "main", "title": title, "fields": [NAME_FIELD, *fields]}],
    })
    spec = FormSpec(version.definition)
    _raw, answers, errors = spec.validate_page(spec.pages[0], {**NAME_POST, **post})
    assert not errors, errors
    return cases.submit_application(user=resident, version=version, answers=answers,
                                    token=uuid.uuid4(), spec=spec)


def grant_text(application: Application, clerk: User, body: str) -> str:
    cases.change_status(application=application, to_status=Status.UNDER_REVIEW, actor=clerk)
    cases.change_status(application=application, to_status=Status.APPROVED, actor=clerk)
    services.ensure_default_templates([application.procedure])
    DocumentTemplate.objects.filter(procedure=application.procedure, kind="grant").update(
        body=body)
    document = services.issue(application, "grant", clerk)
    with document.pdf.open("rb") as handle:
        return pdf_text(handle.read()).replace("\n", "")


def test_a_bank_account_answer_prints_the_bank_and_branch_names(resident, staff_user):
    field = {"key": "payee", "type": "bank_account", "required": True,
             "label": {"ja": "振込先口座", "en": "Bank account"}}
    application = apply(resident, "bank-test", [field], {
        "payee-bank_code": "0001", "payee-branch_code": "001", "payee-account_type": "ordinary",
        "payee-number": "1234567", "payee-holder": "たかはし みさき"})
    assert application.answers.get("payee") is None  # sealed: a sensitive answer
    text = grant_text(application, staff_user, "振込先　{{ payee_account }}\n"
                      "口座　{{ answers.payee }}\n銀行　{{ answers.payee.bank_name }}／"
                      "{{ answers.payee.branch_name }}")
    assert "振込先　みずほ銀行　東京営業部" in text
    assert "口座　みずほ銀行　東京営業部　普通　＊＊＊＊567" in text
    assert "銀行　みずほ銀行／東京営業部" in text
    body = text[text.index("振込先"):text.index("（担当）")]
    for secret in ("1234567", "タカハシ", "0001", "001"):
        assert secret not in body, secret


def test_codes_typed_into_an_older_form_print_as_names(resident, staff_user):
    fields = [{"key": key, "type": "text", "required": True, "max_length": 30,
               "label": {"ja": label, "en": label}}
              for key, label in (("bank_name", "金融機関名"), ("branch_name", "支店名"))]
    application = apply(resident, "bank-legacy", fields, {"bank_name": "0001",
                                                           "branch_name": "001"})
    text = grant_text(application, staff_user, "振込先　{{ payee_account }}")
    assert "振込先　みずほ銀行　東京営業部" in text
    assert "0001" not in text[text.index("振込先"):text.index("（担当）")]


def test_names_are_kept_when_the_bank_is_not_in_the_list():
    assert content.payee_account({"bank_name": "みどり信用金庫", "branch_name": "北山支店"}) \
        == "みどり信用金庫　北山支店"
    assert content.bank_names({"bank_code": "0005", "branch_code": "001"}) == (
        "三菱ＵＦＪ銀行", "本店")


def test_the_default_grant_notice_names_the_payee_account():
    body = defaults.default_body("grant", "tsugaku-hojo")
    assert "{{ payee_account }}" in body
    assert "answers.bank_name" not in body and "answers.branch_name" not in body


def test_templates_with_the_old_default_line_are_updated_and_edited_ones_kept(procedure):
    migration = importlib.import_module(
        "madoguchi.issuance.migrations.0002_default_grant_names_the_payee_bank")
    old_line, new_line = next(iter(migration.REPLACED_LINES.items()))
    services.ensure_default_templates([procedure])
    grant = DocumentTemplate.objects.get(procedure=procedure, kind="grant")
    grant.body = f"１　受付番号　{{{{ receipt_number }}}}\n{old_line}\n"
    grant.save()
    edited = DocumentTemplate.objects.get(procedure=procedure, kind="decision")
    edited.body = "振込先　{{ answers.bank_name }}（課で書き直した文面）"
    edited.save()
    migration.forwards(apps, None)
    grant.refresh_from_db()
    edited.refresh_from_db()
    assert grant.body == f"１　受付番号　{{{{ receipt_number }}}}\n{new_line}\n"
    assert edited.body == "振込先　{{ answers.bank_name }}（課で書き直した文面）"


def test_the_demo_cases_fill_a_bank_account_field(form_version):
    import copy
    import random

    from madoguchi.demo.cases import DEMO_BANKS, FAMILIES, _answers

    definition = copy.deepcopy(form_version.definition)
    bank_page = next(page for page in definition["pages"] if page["key"] == "bank")
    bank_page["fields"] = [{"key": "payment_account", "type": "bank_account", "required": True,
                            "label": {"ja": "振込先口座", "en": "Bank account"}}]
    answers = _answers(FormSpec(definition), FAMILIES[0], random.Random(1))
    account = answers["payment_account"]
    assert (account["bank_code"], account["branch_code"]) in DEMO_BANKS
    assert content.bank_names(account)[0] in ("みずほ銀行", "三菱ＵＦＪ銀行")
    assert account["holder"] == "ﾀｶﾊｼ ﾐｻｷ"
