"""Writing small registry extracts for the tests."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from madoguchi.registry.contrib.file_import.reader import DEFAULT_HEADERS

COLUMNS = list(DEFAULT_HEADERS)


def person(code: str, name: str, kana: str, *, household: str = "00000001",
           birth: str = "1980-04-01", sex: str = "男", relationship: str = "世帯主",
           address: str = "緑ヶ丘市若葉町2丁目14番3号", katagaki: str = "",
           moved_in: str = "2010-04-01", reason: str = "転入",
           changed_on: str = "") -> dict[str, str]:
    return {"resident_code": code, "household_id": household, "name": name, "kana": kana,
            "birth_date": birth, "sex": sex, "relationship": relationship, "address": address,
            "katagaki": katagaki, "moved_in_on": moved_in, "reason": reason,
            "changed_on": changed_on}


def csv_text(rows: list[dict[str, Any]], headers: dict[str, str] | None = None) -> str:
    headers = {**DEFAULT_HEADERS, **(headers or {})}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([headers[c] for c in COLUMNS])
    for row in rows:
        writer.writerow([row.get(c, "") for c in COLUMNS])
    return out.getvalue()


def write(path: Path, rows: list[dict[str, Any]], encoding: str = "utf-8",
          headers: dict[str, str] | None = None) -> Path:
    path.write_bytes(csv_text(rows, headers).encode(encoding))
    return path


FAMILY = [
    {**person("12345678901", "髙橋　一郎", "タカハシ　イチロウ", birth="1975-05-05")},
    {**person("12345678902", "髙橋　花子", "タカハシ　ハナコ", birth="昭和52年7月7日", sex="女",
              relationship="妻")},
    {**person("12345678903", "髙橋　蓮", "タカハシ　レン", birth="R2.3.3", relationship="子",
              reason="出生")},
    {**person("22345678901", "山﨑　正人", "ヤマザキ　マサト", household="00000002",
              birth="1960-01-15", address="緑ヶ丘市桜坂1丁目2番3号",
              katagaki="コーポ若葉101号室")},
    {**person("32345678901", "𠮷田　凛", "ヨシダ　リン", household="00000003",
              birth="1990-12-24", sex="女", address="緑ヶ丘市中央3丁目1番1号")},
]
