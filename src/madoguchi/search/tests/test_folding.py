"""Folding: the index and the query meet on one form, whatever the width, script or case."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from madoguchi.search.folding import fold, fold_same_length, fold_with_map, grams, is_gram_term


@pytest.mark.parametrize(("a", "b"), [
    ("ジドウテアテ", "じどうてあて"),
    ("ｼﾞﾄﾞｳﾃｱﾃ", "じどうてあて"),
    ("ＣＯＭＭＵＴＥＲ　ＰＡＳＳ", "commuter pass"),
    ("Commuter  Pass", "commuter pass"),
    ("コンピューター", "こんぴゅた"),
    ("コンピュータ", "こんぴゅた"),
    ("あんけーと", "アンケート"),
    ("アンケ－ト", "アンケート"),  # full-width hyphen typed for ー
    ("jūminhyō", "juminhyo"),
    ("髙﨑", "高崎"),
    ("ﾊﾟｽﾎﾟｰﾄ", "パスポート"),
    ("カ\u3099", "ガ"),  # NFD combining mark
    ("１２３", "123"),
])
def test_equivalent_spellings_fold_the_same(a, b):
    assert fold(a) == fold(b)


def test_fold_drops_control_characters_and_trims():
    assert fold("\x00 住民\x07票 \u200b\ufe00 ") == "住民票"
    assert fold("\n\t") == ""


def test_long_vowel_is_kept_after_digits_and_letters():
    assert fold("03ー1234") == "03ー1234"
    assert fold("a-b") == "a-b"


def test_fold_with_map_points_at_the_original_characters():
    text = "ﾃﾞｼﾞﾀﾙ 窓口"
    folded, where = fold_with_map(text)
    assert folded == "でじたる 窓口"
    assert [text[i] for i in where] == ["ﾃ", "ｼ", "ﾀ", "ﾙ", " ", "窓", "口"]


def test_same_length_fold_keeps_positions():
    text = "ＡＢＣ　ジドウ手当"
    assert len(fold_same_length(text)) == len(text)
    assert fold_same_length(text) == "abc じどう手当"


def test_grams_are_distinct_one_and_two_character_pieces():
    assert grams("児童手当 (a)") == "児 童 児童 手 童手 当 手当 a"
    assert is_gram_term("手当") and is_gram_term("x")
    assert not is_gram_term("手当て") and not is_gram_term("%") and not is_gram_term("")


@given(st.text(max_size=80))
def test_fold_is_idempotent_and_maps_every_character(text):
    folded, where = fold_with_map(text)
    assert fold(folded) == folded
    assert len(where) == len(folded)
    assert where == sorted(where) and all(0 <= i < len(text) for i in where)


COMMON = st.text(alphabet=st.sampled_from(
    list("あいうがぱアイウガパｱｲｳｶﾞﾊﾟｰー〜～－-  　\t漢字髙﨑ＡＢａｂAbc123１２３、。・「」ゝヽ゛゜")
    + ["\u3099", "\u309a", "ｯ", "ヶ", "ヴ", "é"]), max_size=40)


@given(COMMON)
def test_the_one_to_one_shortcut_agrees_with_the_full_fold(text):
    from madoguchi.search import folding

    expected = folding._slow_fold_with_map(text)
    assert fold_with_map(text) == expected
