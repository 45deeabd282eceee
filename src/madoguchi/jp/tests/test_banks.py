from hypothesis import given
from hypothesis import strategies as st

from madoguchi.jp.banks import bank_full_name, find_bank, find_branch


def test_bank_by_code_with_any_width():
    for typed in ("0001", "０００１", " 0001 "):
        bank = find_bank(typed)
        assert bank is not None
        assert bank.code == "0001"
        assert bank.name == "みずほ"


def test_bank_by_name_with_or_without_suffix_and_in_kana():
    for typed in ("みずほ", "みずほ銀行", "ミズホ", "ﾐｽﾞﾎ", "みずほぎんこう", "ミズホ ギンコウ"):
        bank = find_bank(typed)
        assert bank is not None, typed
        assert bank.code == "0001"
    assert find_bank("三菱UFJ銀行").code == "0005"
    assert find_bank("三菱ＵＦＪ").code == "0005"
    assert find_bank("ゆうちょ銀行").code == "9900"


def test_credit_union_names_long_and_short():
    shinkin = find_bank("北海道信用金庫")
    assert shinkin is not None
    assert shinkin.code == "1001"
    assert find_bank("北海道信金") is shinkin
    assert find_bank("ほっかいどうしんようきんこ") is shinkin
    assert bank_full_name(shinkin) == "北海道信用金庫"


def test_full_names():
    assert bank_full_name(find_bank("0001")) == "みずほ銀行"
    assert bank_full_name(find_bank("9900")) == "ゆうちょ銀行"


def test_unknown_banks():
    for typed in ("", "   ", "9999", "1", "00001", "存在しない銀行", "xyz"):
        assert find_bank(typed) is None, typed


def test_branch_by_code_and_name():
    bank = find_bank("0001")
    for typed in ("001", "００１", "東京営業部", "とうきょう", "トウキョウ", "ﾄｳｷｮｳ"):
        branch = find_branch(bank, typed)
        assert branch is not None, typed
        assert (branch.code, branch.name) == ("001", "東京営業部")
    marunouchi = find_branch(bank, "丸の内中央支店")
    assert marunouchi is not None
    assert marunouchi.name == "丸の内中央"


def test_unknown_branches():
    bank = find_bank("0001")
    for typed in ("", "999", "1", "0001", "存在しない支店"):
        assert find_branch(bank, typed) is None, typed


@given(st.text(max_size=30))
def test_lookups_never_raise(text):
    bank = find_bank(text)
    find_branch(bank or find_bank("0001"), text)
