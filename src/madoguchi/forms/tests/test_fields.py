"""Each field type of the registry: validation, normalisation, display and masking."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from madoguchi.core.plugins import PluginError
from madoguchi.forms.fields import MAX_INPUT_LENGTH, FieldError, FieldType, registry
from madoguchi.forms.tests.field_helpers import build, error_of


def test_registry_knows_every_type_once():
    assert set(registry.names) >= {
        "text", "email", "phone", "postal_code", "number", "date", "choice", "consent", "kana",
        "name", "guidance",
    }
    with pytest.raises(ValueError, match="'text' is already registered"):
        registry.register("text")(type(registry.build({"key": "x", "type": "text"})))
    with pytest.raises(ValueError, match="unknown field type"):
        registry.build({"key": "x", "type": "no-such-type"})


def test_registry_refuses_what_is_not_a_field_type_of_that_name():
    class Memo(FieldType):
        type_name = "memo"
        template = "forms/fields/text.html"

    with pytest.raises(PluginError, match="another name"):
        registry.register("note")(Memo)
    with pytest.raises(PluginError, match="FieldType subclass"):
        registry.register("memo")(object)
    assert "memo" not in registry and "note" not in registry
    with registry.temporary("memo", Memo):
        assert isinstance(registry.build({"key": "x", "type": "memo"}), Memo)
    assert "memo" not in registry


def test_reservation_type_is_registered_by_the_reservations_app():
    from madoguchi.reservations.form_field import ReservationField

    assert registry.type_of("reservation") is ReservationField


# --- required and optional --------------------------------------------------------------------
@pytest.mark.parametrize("type_name", ["text", "email", "phone", "postal_code", "number", "date",
                                       "kana"])
@pytest.mark.parametrize("empty", ["", "   ", "\u3000\u3000"])
def test_required_empty_is_refused_and_optional_empty_is_none(type_name, empty):
    assert "項目" in error_of(build(type_name, required=True), empty)
    assert build(type_name).validate(empty) is None


# --- phone ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "stored", "shown"),
    [
        ("０９０－１２３４－５６７８", "09012345678", "090-1234-5678"),
        ("090 1234 5678", "09012345678", "090-1234-5678"),
        ("03-1234-5678", "0312345678", "03-1234-5678"),
    ],
)
def test_phone_is_normalised_to_digits(typed, stored, shown):
    field = build("phone")
    assert field.validate(typed) == stored
    assert field.display(stored) == shown
    assert field.validate(field.raw_from_value(stored)) == stored


@pytest.mark.parametrize("typed", ["abc", "12", "090-1234-567８9999", "〒123-4567"])
def test_phone_refuses_what_is_not_a_number(typed):
    assert error_of(build("phone"), typed)


# --- postal code ------------------------------------------------------------------------------
@pytest.mark.parametrize("typed", ["〒１２３－４５６７", "123-4567", "1234567", "１２３４５６７",
                                   " 123ー4567 "])
def test_postal_code_is_normalised(typed):
    field = build("postal_code")
    assert field.validate(typed) == "1234567"
    assert field.display("1234567") == "〒123-4567"
    assert field.raw_from_value("1234567") == "123-4567"


@pytest.mark.parametrize("typed", ["123-456", "12345678", "abc-defg", "〒"])
def test_postal_code_refuses_wrong_lengths(typed):
    assert error_of(build("postal_code"), typed)


# --- number -----------------------------------------------------------------------------------
def test_number_accepts_full_width_digits_and_commas():
    field = build("number", min=1, max=100000, unit={"ja": "円", "en": "yen"})
    assert field.validate("１５，０００") == 15000
    assert field.validate("15,000円") == 15000
    assert field.validate(" 1 ".strip()) == 1
    assert field.display(15000) == "15,000円"


def test_number_min_and_max_messages_name_the_limits():
    field = build("number", min=1, max=100000)
    low = error_of(field, "0")
    high = error_of(field, "100001")
    assert "項目" in low and "1" in low
    assert "100,000" in high
    assert low != high
    assert error_of(field, "-5") == low


@pytest.mark.parametrize("typed", ["abc", "1.5", "9" * 13, "１e3", "--1", "1 000 000"])
def test_number_refuses_non_integers_and_huge_numbers(typed):
    assert error_of(build("number", min=1, max=100000), typed)


# --- date -------------------------------------------------------------------------------------
@pytest.mark.parametrize("typed", ["平成21年4月2日", "H21.4.2", "h２１．４．２", "2009-04-02",
                                   "2009/4/2", "２００９年４月２日",
                                   "平成21年（2009年）4月2日"])
def test_date_accepts_wareki_and_western(typed):
    field = build("date")
    assert field.validate(typed) == "2009-04-02"


def test_date_is_shown_in_wareki_with_the_western_year_in_japanese():
    field = build("date")
    assert field.display("2009-04-02") == "平成21年（2009年）4月2日"
    assert field.raw_from_value("2019-05-01") == "令和元年5月1日"
    with translation.override("en"):
        assert field.display("2009-04-02") == "2 April 2009"


def test_impossible_era_date_is_refused_naming_the_real_date():
    message = error_of(build("date"), "平成31年5月1日")
    assert "令和元年5月1日" in message


@pytest.mark.parametrize("typed",
                         ["2023-02-29", "令和5年2月30日", "昭和0年1月1日", "明日", "31/12"])
def test_date_refuses_dates_that_do_not_exist(typed):
    assert error_of(build("date"), typed)


def test_date_past_only_refuses_the_future():
    field = build("date", past_only=True)
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    assert error_of(field, tomorrow.isoformat())
    assert field.validate(dt.date.today().isoformat()) == dt.date.today().isoformat()


@pytest.mark.parametrize("typed", ["1800-01-01", "1868-01-24", "0001-01-01"])
def test_date_before_meiji_is_refused_because_it_cannot_be_shown_in_wareki(typed):
    # A date that is accepted must be displayable; before 明治 there is no 和暦 to show.
    assert error_of(build("date"), typed)


HYPOTHESIS = settings(max_examples=100, deadline=None,
                      suppress_health_check=[HealthCheck.function_scoped_fixture])


@HYPOTHESIS
@given(st.dates(min_value=dt.date(1868, 1, 25), max_value=dt.date(2100, 12, 31)))
def test_accepted_date_round_trips_through_display_and_change_link(day):
    field = build("date")
    stored = field.validate(day.isoformat())
    assert stored == day.isoformat()
    assert field.display(stored)
    # The change link puts 和暦 back into the box; the stored value must come back unchanged.
    assert field.validate(field.raw_from_value(stored)) == stored


@HYPOTHESIS
@given(st.text(max_size=40))
def test_date_never_raises_anything_but_field_error(typed):
    field = build("date")
    try:
        stored = field.validate(typed)
    except FieldError:
        return
    if stored is not None:
        field.display(stored)
        field.raw_from_value(stored)


# --- names and furigana -----------------------------------------------------------------------
def test_name_is_stored_exactly_as_typed_and_furigana_normalised():
    field = build("name", kana=True, required=True)
    value = field.validate({"family": "髙﨑", "given": "𠮷男", "family_kana": "たかさき",
                            "given_kana": "ﾖｼｵ"})
    assert value == {"family": "髙﨑", "given": "𠮷男", "family_kana": "タカサキ",
                     "given_kana": "ヨシオ"}
    # The exact code points survive: no NFKC (U+FA11 would become U+5D0E).
    assert value["family"] == "\u9ad9\ufa11"
    assert value["given"][0] == "\U00020bb7"
    assert field.display(value) == "髙﨑　𠮷男（タカサキ　ヨシオ）"


def test_name_parts_come_from_separate_inputs():
    field = build("name", kana=True)
    post = {"f-family": "山田", "f-given": "太郎", "f-family_kana": "やまだ",
            "f-given_kana": "たろう", "f-other": "x"}
    assert field.raw_from_post(post) == {"family": "山田", "given": "太郎",
                                         "family_kana": "やまだ", "given_kana": "たろう"}


@pytest.mark.parametrize(
    ("raw", "part_word"),
    [
        ({"family": "", "given": "太郎", "family_kana": "ヤマダ", "given_kana": "タロウ"},
         "family"),
        ({"family": "山田", "given": "", "family_kana": "ヤマダ", "given_kana": "タロウ"},
         "given"),
        ({"family": "山田", "given": "太郎", "family_kana": "山田", "given_kana": "タロウ"},
         "kana"),
        ({"family": "山\x00田", "given": "太郎", "family_kana": "ヤマダ", "given_kana": "タロウ"},
         "control"),
        ({"family": "山" * 51, "given": "太郎", "family_kana": "ヤマダ", "given_kana": "タロウ"},
         "long"),
    ],
)
def test_name_refuses_missing_parts_kanji_furigana_and_control_chars(raw, part_word):
    assert error_of(build("name", kana=True, required=True), raw)


def test_kana_field_normalises_and_refuses_kanji():
    field = build("kana")
    assert field.validate("みどり　はなこ") == "ミドリ　ハナコ"
    assert field.validate("ﾐﾄﾞﾘ ﾊﾅｺ") == "ミドリ　ハナコ"
    assert field.validate("ミドリ  ハナコ") == "ミドリ　ハナコ"
    assert "項目" in error_of(field, "緑花子")
    assert error_of(field, "midori")


def test_kana_field_max_length():
    assert error_of(build("kana", max_length=5), "アイウエオカ")
    assert build("kana", max_length=5).validate("アイウエオ") == "アイウエオ"


# --- choice and consent -----------------------------------------------------------------------
def test_choice_accepts_listed_values_only():
    field = build("choice", required=True, options=[
        {"value": "father", "label": {"ja": "父", "en": "Father"}},
        {"value": 2, "label": {"ja": "二", "en": "Two"}},
    ])
    assert field.validate("father") == "father"
    assert field.validate("2") == "2"
    assert field.display("father") == "父"
    assert "項目" in error_of(field, "uncle")
    assert error_of(field, "Father")
    assert error_of(field, "") != error_of(field, "uncle")
    assert field.display("uncle") == ""


def test_choice_input_id_depends_on_widget():
    assert build("choice", options=[{"value": "a", "label": "A"}]).input_id == "f-f-0"
    select = build("choice", widget="select", options=[{"value": "a", "label": "A"}])
    assert select.input_id == "f-f"


def test_consent_required_message_and_value():
    field = build("consent", required=True,
                  required_message={"ja": "同意の欄にチェックを入れてください。", "en": "Tick it."})
    assert field.raw_from_post({"f": "yes"}) == "yes"
    assert field.raw_from_post({"f": "on"}) == ""
    assert field.raw_from_post({}) == ""
    assert field.validate("yes") is True
    assert error_of(field, "") == "同意の欄にチェックを入れてください。"
    with translation.override("en"):
        assert error_of(field, "") == "Tick it."
    generic = build("consent", required=True)
    assert error_of(generic, "")


# --- text, email ------------------------------------------------------------------------------
def test_text_pattern_accepts_full_width_digits_for_an_account_number():
    field = build("text", pattern="[0-9]{7}", max_length=7,
                  pattern_message={"ja": "口座番号を7桁の数字で入力してください", "en": "7 digits"})
    assert field.validate("０１２３４５６") == "0123456"
    assert field.validate("0123456") == "0123456"
    assert error_of(field, "123456") == "口座番号を7桁の数字で入力してください"
    assert error_of(field, "12345678")
    assert error_of(field, "abcdefg")


def test_text_length_and_nul():
    field = build("text", max_length=5, min_length=2)
    assert field.validate("  あいう  ") == "あいう"
    assert "5" in error_of(field, "あいうえおか")
    assert "2" in error_of(field, "あ")
    assert error_of(field, "あ\x00い")
    multi = build("text", multiline=True)
    assert multi.validate("一行目\r\n二行目") == "一行目\n二行目"


def test_raw_from_post_bounds_length_and_ignores_non_text():
    field = build("text")
    assert len(field.raw_from_post({"f": "あ" * 10_000})) == MAX_INPUT_LENGTH
    assert field.raw_from_post({"f": ["a", "b"]}) == ""
    assert field.raw_from_post({}) == ""


def test_email_field_accepts_full_width_and_refuses_garbage():
    field = build("email")
    assert field.validate("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ") == "taro@example.jp"
    assert error_of(field, "taro@")


def test_sensitive_values_are_masked():
    field = build("text", sensitive=True)
    assert field.is_sensitive
    assert field.mask("0123456") == "＊＊＊＊"
    assert field.mask(None) == ""
    assert build("text").mask("abc") == "abc"


def test_guidance_holds_no_value():
    field = build("guidance", text={"ja": "説明", "en": "Note"})
    assert not field.has_value
    assert field.validate("anything") is None


def test_jp_messages_are_japanese_in_japanese_and_english_in_english():
    """The jp helpers' precise Japanese messages are used in Japanese; English gets its own."""
    assert "令和元年5月1日" in error_of(build("date"), "平成31年5月1日")
    assert "電話番号" in error_of(build("phone"), "abc")
    with translation.override("en"):
        assert error_of(build("date"), "平成31年5月1日").startswith("Enter the date")
        assert error_of(build("phone"), "abc").startswith("Enter a phone number")
        assert error_of(build("postal_code"), "12").startswith("Enter the postal code")
