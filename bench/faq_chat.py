#!/usr/bin/env python3
"""Chat benchmark: everyday-sentence questions answered from 3,000 FAQ entries, against a floor.

Run with no arguments (``.venv/bin/python bench/faq_chat.py``); ``DATABASE_URL`` picks the
database (a throw-away test database is created and dropped on that server; without it a
temporary SQLite file). It loads the demo city (30 FAQ entries, 18 procedures) and adds
generated, published FAQ entries (real ``FaqEntry`` rows indexed through the ``faq`` source),
then times, in this process:

* chat:  ``madoguchi.faq.selectors.chat_answer(question)`` for 500 questions written as
         residents write them (「児童手当はいつもらえますか」, "When is the child allowance
         paid?", questions nothing answers): the whole question is searched, then its content
         words together, then each word alone, for the FAQ and for procedure links, and the
         entries are read;
* floor: one ``madoguchi.search.selectors.search(word, kinds=["faq"])`` per question, for its
         first content word (what a plain keyword search of the FAQ costs).

Before the generated entries are added, it asks the demo city the real-style questions of
``bench/data/faq_questions.json`` (each with the department that should get it, or the general
counter, and whether the demo FAQ answers it, with which entry) and prints:

* ``routing accuracy``: share of questions whose inquiry would go to the expected department
  (``selectors.route``, else the general counter);
* ``answer precision``: share of the answered questions answered first by the expected entry;
* ``no-answer accuracy``: share of the questions the FAQ does not answer that got no answer.

Prints ``name: value`` lines; the last is ``ratio:`` = floor p95 ÷ chat p95 (1.0 = answering
a sentence costs no more than one keyword search). Aim: chat p95 under 100 ms.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import time
from pathlib import Path

from _django import analyze_search_table, percentile, throwaway_database, timed, use_project_django

use_project_django()
ENTRIES = int(os.environ.get("BENCH_ENTRIES", "3000"))
QUESTIONS = int(os.environ.get("BENCH_QUESTIONS", "500"))
WARM_UP = 30
SEED = 20261203
QUESTIONS_FILE = Path(__file__).resolve().parent / "data" / "faq_questions.json"
GENERAL = "general"

SUBJECTS = ["児童手当", "住民票の写し", "転入届", "国民健康保険", "印鑑登録", "粗大ごみ",
            "保育所", "就学援助", "予防接種", "がん検診", "市営住宅", "課税証明書", "固定資産税",
            "障害者手帳", "犬の登録", "水道", "マイナンバーカード", "パスポート", "婚姻届",
            "介護保険"]
ENDINGS = ["はどこで申請できますか", "に必要なものは何ですか", "は郵送でもできますか",
           "の期限はいつまでですか", "は代理人でもできますか", "の手数料はいくらですか"]
ANSWERS = ["{s}は、担当の課の窓口で受け付けています。本人確認書類をお持ちください。",
           "{s}は郵送でも受け付けます。返信用封筒を同封してください。",
           "手数料は1通300円です。{s}について詳しくは担当の課へお問い合わせください。"]
ASKED = ["児童手当はいつもらえますか", "引っ越しの手続きを知りたい", "住民票をコンビニで取りたい",
         "保育園に入りたいです", "印鑑登録証をなくしました", "国保に入る手続きは",
         "When is the child allowance paid?", "How do I register my seal?",
         "ペットの火葬はできますか", "図書館は何時まで開いていますか", "がん検診の予約をしたい",
         "マイナンバーカードをなくした", "税金の証明書がほしい", "犬を飼い始めました"]


def quality() -> dict[str, float]:
    """Routing and answering on the real-style questions, against the demo city's FAQ."""
    from madoguchi.faq import selectors

    rows = json.loads(QUESTIONS_FILE.read_text(encoding="utf-8"))
    general = selectors.general_counter()
    routed_right = answered = answered_right = unanswerable = silent = 0
    for row in rows:
        answer = selectors.chat_answer(row["q"], row.get("language", "ja"))
        department = selectors.route(row["q"]) or general
        expected = general.code if row["department"] == GENERAL else row["department"]
        routed_right += department.code == expected
        if answer.entries:
            answered += 1
            first = answer.entries[0][0].question["ja"]
            answered_right += bool(row["answer"]) and first == row.get("faq")
        if not row["answer"]:
            unanswerable += 1
            silent += not answer.entries
    return {
        "faq_questions": len(rows),
        "routing accuracy": routed_right / len(rows),
        "answer precision": answered_right / answered if answered else 0.0,
        "no-answer accuracy": silent / unanswerable if unanswerable else 0.0,
    }


def load(rng: random.Random) -> float:
    from madoguchi.faq.models import FaqEntry
    from madoguchi.search import services
    from madoguchi.staff.models import Department

    started = time.perf_counter()
    departments = list(Department.objects.all())
    rows = []
    for i in range(ENTRIES):
        subject = rng.choice(SUBJECTS)
        question = f"{subject}{rng.choice(ENDINGS)}？（{i}）"
        rows.append(FaqEntry(department=departments[i % len(departments)],
                             question={"ja": question, "en": f"Question {i} about {subject}"},
                             answer={"ja": rng.choice(ANSWERS).format(s=subject), "en": ""},
                             keywords=[subject], is_published=True, sort=1000 + i))
    FaqEntry.objects.bulk_create(rows, batch_size=500)
    services.rebuild(["faq"])
    analyze_search_table()
    return time.perf_counter() - started


def main() -> None:
    rng = random.Random(SEED)
    with throwaway_database("faq_chat"):
        from django.db import connection

        from madoguchi.demo.city import load_demo_city
        from madoguchi.faq.question import content_words
        from madoguchi.faq.selectors import chat_answer
        from madoguchi.search.selectors import search

        load_demo_city()
        measured = quality()
        load_seconds = load(rng)
        questions = [rng.choice(ASKED) for _ in range(QUESTIONS)]
        words = [(content_words(q) or [q])[0] for q in questions]
        answered = sum(bool(chat_answer(q).entries) for q in ASKED)
        timed(lambda q: chat_answer(q), questions[:WARM_UP])
        timed(lambda w: search(w, kinds=["faq"]), words[:WARM_UP])
        chat = timed(lambda q: chat_answer(q), questions)
        floor = timed(lambda w: search(w, kinds=["faq"]), words)
        print(f"database: {connection.vendor}")
        print(f"faq_entries: {ENTRIES + 30}")
        print(f"questions: {QUESTIONS}")
        print(f"distinct_questions_answered: {answered}/{len(ASKED)}")
        print(f"faq_questions: {measured['faq_questions']}")
        for name in ("routing accuracy", "answer precision", "no-answer accuracy"):
            print(f"{name}: {measured[name]:.3f}")
        print(f"load_seconds: {load_seconds:.1f}")
        print(f"chat_ms_median: {statistics.median(chat):.2f}")
        print(f"chat_ms_p95: {percentile(chat, 95):.2f}")
        print(f"floor_ms_median: {statistics.median(floor):.2f}")
        print(f"floor_ms_p95: {percentile(floor, 95):.2f}")
        print(f"ratio: {percentile(floor, 95) / percentile(chat, 95):.3f}")


if __name__ == "__main__":
    main()
