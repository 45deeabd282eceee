"""The my_number and bank_account field types: validation, storage form, display, masking."""

from __future__ import annotations

import json
import uuid

import pytest
from django.template.loader import render_to_string
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from madoguchi.applications.models import Application
from madoguchi.applications.services import all_answers, submit_application
from madoguchi.conftest import raw_row
from madoguchi.forms.definition import FormSpec, check_definition
from madoguchi.forms.fields import FieldError, registry
from madoguchi.forms.models import FormVersion
from madoguchi.forms.tests.field_helpers import build, error_of
from madoguchi.jp.mynumber import MSG_MY_NUMBER_CHECK_DIGIT, MSG_MY_NUMBER_LENGTH

VALID_MY_NUMBER = "123456789018"
BANK_PARTS = ("bank_code", "branch_code", "account_type", "number", "holder")


def test_both_types_are_registered_and_known_to_check_definition():
    assert {"my_number", "bank_account"} <= set(registry.names)
    definition = {"title": {"ja": "t"}, "pages": [{"key": "p", "title": {"ja": "p"}, "fields": [
        {"key": "mn", "type": "my_number", "label": {"ja": "個人番号"}},
        {"key": "bank", "type": "bank_account", "label": {"ja": "口座"}}]}]}
    assert check_definition(definition) == []


# --- マイナンバー ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "typed",
    ["123456789018", "１２３４５６７８９０１８", "1234-5678-9018", "１２３４－５６７８－９０１８",
     "1234 5678 9018", " 1234\u30005678\u30009018 "],
)
def test_my_number_accepts_width_hyphens_and_spaces(typed):
    field = build("my_number")
    assert field.validate(typed) == VALID_MY_NUMBER
    assert field.display(VALID_MY_NUMBER) == "1234 5678 9018"
    assert field.validate(field.raw_from_value(VALID_MY_NUMBER)) == VALID_MY_NUMBER


def test_my_number_refuses_a_wrong_check_digit_with_the_precise_message():
    field = build("my_number")
    assert error_of(field, "123456789019") == MSG_MY_NUMBER_CHECK_DIGIT
    assert error_of(field, "12345678901") == MSG_MY_NUMBER_LENGTH
    assert error_of(field, "1234567890189") == MSG_MY_NUMBER_LENGTH
    assert error_of(field, "abcdefghijkl") == MSG_MY_NUMBER_LENGTH


def test_my_number_messages_in_english():
    field = build("my_number")
    with translation.override("en"):
        assert "not valid" in error_of(field, "123456789019")
        assert "12 digits" in error_of(field, "123")


def test_my_number_required_and_optional():
    assert "項目" in error_of(build("my_number", required=True), " ")
    assert build("my_number").validate("") is None


def test_my_number_is_always_sensitive_and_masked_to_the_last_four_digits():
    field = build("my_number")
    assert field.is_sensitive
    assert field.mask(VALID_MY_NUMBER) == "********9018"
    assert field.mask(None) == ""


def test_my_number_template():
    html = render_to_string(build("my_number", required=True, hint={"ja": "カードの裏面"}).template,
                            {"field": build("my_number", required=True,
                                            hint={"ja": "カードの裏面"}),
                             "raw": "", "error": "誤り"})
    assert 'inputmode="numeric"' in html
    assert 'autocomplete="off"' in html
    assert 'aria-describedby="f-f-hint f-f-error"' in html
    assert '<label class="field__label" for="f-f">' in html
    assert "必須" in html


# --- bank account ------------------------------------------------------------------------------
def bank_raw(**changes: str) -> dict[str, str]:
    raw = {"bank_code": "0001", "branch_code": "001", "account_type": "ordinary",
           "number": "1234567", "holder": "ミズホ タロウ"}
    return raw | changes


def test_bank_account_by_codes():
    field = build("bank_account", required=True)
    value = field.validate(bank_raw())
    assert value == {
        "bank_code": "0001", "bank_name": "みずほ銀行", "branch_code": "001",
        "branch_name": "東京営業部", "account_type": "ordinary", "number": "1234567",
        "holder": "ﾐｽﾞﾎ ﾀﾛｳ",
    }
    assert field.display(value) == "みずほ銀行 東京営業部 普通 1234567 ﾐｽﾞﾎ ﾀﾛｳ"
    assert field.validate(field.raw_from_value(value)) == value


def test_bank_account_by_names_and_full_width():
    field = build("bank_account")
    value = field.validate(bank_raw(bank_code="みずほ銀行", branch_code="とうきょう",
                                    number="１２３４５６７", account_type="current"))
    assert (value["bank_code"], value["branch_code"]) == ("0001", "001")
    assert value["number"] == "1234567"
    assert "当座" in field.display(value)


def test_bank_account_post_names():
    field = build("bank_account")
    data = {f"f-{part}": value for part, value in bank_raw().items()}
    assert field.raw_from_post(data) == bank_raw()
    assert field.input_id == "f-f-bank_code"


def test_unknown_bank_and_branch_are_named():
    field = build("bank_account")
    assert "9999" in error_of(field, bank_raw(bank_code="9999"))
    assert "ありません銀行" in error_of(field, bank_raw(bank_code="ありません銀行"))
    message = error_of(field, bank_raw(branch_code="999"))
    assert "999" in message
    assert "みずほ銀行" in message


def test_bank_account_missing_parts():
    field = build("bank_account", required=True)
    assert "項目" in error_of(field, {part: "" for part in BANK_PARTS})
    assert build("bank_account").validate({part: " " for part in BANK_PARTS}) is None
    assert error_of(field, bank_raw(bank_code=""))
    assert error_of(field, bank_raw(branch_code=""))
    assert error_of(field, bank_raw(account_type=""))
    assert error_of(field, bank_raw(account_type="other"))
    assert error_of(field, bank_raw(number=""))
    assert error_of(field, bank_raw(holder=""))


@pytest.mark.parametrize(("typed", "stored"), [("1234567", "1234567"), ("123", "0000123"),
                                               ("０１２３４５６", "0123456"),
                                               ("123-4567", "1234567")])
def test_account_number_is_padded_only_when_shorter(typed, stored):
    assert build("bank_account").validate(bank_raw(number=typed))["number"] == stored


@pytest.mark.parametrize("typed", ["12345678", "12a4567", "-", "１２３４５６７８", "1.5"])
def test_account_number_refused(typed):
    assert "7" in error_of(build("bank_account"), bank_raw(number=typed))


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("ジョウ タロウ", "ｼﾞﾖｳ ﾀﾛｳ"),
        ("ｼﾞｮｳ ﾀﾛｳ", "ｼﾞﾖｳ ﾀﾛｳ"),
        ("じょう　たろう", "ｼﾞﾖｳ ﾀﾛｳ"),
        ("キッカワ ユウコ", "ｷﾂｶﾜ ﾕｳｺ"),
        ("サトー", "ｻﾄ-"),
        ("Taro Yamada", "TARO YAMADA"),
        ("株式会社 ミドリ", "ｶ)ﾐﾄﾞﾘ"),
        ("ヤマダ・タロウ", "ﾔﾏﾀﾞ ﾀﾛｳ"),
    ],
)
def test_holder_is_stored_as_the_zengin_transfer_name(typed, stored):
    assert build("bank_account").validate(bank_raw(holder=typed))["holder"] == stored


@pytest.mark.parametrize(("typed", "char"), [
    ("山田 太郎", "山"), ("ヤマダ 太郎", "太"), ("ヸセキ", "ヸ"), ("A@B", "@"),
])
def test_holder_names_the_character_it_refuses(typed, char):
    message = error_of(build("bank_account"), bank_raw(holder=typed))
    assert f"「{char}」" in message and "カタカナ" in message


@pytest.mark.parametrize("typed", ["ー", "()", "-"])
def test_holder_needs_a_kana_or_letter(typed):
    assert "カタカナ" in error_of(build("bank_account"), bank_raw(holder=typed))


def test_holder_length_is_counted_in_half_width_characters():
    field = build("bank_account")
    fits = "ガ" * 15  # ｶﾞ x 15 = 30 half-width characters
    assert field.validate(bank_raw(holder=fits))["holder"] == "ｶﾞ" * 15
    message = error_of(field, bank_raw(holder=fits + "ア"))
    assert "31" in message and "30" in message


def test_bank_account_is_sensitive_and_masked():
    field = build("bank_account")
    value = field.validate(bank_raw())
    assert field.is_sensitive
    masked = field.mask(value)
    assert masked.startswith("みずほ銀行 東京営業部")
    assert "****567" in masked
    assert "1234567" not in masked
    assert "ﾀﾛｳ" not in masked
    assert field.mask(None) == ""


def test_bank_account_template():
    field = build("bank_account", required=True)
    html = render_to_string(field.template, {"field": field, "raw": bank_raw(), "error": "誤り"})
    for part in BANK_PARTS:
        assert f'<label for="f-f-{part}">' in html
        assert f'id="f-f-{part}" name="f-{part}"' in html
    assert "<legend>項目" in html
    assert 'aria-describedby=" f-f-error"' in html or 'aria-describedby="f-f-error"' in html \
        or "f-f-error" in html
    assert 'aria-describedby="f-f-number-hint"' in html
    assert '<option value="ordinary" selected>普通</option>' in html
    assert "必須" in html


_sub_inputs = st.one_of(st.text(max_size=40), st.sampled_from(["0001", "001", "ordinary", ""]))


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=200)
@given(st.fixed_dictionaries({part: _sub_inputs for part in BANK_PARTS}), st.text(max_size=40))
def test_random_text_raises_only_field_error(raw, my_number):
    bank = build("bank_account", required=True)
    data = {f"f-{part}": value for part, value in raw.items()}
    for field, typed in ((bank, bank.raw_from_post(data)),
                         (build("my_number", required=True), my_number)):
        try:
            value = field.validate(typed)
        except FieldError:
            continue
        field.display(value)
        field.mask(value)


# --- encrypted at rest ---------------------------------------------------------------------------
FINANCE_DEFINITION = {
    "title": {"ja": "口座登録", "en": "Bank account"},
    "pages": [{"key": "money", "title": {"ja": "口座", "en": "Account"}, "fields": [
        {"key": "my_number", "type": "my_number", "label": {"ja": "個人番号"}, "required": True},
        {"key": "account", "type": "bank_account", "label": {"ja": "振込先口座"},
         "required": True},
    ]}],
}


def test_finance_answers_are_encrypted_at_rest(form_version, resident):
    version = FormVersion.objects.create(form=form_version.form,
                                         number=form_version.form.versions.count() + 1,
                                         definition=FINANCE_DEFINITION)
    spec = FormSpec(version.definition)
    assert spec.sensitive_keys() == {"my_number", "account"}
    _raw, answers, errors = spec.validate_page(spec.pages[0], {
        "my_number": "1234-5678-9018",
        **{f"account-{part}": value for part, value in bank_raw(number="7654321").items()},
    })
    assert not errors, errors
    application = submit_application(user=resident, version=version, answers=answers,
                                     token=uuid.uuid4())
    stored = raw_row(Application.objects.get(pk=application.pk))
    for secret in (VALID_MY_NUMBER, "7654321", "ﾐｽﾞﾎ", "東京営業部"):
        for spelling in (secret, json.dumps(secret)[1:-1]):
            assert spelling not in stored, spelling
    recovered = all_answers(Application.objects.get(pk=application.pk))
    assert recovered["my_number"] == VALID_MY_NUMBER
    assert recovered["account"]["number"] == "7654321"
    assert recovered["account"]["holder"] == "ﾐｽﾞﾎ ﾀﾛｳ"
