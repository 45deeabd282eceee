import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from madoguchi.jp.kana import (
    half_to_full_kana,
    hira_to_kata,
    is_furigana,
    normalize_furigana,
    to_zengin_kana,
)

HALF_LETTERS = [chr(cp) for cp in range(0xFF66, 0xFF9E)]  # ｦ..ﾝ, including ｰ


def test_hira_to_kata():
    assert hira_to_kata("やまだ たろう") == "ヤマダ タロウ"
    assert hira_to_kata("ぁゔゕゖゝゞ") == "ァヴヵヶヽヾ"
    assert hira_to_kata("山田ｱabc") == "山田ｱabc"


@pytest.mark.parametrize(
    ("half", "full"),
    [
        ("ｶﾞｷﾞｸﾞｹﾞｺﾞ", "ガギグゲゴ"),
        ("ｻﾞｼﾞｽﾞｾﾞｿﾞﾀﾞﾁﾞﾂﾞﾃﾞﾄﾞ", "ザジズゼゾダヂヅデド"),
        ("ﾊﾞﾋﾞﾌﾞﾍﾞﾎﾞﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ", "バビブベボパピプペポ"),
        ("ｳﾞｧｲｵﾘﾝ", "ヴァイオリン"),
        ("ﾜﾞ", "ヷ"),
        ("ｺｰﾋｰ", "コーヒー"),
        ("ｼﾞｮﾝ･ｽﾐｽ", "ジョン・スミス"),
        ("｢ｱ｣､｡", "「ア」、。"),
        ("ｱﾞ", "ア゛"),  # no voiced ア: spacing mark
        ("ﾞﾟ", "゛゜"),
        ("カ\u3099ハ\u309a", "ガパ"),  # NFD input is composed
        ("山ﾞ", "山゛"),
        ("ヤマダ", "ヤマダ"),
    ],
)
def test_half_to_full_kana(half, full):
    assert half_to_full_kana(half) == full


@pytest.mark.parametrize("ch", HALF_LETTERS)
def test_half_width_letters_map_like_unicode(ch):
    assert half_to_full_kana(ch) == unicodedata.normalize("NFKC", ch)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("やまだ　たろう", "ヤマダ　タロウ"),
        ("  ﾔﾏﾀﾞ   ﾀﾛｳ ", "ヤマダ　タロウ"),
        ("ヤマダ \u3000\t タロウ", "ヤマダ　タロウ"),
        ("\u3000すずき\u3000", "スズキ"),
        ("ｶ\u3099ﾏ", "ガマ"),
        ("", ""),
    ],
)
def test_normalize_furigana(typed, expected):
    assert normalize_furigana(typed) == expected


@pytest.mark.parametrize("s", ["ヤマダ　タロウ", "ジョン・スミス", "コーヒー", "ヴ", "スヾキ"])
def test_is_furigana_true(s):
    assert is_furigana(s)


@pytest.mark.parametrize(
    "s",
    [
        "",
        "　",
        "ー",
        "・",
        "やまだ",
        "ﾔﾏﾀﾞ",
        "山田",
        "ヤマダ ",
        "ヤマダ　",
        "　ヤマダ",
        "ヤマダ　　タロウ",
        "ヤマダ タロウ",
        "ヤマダ1",
        "ヤマダA",
        "ガ\u3099",
        "ア゛",
    ],
)
def test_is_furigana_false(s):
    assert not is_furigana(s)


def _voiced_pairs() -> list[str]:
    pairs = []
    for ch in HALF_LETTERS:
        full = unicodedata.normalize("NFKC", ch)
        for half_mark, mark in (("ﾞ", "\u3099"), ("ﾟ", "\u309a")):
            if len(unicodedata.normalize("NFC", full + mark)) == 1:
                pairs.append(ch + half_mark)
    return pairs


_LETTERS = (
    [chr(cp) for cp in range(0x3041, 0x3097)]  # hiragana
    + [chr(cp) for cp in range(0x30A1, 0x30FB)]  # katakana
    + [ch for ch in HALF_LETTERS if ch != "ｰ"]
    + _voiced_pairs()
)
_OTHER = ["ー", "ｰ", "・", "･", "ゝ", "ゞ", "ヽ", "ヾ", " ", "\u3000", "  ", "\t"]
_unit = st.sampled_from(_LETTERS + _OTHER)
kana_input = st.builds(
    lambda a, b, c: "".join(a) + b + "".join(c),
    st.lists(_unit, max_size=8),
    st.sampled_from(_LETTERS),
    st.lists(_unit, max_size=8),
)


def test_voiced_pairs_cover_the_common_ones():
    assert {"ｶﾞ", "ﾊﾟ", "ｳﾞ", "ﾎﾟ", "ﾄﾞ"} <= set(_voiced_pairs())


@given(kana_input)
def test_normalized_kana_is_furigana_and_stable(s):
    out = normalize_furigana(s)
    assert is_furigana(out), out
    assert normalize_furigana(out) == out


@given(st.text())
def test_normalize_furigana_idempotent_on_any_text(s):
    out = normalize_furigana(s)
    assert normalize_furigana(out) == out


@given(kana_input)
def test_normalize_furigana_is_nfc_safe(s):
    out = normalize_furigana(s)
    assert unicodedata.normalize("NFC", out) == out
    assert normalize_furigana(unicodedata.normalize("NFD", s)) == out


@given(st.lists(st.sampled_from(_LETTERS + _OTHER + ["山", "a", "1", "\u3099"])).map("".join))
def test_is_furigana_only_for_normalized_values(s):
    if is_furigana(s):
        assert normalize_furigana(s) == s


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ジョウ", "ジヨウ"),
        ("きっちゃん", "キツチヤン"),
        ("ｼﾞｮｳ", "ジヨウ"),
        ("ヮヵヶァィゥェォ", "ワカケアイウエオ"),
        ("ヰヱヲ", "イエヲ"),
        ("ラーメン", "ラーメン"),
        ("やまだ　たろう", "ヤマダ　タロウ"),
    ],
)
def test_to_zengin_kana(typed, expected):
    assert to_zengin_kana(typed) == expected


@given(kana_input)
def test_zengin_kana_has_no_small_kana_and_is_stable(s):
    out = to_zengin_kana(s)
    assert not set(out) & set("ァィゥェォッャュョヮヵヶヰヱ")
    assert to_zengin_kana(out) == out
