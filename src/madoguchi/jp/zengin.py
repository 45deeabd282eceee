"""Account holder names as a bank transfer carries them (全銀協 / Zengin character rules).

Sources (the rules are the 全国銀行協会's; banks publish them for their customers):

* Character set of the 全銀協 standard record formats (全銀協標準通信プロトコル, JIS X 0201): a
  transfer name is written in half-width characters only: katakana ｱ..ﾝ with the separate
  sound marks ﾞ ﾟ, capital letters A..Z, digits 0..9, the space and the symbols ( ) . - / ,.
  Small kana are written large (ｷﾔ, not ｷｬ), ヰ ヱ ヲ as ｲ ｴ ｵ (ｦ and the symbols ¥ 「 」 are
  kept for EDI data, not names), a long vowel ー as the hyphen -, and lower-case letters as
  capitals. As published e.g. by 京葉銀行 「振込先口座名義の入力方法」
  (https://www.keiyobank.co.jp/alpha_dbank/internet/typing.html), PCA 「全銀協使用可能文字」
  (https://pca.jp/area_support/manual/kk/Z1sanko/z1_zengin.html) and 三菱UFJ銀行 FAQ 811
  (https://biz.corporate.bk.mufg.jp/faq/show/811).
* 法人略語 and 営業所略語 (the 全銀協 abbreviation list, same sources; examples after the 厚生労働省
  page quoted there): a legal form is written as its abbreviation, with a closing bracket at the
  start of the name (株式会社ミドリ → ｶ)ﾐﾄﾞﾘ), an opening one at the end (ミドリ株式会社 →
  ﾐﾄﾞﾘ(ｶ) and both in the middle (ミドリ株式会社北山営業所 → ﾐﾄﾞﾘ(ｶ)... ).
* The length limit counts half-width characters: ｶﾞ is two (a sound mark is a character).

ヸ ヹ ヺ have no half-width form in JIS X 0201 and are refused; so is anything else outside the
set (kanji, ・ is written as a space as banks ask). No Django here.
"""

from __future__ import annotations

import re
import unicodedata

from .errors import JPValueError
from .kana import half_to_full_kana, hira_to_kata
from .width import to_ascii

MSG_ZENGIN_CHAR = (
    "口座名義に「%(char)s」は使えません。通帳のとおり、カタカナ・英大文字・数字・スペースと"
    " ( ) . - / , で入力してください"
)
MSG_ZENGIN_EMPTY = "口座名義をカタカナで入力してください"

# The characters a transfer name may hold once converted (all half-width, one byte each).
HALF_WIDTH_KANA = "ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜﾝ"
SOUND_MARKS = "ﾞﾟ"
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
DIGITS = "0123456789"
SYMBOLS = " ().-/,"
ALLOWED = frozenset(HALF_WIDTH_KANA + SOUND_MARKS + LETTERS + DIGITS + SYMBOLS)

# Full-width (NFKC) form → half-width character, from Unicode's own compatibility mappings of
# the half-width katakana block; the sound marks map from their combining forms.
_TO_HALF = {unicodedata.normalize("NFKC", chr(cp)): chr(cp) for cp in range(0xFF61, 0xFFA0)}
_TO_HALF.update({"\u309b": "ﾞ", "\u309c": "ﾟ"})  # spacing ゛ ゜

# Written large, and the kana a transfer name does not use.
_KANA_RULES = str.maketrans(
    "ァィゥェォッャュョヮヵヶヰヱヲ",
    "アイウエオツヤユヨワカケイエオ",
)
# Dashes and long vowel marks are all the hyphen; ・ is a space.
_SYMBOL_RULES = str.maketrans({
    **dict.fromkeys("ー\uff70‐‑‒–—―−﹣－─━⁃˗﹘", "-"),
    "・": " ", "･": " ",
    "（": "(", "）": ")", "．": ".", "／": "/", "，": ",",
})
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", LETTERS)
_SPACES = re.compile(r"\s+")

# (written out, its reading in transfer kana, abbreviation), longest first where one name
# contains another (医療法人社団 before 医療法人).
CORPORATE_ABBREVIATIONS: tuple[tuple[str, str, str], ...] = (
    ("特定非営利活動法人", "トクテイヒエイリカツドウホウジン", "トクヒ"),
    ("社会保険労務士法人", "シヤカイホケンロウムシホウジン", "ロウム"),
    ("地方独立行政法人", "チホウドクリツギヨウセイホウジン", "チドク"),
    ("有限責任中間法人", "ユウゲンセキニンチユウカンホウジン", "チユウ"),
    ("無限責任中間法人", "ムゲンセキニンチユウカンホウジン", "チユウ"),
    ("独立行政法人", "ドクリツギヨウセイホウジン", "ドク"),
    ("医療法人社団", "イリヨウホウジンシヤダン", "イ"),
    ("医療法人財団", "イリヨウホウジンザイダン", "イ"),
    ("社会医療法人", "シヤカイイリヨウホウジン", "イ"),
    ("一般財団法人", "イツパンザイダンホウジン", "ザイ"),
    ("公益財団法人", "コウエキザイダンホウジン", "ザイ"),
    ("一般社団法人", "イツパンシヤダンホウジン", "シヤ"),
    ("公益社団法人", "コウエキシヤダンホウジン", "シヤ"),
    ("社会福祉法人", "シヤカイフクシホウジン", "フク"),
    ("更生保護法人", "コウセイホゴホウジン", "ホゴ"),
    ("行政書士法人", "ギヨウセイシヨシホウジン", "ギヨ"),
    ("司法書士法人", "シホウシヨシホウジン", "シホウ"),
    ("国立大学法人", "コクリツダイガクホウジン", "ダイ"),
    ("公立大学法人", "コウリツダイガクホウジン", "ダイ"),
    ("農事組合法人", "ノウジクミアイホウジン", "ノウ"),
    ("管理組合法人", "カンリクミアイホウジン", "カンリ"),
    ("弁護士法人", "ベンゴシホウジン", "ベン"),
    ("税理士法人", "ゼイリシホウジン", "ゼイ"),
    ("株式会社", "カブシキガイシヤ", "カ"),
    ("有限会社", "ユウゲンガイシヤ", "ユ"),
    ("合名会社", "ゴウメイガイシヤ", "メ"),
    ("合資会社", "ゴウシガイシヤ", "シ"),
    ("合同会社", "ゴウドウガイシヤ", "ド"),
    ("相互会社", "ソウゴガイシヤ", "ソ"),
    ("医療法人", "イリヨウホウジン", "イ"),
    ("財団法人", "ザイダンホウジン", "ザイ"),
    ("社団法人", "シヤダンホウジン", "シヤ"),
    ("宗教法人", "シユウキヨウホウジン", "シユウ"),
    ("学校法人", "ガツコウホウジン", "ガク"),
)
# The bracketed kanji shorthands residents also type: (株) ㈱ (有) ㈲ ...
_SHORTHANDS = {"株": "カ", "有": "ユ", "名": "メ", "資": "シ", "同": "ド", "医": "イ",
               "財": "ザイ", "社": "シヤ", "宗": "シユウ", "学": "ガク", "福": "フク"}
_ENCLOSED = {"㈱": "(株)", "㈲": "(有)", "㈴": "(名)", "㈾": "(資)", "㈶": "(財)",
             "㈳": "(社)"}
OFFICE_ABBREVIATIONS: tuple[tuple[str, str, str], ...] = (
    ("営業所", "エイギヨウシヨ", "エイ"),
    ("出張所", "シユツチヨウシヨ", "シユツ"),
)


def _error(char: str) -> JPValueError:
    return JPValueError(MSG_ZENGIN_CHAR, "zengin_char", {"char": char})


def _abbreviate(text: str, table: tuple[tuple[str, str, str], ...],
                extra: dict[str, str] | None = None) -> str:
    """Replace the first legal form of ``table`` found in ``text`` by its bracketed
    abbreviation: ``X)`` at the start, ``(X`` at the end, ``(X)`` in the middle."""
    forms = {name: abbr for name, reading, abbr in table for name in (name, reading)}
    forms.update(extra or {})
    pattern = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
    match = re.search(f" *(?:{pattern}) *", text)
    if match is None:
        return text
    abbr = forms[match[0].strip()]
    before, after = text[: match.start()], text[match.end() :]
    if not before and not after:
        return abbr
    if not before:
        return f"{abbr}){after}"
    if not after:
        return f"{before}({abbr}"
    return f"{before}({abbr}){after}"


def _to_half_width(text: str) -> str:
    out = []
    for ch in text:
        if ch in ALLOWED:
            out.append(ch)
            continue
        for part in unicodedata.normalize("NFD", ch):
            half = _TO_HALF.get(part)
            if not half or half not in ALLOWED:
                raise _error(ch)
            out.append(half)
    return "".join(out)


def to_zengin_name(typed: str) -> str:
    """The transfer name for an account holder as typed: half-width Zengin characters.

    Accepts hiragana, katakana of either width, full-width letters, digits and symbols, lower
    case, small kana, spaces of either width, 株式会社 and the other legal forms (in kanji, in
    kana or as (株) ㈱) and writes them by the 全銀協 rules (see the module docstring). Raises
    JPValueError naming the first character that cannot be written, or when nothing is left.
    """
    text = half_to_full_kana(str(typed))
    for enclosed, bracketed in _ENCLOSED.items():
        text = text.replace(enclosed, bracketed)
    text = hira_to_kata(to_ascii(text)).translate(_ASCII_UPPER)
    text = text.translate(_SYMBOL_RULES).translate(_KANA_RULES)
    text = _SPACES.sub(" ", text).strip()
    shorthands = {f"({kanji})": abbr for kanji, abbr in _SHORTHANDS.items()}
    text = _abbreviate(text, CORPORATE_ABBREVIATIONS, shorthands)
    text = _abbreviate(text, OFFICE_ABBREVIATIONS)
    name = _to_half_width(text)
    if not any(ch in HALF_WIDTH_KANA or ch in LETTERS for ch in name):
        raise JPValueError(MSG_ZENGIN_EMPTY, "zengin_empty")
    return name
