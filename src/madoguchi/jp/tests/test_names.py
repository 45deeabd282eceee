import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from madoguchi.jp.names import ITAIJI_FOLD, kana_search_key, name_search_key


@pytest.mark.parametrize(
    "variants",
    [
        ["高田", "髙田"],
        ["渡辺", "渡邊", "渡邉", "渡邉\U000e0101"],  # last: 邉 with an IVS selector
        ["山崎", "山﨑", "山嵜"],
        ["斉藤", "斎藤", "齋藤", "齊藤"],
        ["浜田", "濱田", "濵田"],
        ["吉田", "\U00020bb7田"],
        ["長沢", "長澤"],
        ["富田", "冨田"],
        ["山田 太郎", "山田　太郎", "山田太郎", " 山田\t太郎 "],
        ["タナカ", "たなか", "ﾀﾅｶ", "ﾀ ﾅ ｶ"],
        ["ヤマダ", "ﾔﾏﾀﾞ", "やまだ", "ヤ マ ダ"],
        ["ガッツ", "ｶﾞｯﾂ", "がっつ"],
        ["tanaka", "TANAKA", "Ｔａｎａｋａ", "ｔａｎａｋａ"],
        ["塚本", "\ufa10本"],
    ],
)
def test_variants_share_a_key(variants):
    keys = {name_search_key(v) for v in variants}
    assert len(keys) == 1, keys


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("高田", "高橋"),
        ("田中", "中田"),
        ("伊藤", "伊東"),
        ("ヤマダ", "ヤマタ"),
        ("佐藤", "左藤"),
        ("\ufa30", "\u4fae"),
    ],
)
def test_different_names_keep_different_keys(a, b):
    assert name_search_key(a) != name_search_key(b)


def test_compatibility_ideograph_fa30_is_not_turned_into_4fae():
    assert "\ufa30" not in ITAIJI_FOLD
    assert name_search_key("\ufa30") == "\ufa30"
    assert name_search_key("\u4fae") == "\u4fae"


def test_key_examples():
    assert name_search_key("髙田 ﾀﾛｳ") == "高田タロウ"
    assert name_search_key("Ｍａｒｙ　ｽﾐｽ") == "maryスミス"


def test_original_is_not_changed():
    name = "髙田\u3000﨑子"
    key = name_search_key(name)
    assert name == "髙田\u3000﨑子"
    assert key == "高田崎子"


def test_fold_table_shape():
    assert len(ITAIJI_FOLD) >= 40
    for variant, canonical in ITAIJI_FOLD.items():
        assert len(variant) == 1 and len(canonical) == 1
        assert variant != canonical
        assert canonical not in ITAIJI_FOLD, canonical  # folding is one step
        assert unicodedata.category(variant) == "Lo"
        assert unicodedata.category(canonical) == "Lo"


def test_fold_table_entries_asked_for():
    expected = {
        "髙": "高",
        "﨑": "崎",
        "嵜": "崎",
        "邊": "辺",
        "邉": "辺",
        "齋": "斉",
        "齊": "斉",
        "斎": "斉",
        "濵": "浜",
        "濱": "浜",
        "德": "徳",
        "澤": "沢",
        "櫻": "桜",
        "廣": "広",
        "國": "国",
        "惠": "恵",
        "眞": "真",
        "黑": "黒",
        "龍": "竜",
        "瀨": "瀬",
        "冨": "富",
        "藪": "薮",
        "槇": "槙",
        "\U00020bb7": "吉",
    }
    assert expected.items() <= ITAIJI_FOLD.items()
    assert "瀬" not in ITAIJI_FOLD


def test_compatibility_ideographs_fold_only_where_the_table_says():
    for cp in range(0xF900, 0xFB00):
        ch = chr(cp)
        if unicodedata.category(ch) != "Lo":
            continue
        assert name_search_key(ch) == ITAIJI_FOLD.get(ch, ch), hex(cp)
        # where folded, the table agrees with the canonical equivalent
        if ch in ITAIJI_FOLD and unicodedata.normalize("NFC", ch) != ch:
            assert ITAIJI_FOLD[ch] == unicodedata.normalize("NFC", ch)


_cjk = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)


@given(st.lists(_cjk).map("".join))
def test_unfolded_kanji_are_kept(s):
    key = name_search_key(s)
    assert key == "".join(ITAIJI_FOLD.get(ch, ch) for ch in s)


@given(st.text())
def test_name_key_idempotent(s):
    key = name_search_key(s)
    assert name_search_key(key) == key
    assert not any(ch.isspace() for ch in key)
    assert not any("A" <= ch <= "Z" or "\uff01" <= ch <= "\uff5e" for ch in key)


_kana = st.sampled_from(
    [chr(cp) for cp in range(0x3041, 0x3097)] + [chr(cp) for cp in range(0x30A1, 0x30FB)]
)


@given(st.lists(_kana, min_size=1).map("".join))
def test_hiragana_and_katakana_spellings_share_a_key(s):
    hira = "".join(chr(ord(c) - 0x60) if "\u30a1" <= c <= "\u30f6" else c for c in s)
    assert name_search_key(hira) == name_search_key(s)
    assert kana_search_key(hira) == kana_search_key(s)


@pytest.mark.parametrize(
    "variants",
    [
        ["ショウジ", "しょうじ", "ｼｮｳｼﾞ", "シヨウジ", "しようじ"],
        ["ヤマダ　タロウ", "やまだ たろう", "ﾔﾏﾀﾞﾀﾛｳ", " やまだ\u3000\u3000たろう "],
        ["キッチャン", "キツチヤン", "ｷｯﾁｬﾝ"],
    ],
)
def test_kana_key_variants(variants):
    assert len({kana_search_key(v) for v in variants}) == 1


def test_kana_key_keeps_voicing_and_long_vowel():
    assert kana_search_key("ヤマダ") != kana_search_key("ヤマタ")
    assert kana_search_key("オオノ") != kana_search_key("オーノ")
    assert kana_search_key("ｺｰﾋｰ") == "コーヒー"


@given(st.text())
def test_kana_key_idempotent(s):
    key = kana_search_key(s)
    assert kana_search_key(key) == key
    assert not set(key) & set("ァィゥェォッャュョヮヵヶ \u3000")
