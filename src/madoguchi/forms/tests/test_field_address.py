"""The postal code + address field: validation, display, the look-up button and the JSON API."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from madoguchi.conftest import VALID_POST, draft_of, page_url
from madoguchi.forms.fields import FieldError, registry
from madoguchi.forms.fields.address import PARTS, AddressField
from madoguchi.forms.tests.field_helpers import error_of
from madoguchi.jp.address import AddressCandidate

TYPED = {
    "postal_code": "〒９９９－０１０１",
    "prefecture": " 緑ヶ丘県 ",
    "city": "緑ヶ丘市",
    "town": "北山",
    "street": "　１２３４番地５",
    "building": "﨑山ハイツ101号室 ",
}
STORED = {
    "postal_code": "9990101",
    "prefecture": "緑ヶ丘県",
    "city": "緑ヶ丘市",
    "town": "北山",
    "street": "１２３４番地５",  # stripped, never NFKC
    "building": "﨑山ハイツ101号室",
}


def build(**spec) -> AddressField:
    field = registry.build({"key": "address", "type": "address",
                            "label": {"ja": "お住まい", "en": "Address"}, **spec})
    assert isinstance(field, AddressField)
    return field


def post_of(raw: dict[str, str], key: str = "address") -> dict[str, str]:
    return {f"{key}-{part}": value for part, value in raw.items()}


# --- validation and display ---------------------------------------------------------------------
def test_registered_as_address():
    assert "address" in registry.names
    assert build().input_id == "f-address-postal_code"
    assert build().template == "forms/fields/address.html"


def test_valid_address_is_stored_stripped_with_the_code_normalised():
    field = build(required=True)
    raw = field.raw_from_post(post_of(TYPED))
    assert raw == TYPED
    assert field.validate(raw) == STORED


def test_display_is_one_line_with_the_postal_mark():
    field = build()
    line = "〒999-0101 緑ヶ丘県緑ヶ丘市北山１２３４番地５"
    assert field.display(STORED) == f"{line}　﨑山ハイツ101号室"
    assert field.display({**STORED, "building": ""}) == line
    assert field.display(None) == ""
    assert field.mask(STORED) == field.display(STORED)  # not sensitive
    assert field.export(STORED) == field.display(STORED)


def test_stored_value_round_trips_through_the_inputs():
    field = build(required=True)
    raw = field.raw_from_value(STORED)
    assert raw["postal_code"] == "999-0101"
    assert field.validate(raw) == STORED
    assert field.raw_from_value(None) == {}


def test_town_and_building_may_be_empty():
    field = build(required=True)
    value = field.validate({**TYPED, "town": "", "building": "  "})
    assert value == {**STORED, "town": "", "building": ""}


def test_required_empty_is_refused_and_optional_empty_is_none():
    empty = {part: " \u3000" for part in PARTS}
    assert error_of(build(required=True), empty) == "お住まいを入力してください。"
    assert error_of(build(required=True), {}) == "お住まいを入力してください。"
    assert build().validate(empty) is None
    assert build().validate({}) is None


@pytest.mark.parametrize(
    ("part", "typed", "message"),
    [
        ("postal_code", "", "郵便番号を入力してください。"),
        ("postal_code", "〒１２３", "郵便番号を7桁の数字で入力してください（例：123-4567）"),
        ("postal_code", "12345678", "郵便番号を7桁の数字で入力してください（例：123-4567）"),
        ("prefecture", "", "都道府県を入力してください。"),
        ("city", "\u3000", "市区町村を入力してください。"),
        ("street", "", "丁目・番地・号を入力してください。"),
        ("street", "1番\x00", "お住まいに使えない文字が含まれています。"),
        ("building", "あ" * 101, "お住まいは、それぞれ100文字以内で入力してください。"),
    ],
)
def test_each_missing_or_wrong_part_says_what_to_do(part, typed, message):
    assert error_of(build(required=True), {**TYPED, part: typed}) == message


def test_messages_in_english():
    with translation.override("en"):
        field = build(required=True)
        assert error_of(field, {**TYPED, "street": ""}) == (
            "Enter the block number (丁目・番地・号)."
        )
        assert error_of(field, {**TYPED, "postal_code": "12"}) == (
            "Enter the postal code as 7 digits, e.g. 123-4567."
        )


def test_post_values_are_bounded_and_non_text_ignored():
    raw = build().raw_from_post({"address-street": "あ" * 5000, "address-city": ["x"]})
    assert len(raw["street"]) == 2000
    assert raw["city"] == ""


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from([*PARTS, "candidate"]), st.text(max_size=120)))
def test_random_text_in_every_input_is_a_value_or_a_field_error(typed):
    field = build(required=True)
    raw = field.raw_from_post(post_of(typed))
    try:
        value = field.validate(raw)
    except FieldError as exc:
        assert exc.message
        return
    assert set(value) == set(PARTS)
    assert re.fullmatch(r"\d{7}", value["postal_code"])
    assert field.display(value).startswith("〒")
    assert field.validate(field.raw_from_value(value)) == value


# --- the look-up ------------------------------------------------------------------------------
def test_lookup_fills_one_town_and_keeps_the_rest():
    raw, result = build().lookup({**TYPED, "postal_code": "997-0035", "town": "x"})
    assert raw == {**TYPED, "postal_code": "997-0035", "prefecture": "山形県", "city": "鶴岡市",
                   "town": "馬場町"}
    assert result.found and result.candidates == []
    assert result.message == "住所を入力しました。番地などを続けて入力してください。"


def test_lookup_of_an_unknown_code_asks_the_resident_to_type_the_address():
    raw, result = build().lookup(TYPED)
    assert raw == TYPED  # the demo city's fictional code: nothing changes
    assert not result.found
    assert result.message == (
        "郵便番号に当てはまる住所が見つかりませんでした。住所を入力してください。"
    )


def test_lookup_of_an_invalid_code_says_how_to_write_it():
    _raw, result = build().lookup({"postal_code": "12"})
    assert not result.found
    assert "7桁" in result.message


def test_lookup_with_several_towns_offers_them_and_fills_what_they_share():
    raw, result = build().lookup({"postal_code": "0680546", "town": "typed"})
    assert (raw["prefecture"], raw["city"], raw["town"]) == ("北海道", "夕張市", "")
    assert result.candidates == [AddressCandidate("北海道", "夕張市", "南部青葉町"),
                                 AddressCandidate("北海道", "夕張市", "南部菊水町")]
    assert [c["text"] for c in result.choices] == ["北海道 夕張市 南部青葉町",
                                                   "北海道 夕張市 南部菊水町"]


def test_a_picked_town_fills_only_the_empty_boxes():
    field = build()
    base = {"postal_code": "068-0546", "prefecture": "北海道", "city": "夕張市", "town": "",
            "street": "1番地", "building": ""}
    raw = field.raw_from_post({**post_of(base), "address-candidate": "1"})
    assert raw["town"] == "南部菊水町"
    typed = field.raw_from_post({**post_of({**base, "town": "自分で"}), "address-candidate": "1"})
    assert typed["town"] == "自分で"
    for hostile in ["2", "-1", "１", "1e3", "99999", ""]:
        assert field.raw_from_post({**post_of(base), "address-candidate": hostile})["town"] == ""


# --- the wizard without JavaScript --------------------------------------------------------------
APPLICANT_TYPED = {
    **{k: v for k, v in VALID_POST["applicant"].items() if not k.startswith("address-")},
    "address-postal_code": "１００－０００１",
    "address-prefecture": "",
    "address-city": "",
    "address-town": "",
    "address-street": "1-1",
    "address-building": "皇居ハイツ<1>",
}


def draft(client) -> dict:
    return draft_of(client)


def test_lookup_button_fills_the_address_and_stays_on_the_page(resident_client):
    response = resident_client.post(page_url("applicant"),
                                    {**APPLICANT_TYPED, "_action": "address:lookup"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "住所を入力しました。番地などを続けて入力してください。" in html
    for shown in ["東京都", "千代田区", "千代田", "１００－０００１", "1-1", "皇居ハイツ&lt;1&gt;",
                  "髙﨑", "たかさき", "ﾖｼｵ", "０９０－１２３４－５６７８"]:
        assert f'value="{shown}"' in html, shown
    assert re.search(r'id="f-relationship-0"[^>]*checked', html)
    assert "error-summary" not in html
    assert 'aria-invalid="true"' not in html
    stored = draft(resident_client)
    assert stored["done"] == []
    assert stored["answers"] == {}
    assert stored["raw"]["address"] == {
        "postal_code": "１００－０００１", "prefecture": "東京都", "city": "千代田区",
        "town": "千代田", "street": "1-1", "building": "皇居ハイツ<1>",
    }
    assert stored["raw"]["phone"] == "０９０－１２３４－５６７８"
    # Shown again on a later visit, then continued with the filled-in address.
    assert 'value="千代田区"' in resident_client.get(page_url("applicant")).content.decode()
    post = {**APPLICANT_TYPED, "address-prefecture": "東京都", "address-city": "千代田区",
            "address-town": "千代田"}
    response = resident_client.post(page_url("applicant"), post)
    assert response.status_code == 302
    assert draft(resident_client)["answers"]["address"] == {
        "postal_code": "1000001", "prefecture": "東京都", "city": "千代田区", "town": "千代田",
        "street": "1-1", "building": "皇居ハイツ<1>",
    }


def test_lookup_of_the_demo_code_asks_to_type_the_address(resident_client):
    response = resident_client.post(page_url("applicant"),
                                    {**VALID_POST["applicant"], "_action": "address:lookup"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "郵便番号に当てはまる住所が見つかりませんでした。住所を入力してください。" in html
    assert 'value="緑ヶ丘市"' in html and 'value="北山"' in html  # nothing typed is lost
    assert draft(resident_client)["done"] == []


def test_lookup_with_several_towns_offers_a_choice_then_continues(resident_client):
    typed = {**APPLICANT_TYPED, "address-postal_code": "068-0546"}
    response = resident_client.post(page_url("applicant"), {**typed, "_action": "address:lookup"})
    assert response.status_code == 200
    html = html_lib.unescape(response.content.decode())
    assert 'name="address-candidate" value="1"' in html
    assert "北海道 夕張市 南部菊水町" in html
    assert 'value="夕張市"' in html
    response = resident_client.post(page_url("applicant"), {
        **typed, "address-prefecture": "北海道", "address-city": "夕張市",
        "address-candidate": "1"})
    assert response.status_code == 302
    assert draft(resident_client)["answers"]["address"]["town"] == "南部菊水町"


def test_lookup_for_an_unknown_key_only_keeps_what_was_typed(resident_client):
    response = resident_client.post(page_url("applicant"),
                                    {**APPLICANT_TYPED, "_action": "phone:lookup"})
    assert response.status_code == 200
    assert draft(resident_client)["done"] == []
    assert draft(resident_client)["raw"]["address"]["prefecture"] == ""


def test_the_page_shows_the_lookup_button_and_the_script(resident_client):
    html = resident_client.get(page_url("applicant")).content.decode()
    assert re.search(r'<button[^>]*name="_action" value="address:lookup"[^>]*formnovalidate', html)
    assert 'inputmode="numeric" autocomplete="postal-code"' in html
    assert re.search(r'<script src="[^"]*forms/address\.js"', html)
    assert 'aria-live="polite"' in html


# --- the JSON endpoint --------------------------------------------------------------------------
def test_api_gives_the_candidates(client):
    response = client.get("/api/postal/9970035/")
    assert response.status_code == 200
    assert response.json() == {
        "candidates": [{"prefecture": "山形県", "city": "鶴岡市", "town": "馬場町"}]
    }
    several = client.get("/api/postal/068-0546/").json()["candidates"]
    assert [c["town"] for c in several] == ["南部青葉町", "南部菊水町"]


@pytest.mark.parametrize(
    "path",
    ["/api/postal/9990101/", "/api/postal/0000000/", "/api/postal/%00/", "/api/postal/"
     + "1" * 20 + "/", "/api/postal/%E3%80%92%EF%BC%91/", "/api/postal/" + "9" * 5000 + "/",
     "/api/postal/..%2F..%2Fetc/"],
)
def test_api_unknown_or_hostile_codes_are_404_json(client, db, path):
    response = client.get(path)
    assert response.status_code == 404
    if response["Content-Type"].startswith("application/json"):
        assert response.json() == {"candidates": []}


def test_api_only_answers_get(client):
    assert client.post("/api/postal/9970035/").status_code == 405
