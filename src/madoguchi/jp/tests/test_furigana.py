"""Readings of real procedure and place names, and the ruby markup."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from madoguchi.jp.furigana import Segment, align, ruby_html, segments


def readings(text: str, overrides: dict[str, str] | None = None) -> list[tuple[str, str | None]]:
    return [(s.text, s.reading) for s in segments(text, overrides)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("児童手当", [("児童手当", "じどうてあて")]),
        ("国民健康保険", [("国民健康保険", "こくみんけんこうほけん")]),
        ("住民票の写し",
         [("住民票", "じゅうみんひょう"), ("の", None), ("写", "うつ"), ("し", None)]),
        ("印鑑登録証明書", [("印鑑登録証明書", "いんかんとうろくしょうめいしょ")]),
        ("転入届", [("転入届", "てんにゅうとどけ")]),
        ("子ども医療費助成",
         [("子", "こ"), ("ども", None), ("医療費", "いりょうひ"), ("助成", "じょせい")]),
        ("申し込み", [("申", "もう"), ("し", None), ("込", "こ"), ("み", None)]),
        ("市民課", [("市民", "しみん"), ("課", "か")]),
        ("北海道", [("北海道", "ほっかいどう")]),
        ("大阪府", [("大阪府", "おおさかふ")]),
    ],
)
def test_readings_of_procedure_and_place_names(text: str, expected: list) -> None:
    assert readings(text) == expected


def test_a_counter_after_a_number_gets_no_ruby_rather_than_a_wrong_one() -> None:
    found = readings("14日以内")
    assert ("日", "か") not in found
    assert found[0] == ("14日", None)
    assert ("以内", "いない") in found


def test_the_city_dictionary_overrides_the_analyser() -> None:
    found = readings("緑ヶ丘市役所", {"緑ヶ丘": "みどりがおか", "緑ヶ丘市": "ミドリガオカシ"})
    assert found[0] == ("緑ヶ丘市", "みどりがおかし")  # the longest entry wins, katakana → hiragana
    assert readings("通学費の補助", {"通学費": "つうがくひ"})[0] == ("通学費", "つうがくひ")


def test_an_override_can_correct_a_wrong_reading() -> None:
    assert readings("上小路", {"上小路": "かみこうじ"}) == [("上小路", "かみこうじ")]
    assert readings("子育て支援課", {"子育て支援課": "こそだてしえんか"}) == [
        ("子育", "こそだ"), ("て", None), ("支援課", "しえんか")]


def test_alignment_falls_back_to_the_whole_word() -> None:
    assert align("行う", "おこなう") == [Segment("行", "おこな"), Segment("う")]
    assert align("行う", "する") == [Segment("行う", "する")]


def test_ruby_markup_is_escaped_and_hidden_from_screen_readers() -> None:
    out = ruby_html("<b>児童手当</b> & 手続")
    assert out.startswith("&lt;b&gt;<ruby>児童手当<rp aria-hidden=\"true\">(</rp>")
    assert '<rt aria-hidden="true">じどうてあて</rt>' in out
    assert "&amp;" in out
    assert ruby_html("ひらがなとカタカナ 123") == "ひらがなとカタカナ 123"


@given(st.text(alphabet=st.sampled_from("児童手当申請の書類をください。14日以内abcあア&<>"),
               max_size=30))
def test_the_text_is_kept_exactly(text: str) -> None:
    assert "".join(s.text for s in segments(text)) == text
