"""Account holder names by the 全銀協 character rules, checked against tables published outside
the project.

Sources of the tables below (the expected values are written out from them by hand, in the
half-width characters a transfer record holds, never computed by the code under test):

* 京葉銀行 「振込先口座名義の入力方法」,
  https://www.keiyobank.co.jp/alpha_dbank/internet/typing.html : the usable characters,
  the examples 例1-例5 and the list "1.法人略語" / "2.営業所略語".
* The same 全銀協 abbreviation list as a municipal rule, 「別表(第5条関係) 1 法人略語」
  (https://expydoc.com/doc/7181036/): the legal forms not on the bank's page (医療法人社団 …
  社会保険労務士法人, 管理組合法人).
* 厚生労働省's examples as quoted by 平松陽子「法人等略語一覧表」
  (https://www.hiramatu-hifuka.com/onyak/kotoba-1/hojin.html): 株式会社 労働商事 →
  カ)ロウドウショウジ, 労働商事 株式会社 → ロウドウショウジ(カ, … 霞が関支社 →
  ロウドウショウジ(カ)カスミガセキシシャ.
* jinjer 「口座名義(フリガナ)で使用できる文字」 (https://jinjer-kyuyo.zendesk.com/hc/ja/articles/
  900002885563): small kana are written large (キユウヨイチロウ, ジンジシヨウゴ).
* 三菱UFJ銀行 FAQ 811 (https://biz.corporate.bk.mufg.jp/faq/show/811): lower-case letters are
  sent as capitals; 合同会社 is ド.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from madoguchi.jp.errors import JPValueError
from madoguchi.jp.zengin import ALLOWED, to_zengin_name

# 法人略語 from the sources: (legal form, its abbreviation in half-width transfer kana).
LEGAL_FORMS = [
    # 京葉銀行 "1.法人略語"
    ("株式会社", "ｶ"), ("有限会社", "ﾕ"), ("合名会社", "ﾒ"), ("合資会社", "ｼ"), ("合同会社", "ﾄﾞ"),
    ("医療法人", "ｲ"), ("財団法人", "ｻﾞｲ"), ("社団法人", "ｼﾔ"), ("宗教法人", "ｼﾕｳ"),
    ("学校法人", "ｶﾞｸ"), ("社会福祉法人", "ﾌｸ"), ("相互会社", "ｿ"), ("更生保護法人", "ﾎｺﾞ"),
    ("特定非営利活動法人", "ﾄｸﾋ"), ("独立行政法人", "ﾄﾞｸ"), ("弁護士法人", "ﾍﾞﾝ"),
    ("有限責任中間法人", "ﾁﾕｳ"), ("無限責任中間法人", "ﾁﾕｳ"), ("行政書士法人", "ｷﾞﾖ"),
    ("司法書士法人", "ｼﾎｳ"), ("税理士法人", "ｾﾞｲ"), ("国立大学法人", "ﾀﾞｲ"), ("農事組合法人", "ﾉｳ"),
    # 別表(第5条関係) 1 法人略語
    ("医療法人社団", "ｲ"), ("医療法人財団", "ｲ"), ("社会医療法人", "ｲ"), ("一般社団法人", "ｼﾔ"),
    ("公益社団法人", "ｼﾔ"), ("一般財団法人", "ｻﾞｲ"), ("公益財団法人", "ｻﾞｲ"),
    ("地方独立行政法人", "ﾁﾄﾞｸ"), ("公立大学法人", "ﾀﾞｲ"), ("管理組合法人", "ｶﾝﾘ"),
    ("社会保険労務士法人", "ﾛｳﾑ"),
]
OFFICES = [("営業所", "ｴｲ"), ("出張所", "ｼﾕﾂ")]  # 京葉銀行 "2.営業所略語"

# Where the abbreviation stands decides its bracket (厚生労働省 / 京葉銀行 例3-例5).
POSITIONED = [
    *[(f"{form}ミドリ", f"{abbr})ﾐﾄﾞﾘ") for form, abbr in LEGAL_FORMS],
    *[(f"ミドリ{form}", f"ﾐﾄﾞﾘ({abbr}") for form, abbr in LEGAL_FORMS],
    *[(f"ミドリ{form}キタヤマ", f"ﾐﾄﾞﾘ({abbr})ｷﾀﾔﾏ") for form, abbr in LEGAL_FORMS],
    *[(f"ミドリ株式会社キタヤマ{office}", f"ﾐﾄﾞﾘ(ｶ)ｷﾀﾔﾏ({abbr}") for office, abbr in OFFICES],
    *[(f"ミドリ株式会社{office}ミナミ", f"ﾐﾄﾞﾘ(ｶ)({abbr})ﾐﾅﾐ") for office, abbr in OFFICES],
]

# The worked examples of the sources, typed as a resident would.
EXAMPLES = [
    ("ケイヨウ タロウ", "ｹｲﾖｳ ﾀﾛｳ"),  # 京葉銀行 例1
    ("ケイヨウカイ ダイヒョウ ケイヨウタロウ", "ｹｲﾖｳｶｲ ﾀﾞｲﾋﾖｳ ｹｲﾖｳﾀﾛｳ"),  # 例2
    ("株式会社ケイヨウギンコウ", "ｶ)ｹｲﾖｳｷﾞﾝｺｳ"),  # 例3
    ("ケイヨウギンコウ株式会社", "ｹｲﾖｳｷﾞﾝｺｳ(ｶ"),  # 例4
    ("ケイヨウギンコウ株式会社チバシテン", "ｹｲﾖｳｷﾞﾝｺｳ(ｶ)ﾁﾊﾞｼﾃﾝ"),  # 例5
    ("株式会社 ロウドウショウジ", "ｶ)ﾛｳﾄﾞｳｼﾖｳｼﾞ"),  # 厚生労働省
    ("ロウドウショウジ 株式会社", "ﾛｳﾄﾞｳｼﾖｳｼﾞ(ｶ"),
    ("ロウドウショウジ 株式会社 カスミガセキシシャ", "ﾛｳﾄﾞｳｼﾖｳｼﾞ(ｶ)ｶｽﾐｶﾞｾｷｼｼﾔ"),
    ("キュウヨイチロウ", "ｷﾕｳﾖｲﾁﾛｳ"),  # jinjer
    ("ジンジショウゴ", "ｼﾞﾝｼﾞｼﾖｳｺﾞ"),
    ("合同会社みどり", "ﾄﾞ)ﾐﾄﾞﾘ"),  # 三菱UFJ銀行
    ("abc ｼﾖｳｼﾞ", "ABC ｼﾖｳｼﾞ"),
]

# The character rules one by one (全銀協 character set as the sources list it).
CHARACTERS = [
    # letters and digits, either width
    ("ＡＢＣ　ＸＹＺ", "ABC XYZ"), ("abc xyz", "ABC XYZ"), ("ａｂｃ", "ABC"),
    ("ミドリ１２３", "ﾐﾄﾞﾘ123"), ("ミドリ123", "ﾐﾄﾞﾘ123"),
    ("ミドリ（キタ）", "ﾐﾄﾞﾘ(ｷﾀ)"), ("ミドリ．キタ", "ﾐﾄﾞﾘ.ｷﾀ"), ("ミドリ－キタ", "ﾐﾄﾞﾘ-ｷﾀ"),
    ("ミドリ／キタ", "ﾐﾄﾞﾘ/ｷﾀ"), ("ミドリ，キタ", "ﾐﾄﾞﾘ,ｷﾀ"), ("ﾐﾄﾞﾘ(ｷﾀ).-/,", "ﾐﾄﾞﾘ(ｷﾀ).-/,"),
    # abbreviations typed already, and the kanji shorthands
    ("カ）ミドリ", "ｶ)ﾐﾄﾞﾘ"), ("ミドリ（カ", "ﾐﾄﾞﾘ(ｶ"), ("ミドリ（カ）キタ", "ﾐﾄﾞﾘ(ｶ)ｷﾀ"),
    ("（株）ミドリ", "ｶ)ﾐﾄﾞﾘ"), ("㈱ミドリ", "ｶ)ﾐﾄﾞﾘ"), ("ミドリ（有）", "ﾐﾄﾞﾘ(ﾕ"),
    ("サトー", "ｻﾄ-"), ("ｻﾄｰ", "ｻﾄ-"),  # the long vowel is the hyphen
    ("ガギグゲゴ", "ｶﾞｷﾞｸﾞｹﾞｺﾞ"), ("パピプペポ", "ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ"), ("ヴ", "ｳﾞ"),  # marks are characters
    ("ァィゥェォッャュョヮ", "ｱｲｳｴｵﾂﾔﾕﾖﾜ"), ("ヵヶ", "ｶｹ"),  # small kana written large
    ("ヰヱヲ", "ｲｴｵ"),  # no ヰ ヱ in the set; ｦ is for EDI data only
    ("みどり　はなこ", "ﾐﾄﾞﾘ ﾊﾅｺ"), ("ミドリ  ハナコ ", "ﾐﾄﾞﾘ ﾊﾅｺ"), ("ミドリ・ハナコ", "ﾐﾄﾞﾘ ﾊﾅｺ"),
    ("ミト\u3099リ", "ﾐﾄﾞﾘ"),  # combining sound mark (NFD input)
]


def test_the_tables_are_large_enough():
    assert len(POSITIONED) + len(EXAMPLES) + len(CHARACTERS) >= 80


@pytest.mark.parametrize(("typed", "expected"), POSITIONED + EXAMPLES + CHARACTERS)
def test_published_transfer_names(typed, expected):
    assert to_zengin_name(typed) == expected


@pytest.mark.parametrize("char", ["ヸ", "ヹ", "ヺ"])
def test_kana_without_a_half_width_form_are_refused(char):
    with pytest.raises(JPValueError) as exc:
        to_zengin_name(f"ミ{char}リ")
    assert exc.value.code == "zengin_char"
    assert exc.value.params == {"char": char}
    assert f"「{char}」" in exc.value.message


@pytest.mark.parametrize(("typed", "char"), [
    ("山田 タロウ", "山"), ("ミドリ＠キタ", "@"), ("ミドリ￥", "￥"), ("ミドリ「キタ」", "「"),
    ("ミドリ*", "*"), ("ミドリ&キタ", "&"), ("ÉCOLE", "É"), ("ミドリ😀", "😀"),
])
def test_other_characters_are_refused_by_name(typed, char):
    with pytest.raises(JPValueError) as exc:
        to_zengin_name(typed)
    assert exc.value.params == {"char": char}


@pytest.mark.parametrize("typed", ["", "   ", "ー", "()", "123"])
def test_a_name_needs_a_kana_or_a_letter(typed):
    with pytest.raises(JPValueError) as exc:
        to_zengin_name(typed)
    assert exc.value.code == "zengin_empty"


def test_length_is_counted_in_half_width_characters():
    assert len(to_zengin_name("ガ" * 15)) == 30
    assert len(to_zengin_name("ミドリ ハナコ")) == 8  # ﾐﾄﾞﾘ is four


TYPED = "アイウエオカガキギパピャュョッーヰヱヲヴぁあいうがぱ　 ＡａＢ１2（）－．"


@given(st.text(alphabet=TYPED, max_size=20))
def test_the_result_is_in_the_character_set_and_stable(typed):
    try:
        name = to_zengin_name(typed)
    except JPValueError:
        return
    assert set(name) <= ALLOWED
    assert name == name.strip() and "  " not in name
    assert to_zengin_name(name) == name
