"""Kana normalisation for furigana fields and search keys (bank transfer names: ``zengin.py``).

Nothing here raises: these functions clean values, validation is up to the caller.
"""

from __future__ import annotations

import re
import unicodedata

_HALF = "｡｢｣､･ｦｧｨｩｪｫｬｭｮｯｰｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜﾝﾞﾟ"
_FULL = (
    "。「」、・ヲァィゥェォャュョッー"
    "アイウエオカキクケコサシスセソタチツテト"
    "ナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン゛゜"
)
_HALF_TO_FULL = str.maketrans(_HALF, _FULL)

# Half-width and combining (sound) marks -> the combining mark used for composition.
_MARKS = {"ﾞ": "\u3099", "\u3099": "\u3099", "ﾟ": "\u309a", "\u309a": "\u309a"}

_HIRA_TO_KATA = {cp: cp + 0x60 for cp in range(0x3041, 0x3097)}
_HIRA_TO_KATA[0x309D] = 0x30FD  # ゝ -> ヽ
_HIRA_TO_KATA[0x309E] = 0x30FE  # ゞ -> ヾ

_SMALL_TO_LARGE = str.maketrans(
    "ァィゥェォッャュョヮヵヶｧｨｩｪｫｯｬｭｮ", "アイウエオツヤユヨワカケｱｲｳｴｵﾂﾔﾕﾖ"
)
_ZENGIN_EXTRA = str.maketrans("ヰヱ", "イエ")

_SPACES = re.compile(r"\s+")
FULL_WIDTH_SPACE = "\u3000"

_KATAKANA_LETTERS = frozenset(chr(cp) for cp in range(0x30A1, 0x30FB))  # ァ..ヺ
_FURIGANA_CHARS = _KATAKANA_LETTERS | frozenset("ー・ヽヾ" + FULL_WIDTH_SPACE)


def hira_to_kata(s: str) -> str:
    """Convert hiragana (ぁ..ゖ, ゝ, ゞ) to katakana; everything else is left alone."""
    return s.translate(_HIRA_TO_KATA)


def _compose(base: str, mark: str) -> str | None:
    """Compose a kana with a combining sound mark, or None when no precomposed kana exists."""
    if not ("\u3040" <= base <= "\u30ff"):
        return None
    composed = unicodedata.normalize("NFC", base + mark)
    return composed if len(composed) == 1 else None


def half_to_full_kana(s: str) -> str:
    """Convert half-width katakana and punctuation to full width.

    Sound marks join the kana before them (ｶﾞ→ガ, ﾊﾟ→パ, ｳﾞ→ヴ, ﾜﾞ→ヷ); combining marks
    (U+3099, U+309A, as in NFD text) are composed the same way. A half-width mark that cannot
    join becomes the spacing mark ゛ or ゜. Kanji are never touched.
    """
    out: list[str] = []
    for ch in s:
        mark = _MARKS.get(ch)
        if mark is not None and out:
            composed = _compose(out[-1], mark)
            if composed is not None:
                out[-1] = composed
                continue
        out.append(ch.translate(_HALF_TO_FULL))
    return "".join(out)


def normalize_furigana(s: str) -> str:
    """Normalise a furigana field: hiragana and half-width kana to full-width katakana, every
    run of spaces (either width) to one full-width space, ends stripped. Idempotent."""
    s = half_to_full_kana(hira_to_kata(s))
    return _SPACES.sub(FULL_WIDTH_SPACE, s).strip(FULL_WIDTH_SPACE)


def is_furigana(s: str) -> bool:
    """True if ``s`` is an already normalised furigana value.

    Allowed: full-width katakana, ー, ・, ヽ, ヾ and single full-width spaces between words; at
    least one katakana letter; no leading or trailing space. Call ``normalize_furigana`` first.
    """
    if not s or s != s.strip(FULL_WIDTH_SPACE) or FULL_WIDTH_SPACE * 2 in s:
        return False
    return all(ch in _FURIGANA_CHARS for ch in s) and any(ch in _KATAKANA_LETTERS for ch in s)


def _small_to_large(s: str) -> str:
    """Write small katakana (either width) large: ァ→ア, ッ→ツ, ャ→ヤ, ヮ→ワ, ヵ→カ, ｯ→ﾂ.

    Done before sound marks are composed, so ッ+゛ cannot turn into ヅ on a second pass.
    """
    return s.translate(_SMALL_TO_LARGE)


def to_zengin_kana(s: str) -> str:
    """Full-size katakana with small kana written large (ジョウ → ジヨウ): the key that matches
    the kana of the Zengin bank and branch list (``banks.py``).

    Normalises like ``normalize_furigana``, writes small kana large and ヰ/ヱ as イ/エ; ヲ and
    ー are kept. Not a transfer name: ``zengin.to_zengin_name`` writes those by the 全銀協 rules.
    """
    return normalize_furigana(_small_to_large(hira_to_kata(s))).translate(_ZENGIN_EXTRA)
