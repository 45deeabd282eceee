"""Demo only: a generated, clearly fictional resident registry of 緑ヶ丘市.

About 5,000 residents in households, from small lists of fictional names (some with 異体字
and 外字: 髙橋, 山﨑, 渡邊, 𠮷田) and made-up addresses in 緑ヶ丘市. Every person is
invented from a fixed seed; the 住民票コード all start with 99, which no real code issued
for this demo could be confused with. The extract is written as a CSV in the default layout
(docs/registry-import.md) and imported through the file-import connector.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import random
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

from madoguchi.jp.wareki import format_wareki
from madoguchi.registry.contrib.file_import import importer
from madoguchi.registry.contrib.file_import.reader import DEFAULT_HEADERS
from madoguchi.registry.models import ImportRun

SEED = 20261206
RESIDENTS = 5000
CITY = "緑ヶ丘市"
HEADER = [DEFAULT_HEADERS[k] for k in ("resident_code", "household_id", "name", "kana",
                                       "birth_date", "sex", "relationship", "address",
                                       "katagaki", "moved_in_on", "reason", "changed_on")]

FAMILY_NAMES = [
    ("佐藤", "サトウ"), ("鈴木", "スズキ"), ("髙橋", "タカハシ"), ("高橋", "タカハシ"),
    ("田中", "タナカ"), ("伊藤", "イトウ"), ("渡邊", "ワタナベ"), ("渡辺", "ワタナベ"),
    ("山本", "ヤマモト"), ("中村", "ナカムラ"), ("小林", "コバヤシ"), ("加藤", "カトウ"),
    ("𠮷田", "ヨシダ"), ("吉田", "ヨシダ"), ("山田", "ヤマダ"), ("山﨑", "ヤマザキ"),
    ("山崎", "ヤマザキ"), ("齋藤", "サイトウ"), ("斉藤", "サイトウ"), ("松本", "マツモト"),
    ("井上", "イノウエ"), ("木村", "キムラ"), ("林", "ハヤシ"), ("清水", "シミズ"),
    ("緑川", "ミドリカワ"), ("丘野", "オカノ"), ("若葉", "ワカバ"), ("濵田", "ハマダ"),
]
MALE_NAMES = [("太郎", "タロウ"), ("健一", "ケンイチ"), ("翔太", "ショウタ"), ("大輔", "ダイスケ"),
              ("正人", "マサト"), ("悠真", "ユウマ"), ("蓮", "レン"), ("湊", "ミナト"),
              ("浩二", "コウジ"), ("隆", "タカシ"), ("誠", "マコト"), ("陽翔", "ハルト")]
FEMALE_NAMES = [("花子", "ハナコ"), ("美咲", "ミサキ"), ("さくら", "サクラ"), ("由美", "ユミ"),
                ("陽菜", "ヒナ"), ("結衣", "ユイ"), ("恵子", "ケイコ"), ("葵", "アオイ"),
                ("真由美", "マユミ"), ("凛", "リン"), ("芽依", "メイ"), ("智子", "トモコ")]
TOWNS = ["緑ヶ丘一番町", "若葉町", "丘の上", "みどり台", "桜坂", "中央", "川端町", "東緑ヶ丘",
         "西緑ヶ丘", "南台", "北山町", "駅前"]
BUILDINGS = ["緑ヶ丘ハイツ", "コーポ若葉", "グリーンヒル丘の上", "サンライズ桜坂"]
DEMO_CSV = "demo_registry.csv"


def _person(rng: random.Random, family: tuple[str, str], male: bool,
            born: dt.date) -> tuple[str, str, str, str]:
    given = rng.choice(MALE_NAMES if male else FEMALE_NAMES)
    return (f"{family[0]}　{given[0]}", f"{family[1]}　{given[1]}",
            born.isoformat() if rng.random() < 0.7 else format_wareki(born),
            "男" if male else "女")


def _born(rng: random.Random, age_from: int, age_to: int, today: dt.date) -> dt.date:
    return today - dt.timedelta(days=rng.randint(age_from * 365, age_to * 365 + 364))


def rows(residents: int = RESIDENTS, seed: int = SEED) -> Iterator[list[str]]:
    """The rows of the fictional extract (after the header), about ``residents`` of them;
    deterministic for a seed. About 1% moved out and 0.5% died, stated by their 異動事由."""
    rng = random.Random(seed)
    today = dt.date(2026, 4, 1)
    count = 0
    household = 0
    while count < residents:
        household += 1
        family = rng.choice(FAMILY_NAMES)
        town = rng.choice(TOWNS)
        address = (f"{CITY}{town}{rng.randint(1, 5)}丁目{rng.randint(1, 30)}番"
                   f"{rng.randint(1, 20)}号")
        katagaki = (f"{rng.choice(BUILDINGS)}{rng.randint(1, 5)}0{rng.randint(1, 9)}号室"
                    if rng.random() < 0.3 else "")
        moved_in = _born(rng, 0, 30, today)
        head_male = rng.random() < 0.7
        members = [(head_male, "世帯主", _born(rng, 22, 90, today))]
        size = rng.choices([1, 2, 3, 4, 5], weights=[30, 28, 20, 16, 6])[0]
        if size >= 2:
            members.append((not head_male, "妻" if head_male else "夫",
                            members[0][2] + dt.timedelta(days=rng.randint(-1500, 1500))))
        for _ in range(size - 2):
            members.append((rng.random() < 0.5, "子",
                            _born(rng, 0, max(0, (today - members[0][2]).days // 365 - 20),
                                  today)))
        for male, relationship, born in members:
            count += 1
            name, kana, birth, sex = _person(rng, family, male, min(born, today))
            roll = rng.random()
            changed_on = (today - dt.timedelta(days=rng.randint(1, 300))).isoformat()
            if roll < 0.01:
                reason = "転出"
            elif roll < 0.015:
                reason = "死亡"
            else:
                reason, changed_on = ("転入" if moved_in > born else "出生"), ""
            yield [f"99{count:09d}", f"{household:08d}", name, kana, birth, sex, relationship,
                   address, katagaki, max(moved_in, born).isoformat(), reason, changed_on]


def write_csv(path: Path, residents: int = RESIDENTS, seed: int = SEED) -> Path:
    """Write the fictional extract (UTF-8 with a BOM, as spreadsheet tools save it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        writer.writerows(rows(residents, seed))
    return path


def load_demo(residents: int = RESIDENTS, directory: Path | None = None) -> dict[str, int]:
    """Write the demo extract into the var dir and import it, unless that very file was
    imported already. Returns the count of residents imported (0 when skipped)."""
    path = write_csv((directory or Path(settings.VAR_DIR)) / DEMO_CSV, residents)
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    if ImportRun.objects.filter(source=importer.SOURCE, sha256=sha256).exists():
        return {"registry residents": 0}
    outcome = importer.import_file(path)
    return {"registry residents": outcome.counts["created"] + outcome.counts["updated"]}
