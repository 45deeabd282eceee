import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from madoguchi.jp.width import digits_only, normalize_hyphens, to_ascii


def test_to_ascii_folds_full_width_ascii_and_ideographic_space():
    assert to_ascii("ＡＢＣｘｙｚ０１２３！＠（）－") == "ABCxyz0123!@()-"
    assert to_ascii("山田\u3000太郎") == "山田 太郎"


def test_to_ascii_leaves_kana_and_kanji():
    s = "ｱｲｳ アイウ あいう 山﨑 髙田 \ufa30"
    assert to_ascii(s) == s


@pytest.mark.parametrize("cp", range(0xFF01, 0xFF5F))
def test_to_ascii_agrees_with_unicode_for_every_full_width_ascii(cp):
    # NFKC is used here only to check the table, never in the code.
    assert to_ascii(chr(cp)) == unicodedata.normalize("NFKC", chr(cp))


@given(st.text())
def test_to_ascii_idempotent_and_keeps_length(s):
    once = to_ascii(s)
    assert to_ascii(once) == once
    assert len(once) == len(s)


@pytest.mark.parametrize("dash", list("‐‑‒–—―−－﹣﹘˗⁃-"))
def test_dash_lookalikes_become_hyphen(dash):
    assert normalize_hyphens(f"03{dash}1234{dash}5678") == "03-1234-5678"
    assert normalize_hyphens(f"ab{dash}") == "ab-"


@pytest.mark.parametrize("mark", ["ー", "ｰ", "─"])
def test_long_vowel_is_hyphen_only_between_digits(mark):
    assert normalize_hyphens(f"03{mark}1234{mark}5678") == "03-1234-5678"
    assert normalize_hyphens(f"１２３{mark}４５６７") == "１２３-４５６７"
    assert normalize_hyphens(f"コ{mark}ヒ{mark}") == f"コ{mark}ヒ{mark}"
    assert normalize_hyphens(f"{mark}1") == f"{mark}1"
    assert normalize_hyphens(f"1{mark}") == f"1{mark}"
    assert normalize_hyphens(f"1{mark}a") == f"1{mark}a"


def test_wave_dashes_are_not_hyphens():
    assert normalize_hyphens("1〜2～3") == "1〜2～3"


def test_digits_only():
    assert digits_only("〒１２３－4567") == "1234567"
    assert digits_only("abc") == ""
    assert digits_only("٣٤5") == "5"  # other scripts' digits are not ASCII digits
