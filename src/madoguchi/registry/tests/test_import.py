"""The file-import connector: idempotent, moves and deaths, encodings, 外字, hostile files."""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from madoguchi.core import crypto
from madoguchi.registry import keys, selectors
from madoguchi.registry.contrib.file_import import importer
from madoguchi.registry.contrib.file_import.reader import Refused, parse_mapping
from madoguchi.registry.models import ImportRun, Person, StagedRecord
from madoguchi.registry.plugins import ResidentQuery, registry_connectors

from .helpers import FAMILY, person, write

# (family name, furigana, holds a 外字)
FAMILY_NAMES = [("髙橋", "タカハシ", True), ("高橋", "タカハシ", False),
                ("山﨑", "ヤマザキ", False), ("𠮷田", "ヨシダ", True), ("佐藤", "サトウ", False),
                ("齋藤", "サイトウ", False), ("\ue000山", "ヤマ", True),
                ("渡邊", "ワタナベ", False)]
GIVEN_NAMES = [("一郎", "イチロウ"), ("花子", "ハナコ"), ("さくら", "サクラ"), ("蓮", "レン")]
SETTINGS = settings(max_examples=12, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


@st.composite
def populations(draw: st.DrawFn, cp932: bool = False) -> list[dict[str, str]]:
    """A small extract: unique codes, people in a few households, names with 異体字/外字."""
    size = draw(st.integers(1, 12))
    codes = draw(st.lists(st.integers(10**10, 10**11 - 1), min_size=size, max_size=size,
                          unique=True))
    families = [f for f in FAMILY_NAMES if not (cp932 and f[0].startswith("𠮷"))]
    rows = []
    for code in codes:
        family = draw(st.sampled_from(families))
        given = draw(st.sampled_from(GIVEN_NAMES))
        born = draw(st.dates(dt.date(1920, 1, 1), dt.date(2025, 12, 31)))
        household = draw(st.integers(1, 4))
        rows.append(person(str(code), f"{family[0]}　{given[0]}", f"{family[1]}　{given[1]}",
                           household=f"{household:08d}", birth=born.isoformat(),
                           address=f"緑ヶ丘市若葉町{household}丁目1番1号"))
    return rows


def snapshot() -> list[tuple]:
    return list(Person.objects.order_by("id").values_list(
        "record_id", "sealed", "digest", "active", "changed_at", "updated_at", "has_gaiji"))


def records_by_code() -> dict[str, dict]:
    out = {}
    for p in Person.objects.all():
        data = p.data()
        out[data["resident_code"]] = {**data, "active": p.active, "has_gaiji": p.has_gaiji}
    return out


@pytest.fixture
def workdir():
    with tempfile.TemporaryDirectory() as tmp:
        yield Path(tmp)


@SETTINGS
@given(rows=populations())
def test_importing_the_same_file_again_changes_nothing(db, workdir, rows):
    with transaction.atomic():
        path = write(workdir / "a.csv", rows)
        first = importer.import_file(path)
        assert first.counts["created"] == len(rows)
        before = snapshot()
        again = importer.import_file(path)
        assert again.counts["unchanged"] == len(rows)
        assert again.counts["created"] == again.counts["updated"] == 0
        assert snapshot() == before
        assert not StagedRecord.objects.exists()
        transaction.set_rollback(True)


@SETTINGS
@given(rows=populations(), data=st.data())
def test_a_new_extract_records_moves_out_deaths_and_absence(db, workdir, rows, data):
    with transaction.atomic():
        importer.import_file(write(workdir / "a.csv", rows))
        fates = data.draw(st.lists(st.sampled_from(["stay", "転出", "死亡", "absent", "moved"]),
                                   min_size=len(rows), max_size=len(rows)))
        second = []
        for row, fate in zip(rows, fates, strict=True):
            if fate == "absent":
                continue
            if fate == "moved":
                row = {**row, "address": "緑ヶ丘市中央9丁目9番9号", "reason": "転居"}
            elif fate != "stay":
                row = {**row, "reason": fate, "changed_on": "2026-03-31"}
            second.append(row)
        outcome = importer.import_file(write(workdir / "b.csv", second))
        assert outcome.counts["moved_out"] == fates.count("転出")
        assert outcome.counts["died"] == fates.count("死亡")
        assert outcome.counts["absent"] == fates.count("absent")
        assert outcome.counts["updated"] == len(second) - fates.count("stay")
        stored = records_by_code()
        for row, fate in zip(rows, fates, strict=True):
            found = stored[row["resident_code"]]
            assert found["active"] is (fate in ("stay", "moved"))
            if fate == "moved":
                assert found["address"] == "緑ヶ丘市中央9丁目9番9号"
        gone = Person.objects.filter(active=False)
        assert all(p.changed_at is not None for p in gone)
        # The same new extract again changes nothing, and the absent are brought back when
        # listed again.
        assert importer.import_file(workdir / "b.csv").counts["unchanged"] == len(second)
        back = importer.import_file(write(workdir / "c.csv", rows))
        assert Person.objects.filter(active=True).count() == len(rows)
        assert back.counts["updated"] == len(rows) - fates.count("stay")
        transaction.set_rollback(True)


@SETTINGS
@given(rows=populations(cp932=True))
def test_cp932_extract_round_trips_names_exactly_and_flags_gaiji(db, workdir, rows):
    with transaction.atomic():
        outcome = importer.import_file(write(workdir / "sjis.csv", rows, encoding="cp932"))
        assert outcome.report.encoding == "cp932"
        stored = records_by_code()
        for row in rows:
            found = stored[row["resident_code"]]
            assert (found["name"], found["kana"]) == (row["name"], row["kana"])
            expected = any(row["name"].startswith(f[0]) and f[2] for f in FAMILY_NAMES)
            assert found["has_gaiji"] is expected, row["name"]
        transaction.set_rollback(True)


def test_gaiji_test_follows_jis_x_0213_and_private_use():
    assert keys.has_gaiji("髙橋")  # はしごだか: not in JIS X 0208/0213
    assert keys.has_gaiji("𠮷田")
    assert keys.has_gaiji("\ue000")
    assert keys.has_gaiji("葛\U000e0100")  # an ideographic variation sequence
    assert not keys.has_gaiji("山﨑 高橋 齋藤 ﾀｶﾊｼ abc")


def test_utf8_file_with_bom_wareki_dates_and_the_connector(db, tmp_path):
    path = write(tmp_path / "family.csv", FAMILY, encoding="utf-8-sig")
    outcome = importer.import_file(path)
    assert outcome.counts["created"] == 5 and outcome.report.encoding == "utf-8-sig"
    connector = registry_connectors["file_import"]
    found = connector.find(ResidentQuery(resident_code="12345678902"))
    assert [(r.name, r.birth_date) for r in found] == [("髙橋　花子", dt.date(1977, 7, 7))]
    household = connector.household("00000001")
    assert [r.relationship for r in household] == ["世帯主", "妻", "子"]
    assert household[2].birth_date == dt.date(2020, 3, 3)
    assert len(list(connector.changes(since=None))) == 5
    assert list(connector.changes(since=ImportRun.objects.get().finished_at)) == []


def test_sensitive_values_are_sealed_not_stored_in_clear(db, tmp_path):
    importer.import_file(write(tmp_path / "family.csv", FAMILY))
    row = Person.objects.get(record_id=keys.code_index("22345678901"))
    clear = " ".join(str(v) for v in Person.objects.filter(pk=row.pk).values().get().values())
    for secret in ("山﨑", "ヤマザキ", "1960", "桜坂", "22345678901", "00000002"):
        assert secret not in clear
    assert row.sealed.startswith("v1:")
    with pytest.raises(crypto.DecryptionError):
        crypto.unseal(row.sealed, context="registry:file_import:another")


def test_column_mapping_for_other_header_names(db, tmp_path):
    mapping = {"住民票コード": "JUMIN_CD", "name": "NAME_KANJI", "氏名フリガナ": "NAME_KANA"}
    path = write(tmp_path / "other.csv", FAMILY, headers={
        "resident_code": "JUMIN_CD", "name": "NAME_KANJI", "kana": "NAME_KANA"})
    with pytest.raises(Refused):
        importer.import_file(path)
    parsed = parse_mapping(json_text := '{"住民票コード": "JUMIN_CD", "name": "NAME_KANJI", '
                                       '"氏名フリガナ": "NAME_KANA"}')
    assert parsed == {"resident_code": "JUMIN_CD", "name": "NAME_KANJI", "kana": "NAME_KANA"}
    assert json_text and mapping
    assert importer.import_file(path, mapping=parsed).counts["created"] == 5
    with pytest.raises(ValueError, match="unknown column"):
        parse_mapping('{"血液型": "BLOOD"}')


def refused(path: Path, **kwargs) -> list[str]:
    with pytest.raises(Refused) as caught:
        importer.import_file(path, **kwargs)
    assert Person.objects.count() == 0 and ImportRun.objects.count() == 0
    return [str(p) for p in caught.value.report.problems]


def test_wrong_columns_are_reported_and_nothing_imported(db, tmp_path):
    path = tmp_path / "wrong.csv"
    path.write_text("住民票コード,名前,カナ\n12345678901,山田,ヤマダ\n", encoding="utf-8")
    problems = refused(path)
    assert "line 1, column 氏名: column missing from the header" in problems
    assert "line 1, column 生年月日: column missing from the header" in problems


def test_bad_encoding_names_the_line_and_nothing_is_imported(db, tmp_path):
    good = write(tmp_path / "x.csv", FAMILY, encoding="utf-8-sig").read_bytes()
    lines = good.split(b"\n")
    lines[4] = lines[4].replace("山﨑".encode(), b"\xff\xfe")
    (tmp_path / "bad.csv").write_bytes(b"\n".join(lines))
    assert refused(tmp_path / "bad.csv") == ["line 5, column 氏名: is not valid utf-8-sig"]
    # A Shift_JIS file cut in the middle of a character.
    sjis = write(tmp_path / "s.csv", FAMILY[:4], encoding="cp932").read_bytes()
    cut = sjis.split(b"\r\n")
    cut[4] += b"\x81"  # a lead byte with no second byte
    (tmp_path / "cut.csv").write_bytes(b"\r\n".join(cut))
    assert refused(tmp_path / "cut.csv") == ["line 5, column 異動日: is not valid cp932"]
    # A bad header line: no column to name.
    (tmp_path / "head.csv").write_bytes(b"\xff" + good)
    assert refused(tmp_path / "head.csv") == ["line 1: is not valid cp932"]


@pytest.mark.parametrize("cell", ["=HYPERLINK(\"http://x\")", "+81-3", "-1+2", "@SUM(A1)"])
def test_formula_cells_are_refused_with_row_and_column(db, tmp_path, cell):
    rows = [*FAMILY, person("42345678901", cell, "ヤマダ　タロウ")]
    problems = refused(write(tmp_path / "formula.csv", rows))
    assert problems == ["line 7, column 氏名: starts like a spreadsheet formula (=, +, -, @): "
                        "refused"]


def test_every_bad_cell_is_reported_with_row_and_column(db, tmp_path):
    rows = [*FAMILY,
            person("123", "山田　太郎", "ヤマダ　タロウ"),
            person("42345678902", "山田　次郎", "やまだ じろう", birth="平成32年1月1日"),
            person("42345678903", "", "ヤマダ", sex="X")]
    problems = refused(write(tmp_path / "bad.csv", rows))
    assert problems[0] == "line 7, column 住民票コード: is not an 11-digit 住民票コード"
    assert problems[1].startswith("line 8, column 生年月日: ")
    assert problems[2:] == ["line 9, column 氏名: is empty"]


def test_a_bad_row_after_many_good_ones_imports_nothing(db, tmp_path):
    rows = [person(f"5{i:010d}", "山田　太郎", "ヤマダ　タロウ", household=f"{i:08d}")
            for i in range(1, 1600)]
    rows.append(person("59999999999", "山田　太郎", "ヤマダ　タロウ", birth="2026-02-30"))
    problems = refused(write(tmp_path / "late.csv", rows))
    assert problems[0].startswith("line 1601, column 生年月日")


def test_a_hostile_extract_leaves_the_registry_as_it_was(db, tmp_path):
    """Over a registry already imported, a new extract whose bad row comes after more than
    one batch of good (changed) rows is refused and changes nothing."""
    rows = [person(f"5{i:010d}", "山田　太郎", "ヤマダ　タロウ", household=f"{i:08d}")
            for i in range(1, 1200)]
    importer.import_file(write(tmp_path / "first.csv", rows))
    before = snapshot()
    runs = ImportRun.objects.count()
    moved = [{**row, "address": "緑ヶ丘市桜坂1丁目2番3号"} for row in rows]
    moved[-1] = {**moved[-1], "kana": "=cmd|' /C calc'!A0"}
    with pytest.raises(Refused) as caught:
        importer.import_file(write(tmp_path / "moved.csv", moved))
    assert [str(p) for p in caught.value.report.problems] == [
        "line 1200, column 氏名フリガナ: starts like a spreadsheet formula (=, +, -, @): refused"]
    assert snapshot() == before and ImportRun.objects.count() == runs
    assert StagedRecord.objects.count() == 0


def test_a_duplicate_code_in_a_later_batch_rolls_everything_back(db, tmp_path):
    rows = [person(f"6{i:010d}", "山田　太郎", "ヤマダ　タロウ") for i in range(1, 1300)]
    rows.append(person("60000000001", "山田　花子", "ヤマダ　ハナコ"))
    problems = refused(write(tmp_path / "dup.csv", rows))
    assert problems == ["line 1301, column 住民票コード: appears more than once in the file"]
    assert StagedRecord.objects.count() == 0


def test_command_imports_with_progress_and_dry_run_writes_nothing(db, tmp_path):
    path = write(tmp_path / "family.csv", FAMILY)
    out, err = io.StringIO(), io.StringIO()
    call_command("import_registry", str(path), "--dry-run", stdout=out, stderr=err)
    assert "dry run, nothing written: rows: 5, created: 5" in out.getvalue()
    assert Person.objects.count() == 0
    call_command("import_registry", str(path), stdout=out, stderr=err)
    assert "100%" in err.getvalue() and Person.objects.count() == 5
    mapping = tmp_path / "mapping.json"
    mapping.write_text('{"氏名": "NAME"}', encoding="utf-8")
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("import_registry", str(path), "--mapping", str(mapping), "--no-progress",
                     stdout=out, stderr=err)
    assert "line 1, column NAME: column missing from the header" in err.getvalue()


def test_partial_extract_keeps_people_it_does_not_list(db, tmp_path):
    importer.import_file(write(tmp_path / "all.csv", FAMILY))
    outcome = importer.import_file(write(tmp_path / "one.csv", FAMILY[:1]), full=False)
    assert outcome.counts["absent"] == 0
    assert Person.objects.filter(active=True).count() == 5
    assert selectors.find(ResidentQuery(name="山崎"))[0].name == "山﨑　正人"
