"""Width folding for digits, Latin letters, punctuation and dashes.

Only ASCII look-alikes are touched; kana and kanji are left as they are (see ``kana.py``).
"""

from __future__ import annotations

# U+FF01..U+FF5E are the full-width forms of U+0021..U+007E; U+3000 is the ideographic space.
_TO_ASCII = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_TO_ASCII[0x3000] = 0x20

# Always a hyphen or minus, whatever surrounds them.
_DASHES = frozenset(
    "\u002d"  # - hyphen-minus
    "\u2010"  # ‐ hyphen
    "\u2011"  # non-breaking hyphen
    "\u2012"  # ‒ figure dash
    "\u2013"  # – en dash
    "\u2014"  # — em dash
    "\u2015"  # ― horizontal bar
    "\u2043"  # ⁃ hyphen bullet
    "\u2212"  # − minus sign (JIS)
    "\u02d7"  # ˗ modifier letter minus
    "\ufe58"  # ﹘ small em dash
    "\ufe63"  # ﹣ small hyphen-minus
    "\uff0d"  # － full-width hyphen-minus (CP932)
)
# Long vowel marks and box-drawing lines: a hyphen only between two digits ("03ー1234").
_DASHES_BETWEEN_DIGITS = frozenset(
    "\u30fc"  # ー katakana prolonged sound mark
    "\uff70"  # ｰ half-width prolonged sound mark
    "\u2500"  # ─ box drawings light horizontal
    "\u2501"  # ━ box drawings heavy horizontal
)
_DIGITS = frozenset("0123456789０１２３４５６７８９")


def to_ascii(s: str) -> str:
    """Fold full-width ASCII (letters, digits, punctuation) and U+3000 to half-width ASCII."""
    return s.translate(_TO_ASCII)


def normalize_hyphens(s: str) -> str:
    """Map dash and minus look-alikes to "-".

    ー and ｰ (and ─ ━) count as hyphens only between two digits, so "コーヒー" is kept while
    "03ー1234ー5678" becomes "03-1234-5678". Wave dashes (〜 ～) are not hyphens.
    """
    out = []
    last = len(s) - 1
    for i, ch in enumerate(s):
        between_digits = 0 < i < last and s[i - 1] in _DIGITS and s[i + 1] in _DIGITS
        if ch in _DASHES or (ch in _DASHES_BETWEEN_DIGITS and between_digits):
            out.append("-")
        else:
            out.append(ch)
    return "".join(out)


def digits_only(s: str) -> str:
    """Return the ASCII digits of ``s`` (full-width digits folded first); all else is dropped."""
    return "".join(ch for ch in to_ascii(s) if "0" <= ch <= "9")
