"""Search keys for matching names. The keys are for look-up only: a name is always stored and
shown exactly as typed, and no NFKC is applied anywhere, because NFKC turns some
compatibility ideographs into different characters (U+FA30 → U+4FAE)."""

from __future__ import annotations

from .kana import _small_to_large, half_to_full_kana, hira_to_kata, normalize_furigana
from .width import to_ascii

# Common 異体字 in family and given names -> one canonical form used in the key. Canonical forms
# never appear as keys, so folding is idempotent. 斎 and 斉 are different characters but are
# folded together on purpose: residents and staff mix up 斎藤 / 斉藤 / 齋藤 / 齊藤.
ITAIJI_FOLD: dict[str, str] = {
    "髙": "高",  # U+9AD9 はしごだか
    "﨑": "崎",  # U+FA11 たつさき
    "嵜": "崎",
    "碕": "崎",
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
    "髮": "髪",
    "嶋": "島",
    "嶌": "島",
    "峯": "峰",
    "舘": "館",
    "萬": "万",
    "與": "与",
    "實": "実",
    "淺": "浅",
    "關": "関",
    "檜": "桧",
    "榮": "栄",
    "會": "会",
    "澁": "渋",
    "澀": "渋",
    "靜": "静",
    "傳": "伝",
    "條": "条",
    "豐": "豊",
    "藏": "蔵",
    "鐵": "鉄",
    "稻": "稲",
    "增": "増",
    "壽": "寿",
    "兒": "児",
    "圓": "円",
    "來": "来",
    "瀧": "滝",
    "蘆": "芦",
    "舩": "船",
    "廸": "迪",
    "渕": "淵",
    "恆": "恒",
    "桒": "桑",
    "彌": "弥",
    "穗": "穂",
    "縣": "県",
    "嶽": "岳",
    "晉": "晋",
    "莊": "荘",
    "曾": "曽",
    "橫": "横",
    "龜": "亀",
    "黃": "黄",
    "戶": "戸",
    "寬": "寛",
    "\U00020bb7": "吉",  # 𠮷 つちよし
    "\U0002123d": "土",  # 𡈽 点付きの土
    # CJK compatibility ideographs whose canonical equivalent is the same name character.
    "\ufa10": "塚",
    "\ufa19": "神",
    "\ufa1b": "福",
    "\ufa26": "都",
    "\ufa4f": "祐",
    "\uf9dc": "隆",
}
_FOLD = str.maketrans(ITAIJI_FOLD)
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _is_variation_selector(ch: str) -> bool:
    cp = ord(ch)
    return 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF


def name_search_key(s: str) -> str:
    """Key for matching names: width-folded, katakana, no spaces, ASCII lower-case, 異体字 folded
    by ``ITAIJI_FOLD`` and variation selectors (IVS) dropped. Idempotent; never use it as the
    name itself."""
    s = "".join(ch for ch in to_ascii(s) if not ch.isspace() and not _is_variation_selector(ch))
    return half_to_full_kana(hira_to_kata(s)).translate(_ASCII_LOWER).translate(_FOLD)


def kana_search_key(s: str) -> str:
    """Key for matching furigana: normalised katakana, no spaces, small kana written large."""
    return normalize_furigana(_small_to_large(hira_to_kata("".join(s.split()))))


_KANA_KEY_CHARS = frozenset(chr(cp) for cp in range(0x30A1, 0x30FB)) | frozenset("ーヽヾ")


def is_kana_key(key: str) -> bool:
    """Whether a ``kana_search_key`` is all katakana: a query to look up by furigana."""
    return bool(key) and all(ch in _KANA_KEY_CHARS for ch in key)


def furigana_search_key(furigana: str, name: str) -> str:
    """Key of an applicant's furigana for look-up (``kana_search_key``).

    Without furigana the name's own key stands in, with small kana written large, so a name
    typed in kana (たなか はなこ, スミス) is found by kana as before; a kanji name then simply
    never matches a kana query.
    """
    if furigana and furigana.strip():
        return kana_search_key(furigana)
    return kana_search_key(name_search_key(name))
