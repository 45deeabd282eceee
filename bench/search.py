#!/usr/bin/env python3
"""Search benchmark: 10,000 procedures and FAQ entries, 1,000 mixed queries, against a floor.

Run with no arguments (``make bench`` or ``.venv/bin/python bench/search.py``); ``DATABASE_URL``
picks the database (a throw-away test database is created and dropped on that server; without it
a temporary SQLite file). It loads the demo city, adds 5,000 generated procedures (real
``Procedure`` rows, indexed through the ``procedure`` source) and 5,000 generated FAQ entries
(indexed through a bench source), then times, in this process:

* search: ``madoguchi.search.selectors.search(q, limit=20)`` for 1,000 queries: real-looking
          phrases (児童手当 申請, 住民票の写し, moving in …) in kanji, hiragana, half-width
          katakana and English, mixed with one- and two-character terms (手当, 転入, 税, 子 …);
          each call folds the query, expands synonyms, ranks in SQL and builds the highlighted
          snippets of the results;
* floor:  the same number of primary-key look-ups of index entries (``Entry.objects.get(pk=…)``).

Prints ``name: value`` lines; the last is ``ratio:`` = floor p95 ÷ search p95 (1.0 = a search
costs no more than a primary-key look-up). Aim: search p95 under 20 ms.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time

from _django import analyze_search_table, percentile, throwaway_database, timed, use_project_django

use_project_django()
DOCUMENTS = int(os.environ.get("BENCH_DOCUMENTS", "10000"))
QUERIES = int(os.environ.get("BENCH_QUERIES", "1000"))
WARM_UP = 50
SEED = 20261203

# (kanji, reading, English) of the subjects a city's pages are about.
SUBJECTS = [
    ("児童手当", "じどうてあて", "child allowance"),
    ("住民票の写し", "じゅうみんひょう", "certificate of residence"),
    ("転入届", "てんにゅう", "moving-in notification"),
    ("転出届", "てんしゅつ", "moving-out notification"),
    ("国民健康保険", "こくほ", "national health insurance"),
    ("介護保険", "かいごほけん", "long-term care insurance"),
    ("印鑑登録", "いんかん", "seal registration"),
    ("犬の登録", "いぬ", "dog registration"),
    ("粗大ごみ", "そだいごみ", "bulky waste"),
    ("水道の使用開始", "すいどう", "water supply"),
    ("保育所の入所", "ほいくしょ", "daycare admission"),
    ("就学援助", "しゅうがくえんじょ", "school support"),
    ("予防接種", "よぼうせっしゅ", "vaccination"),
    ("がん検診", "がんけんしん", "cancer screening"),
    ("市営住宅", "しえいじゅうたく", "municipal housing"),
    ("課税証明書", "かぜいしょうめい", "tax certificate"),
    ("固定資産税", "こていしさんぜい", "property tax"),
    ("軽自動車税", "けいじどうしゃぜい", "light vehicle tax"),
    ("後期高齢者医療", "こうきこうれいしゃ", "late-stage elderly medical care"),
    ("障害者手帳", "しょうがいしゃてちょう", "disability certificate"),
    ("ひとり親家庭医療費", "ひとりおや", "single-parent medical subsidy"),
    ("妊娠届", "にんしん", "pregnancy notification"),
    ("出生届", "しゅっせい", "birth registration"),
    ("死亡届", "しぼう", "death registration"),
    ("婚姻届", "こんいん", "marriage registration"),
    ("マイナンバーカード", "まいなんばー", "My Number card"),
    ("パスポート", "ぱすぽーと", "passport"),
    ("子ども医療費助成", "こどもいりょうひ", "children's medical subsidy"),
    ("通学費補助金", "つうがくひ", "commuting subsidy"),
    ("図書館の利用登録", "としょかん", "library card"),
    ("防災行政無線", "ぼうさい", "disaster radio"),
    ("期日前投票", "きじつまえ", "early voting"),
    ("公園の使用許可", "こうえん", "park use permit"),
    ("道路の占用", "どうろ", "road occupancy"),
    ("生活保護の相談", "せいかつほご", "public assistance"),
    ("児童扶養手当", "じどうふよう", "child-rearing allowance"),
    ("特別児童扶養手当", "とくべつじどう", "special child allowance"),
    ("住所変更", "じゅうしょへんこう", "change of address"),
]
ACTIONS = [("の申請", "application"), ("の届出", "notification"), ("の変更", "change"),
           ("の交付", "issue"), ("の再発行", "reissue"), ("の廃止", "cancellation"),
           ("について", "about"), ("の手続き", "procedure"), ("の相談", "consultation"),
           ("の予約", "booking")]
PLACES = ["北山", "東原", "西谷", "南町", "中央", "緑ヶ丘", "本町", "新田", "川端", "山手"]
SENTENCES = [
    "{s}については、{d}の窓口で受け付けています。",
    "必要な書類は、本人確認書類と{s}に関する書類です。",
    "{p}地区にお住まいの方は、{p}支所でも手続きができます。",
    "申請はオンラインでもできます。マイナンバーカードをご用意ください。",
    "受付時間は平日の午前8時30分から午後5時15分までです。",
    "郵送で申請する場合は、申請書に必要事項を記入し、返信用封筒を同封してください。",
    "手数料は1通300円です。",
    "{s}の内容が変わったときは、14日以内に届け出てください。",
    "詳しくは{d}までお問い合わせください。",
    "代理人が申請する場合は、委任状が必要です。",
    "子どもの年齢によって、必要な書類が異なります。",
    "引っ越しをしたときは、転入届と一緒に手続きをしてください。",
]
EN_SENTENCES = [
    "Apply for the {e} at the counter of the {d}.",
    "Bring an identity document and the papers about the {e}.",
    "You can also apply online with your My Number card.",
    "The counter is open on weekdays from 8:30 to 17:15.",
    "If someone applies for you, they need a letter of proxy.",
]
DEPARTMENTS = ["市民課", "子育て支援課", "健康づくり課", "税務課", "福祉課", "環境課", "建設課"]
FAQ_STARTS = ["{s}{a}はどこでできますか", "{s}に必要なものは何ですか", "{s}は郵送でもできますか",
              "{s}の期限はいつまでですか", "{s}は代理人でもできますか", "{s}の手数料はいくらですか"]

PHRASES = [
    "児童手当 申請", "住民票の写し", "じゅうみんひょう", "ｼﾞｭｳﾐﾝﾋｮｳ",
    "引っ越し 手続き", "マイナンバーカード 再発行", "粗大ごみ 予約", "ごみ 出し方",
    "moving in", "child allowance", "こども いりょうひ", "子供医療費", "国保 加入",
    "印鑑登録 証明", "がん検診 予約", "パスポート 申請", "ﾊﾟｽﾎﾟｰﾄ",
    "転入届 必要なもの", "保育園 入所", "就学援助 申請", "tax certificate",
    "dog registration", "犬 登録", "期日前投票", "市営住宅 申込み", "通学 補助",
    "介護保険 相談", "障がい者手帳", "出生届 いつまで", "婚姻届 必要書類",
]
SHORT = [
    "手当", "転入", "転出", "税", "犬", "子", "保険", "証明", "ごみ", "届", "予約", "住民",
    "医療", "保育", "手帳", "印鑑", "がん", "tax", "ID", "児童", "郵送", "窓口", "申請",
    "本町",
]


def generate_documents(count: int, rng: random.Random) -> tuple[list[dict], list[dict]]:
    """``count`` documents, half procedures and half FAQ entries, as plain dicts."""
    procedures, faqs = [], []
    for i in range(count):
        s, reading, en = rng.choice(SUBJECTS)
        action, en_action = rng.choice(ACTIONS)
        place = rng.choice(PLACES)
        department = rng.choice(DEPARTMENTS)
        body = "".join(rng.choice(SENTENCES).format(s=s, d=department, p=place)
                       for _ in range(rng.randint(4, 12)))
        en_body = " ".join(rng.choice(EN_SENTENCES).format(e=en, d="city office")
                           for _ in range(rng.randint(2, 5)))
        if i % 2 == 0:
            procedures.append({
                "name": {"ja": f"{s}{action}（{place}）", "en": f"{en} {en_action} ({i})"},
                "summary": {"ja": body[:60], "en": en_body[:80]},
                "description": {"ja": body, "en": en_body},
                "keywords": [s, reading, en, place], "kana": "",
            })
        else:
            question = rng.choice(FAQ_STARTS).format(s=s, a=action)
            faqs.append({"title": {"ja": f"{question}？", "en": f"Where can I get the {en}?"},
                         "body": {"ja": body, "en": en_body}, "keywords": [s, reading]})
    return procedures, faqs


def generate_queries(count: int, rng: random.Random) -> list[tuple[str, str]]:
    """(kind, query): about half phrases, half one- and two-character terms."""
    queries = []
    for _ in range(count):
        if rng.random() < 0.5:
            queries.append(("phrase", rng.choice(PHRASES)))
        else:
            queries.append(("short", rng.choice(SHORT)))
    return queries


def load(procedures: list[dict], faqs: list[dict]) -> float:
    from madoguchi.catalog.models import Procedure
    from madoguchi.core.search_sources import Document, register_source
    from madoguchi.demo.city import load_demo_city
    from madoguchi.search import services
    from madoguchi.staff.models import Department

    load_demo_city()
    started = time.perf_counter()
    departments = list(Department.objects.all())
    Procedure.objects.bulk_create([
        Procedure(slug=f"bench-{i}", department=departments[i % len(departments)], **p)
        for i, p in enumerate(procedures)
    ], batch_size=500)

    def faq_documents():
        for i, f in enumerate(faqs):
            yield Document(kind="bench_faq", key=str(i), title=f["title"], body=f["body"],
                           url=f"/faq/{i}/", keywords=f["keywords"])

    register_source("bench_faq", "FAQ (bench)", faq_documents, lambda key: None)
    services.rebuild(["procedure", "bench_faq"])
    analyze_search_table()
    return time.perf_counter() - started


def main() -> None:
    rng = random.Random(SEED)
    procedures, faqs = generate_documents(DOCUMENTS, rng)
    queries = generate_queries(QUERIES, rng)
    with throwaway_database("search"):
        from django.db import connection

        from madoguchi.search.models import Entry
        from madoguchi.search.selectors import search

        print(f"database: {connection.vendor}")
        print(f"load average at start: {os.getloadavg()[0]:.2f}")
        load_seconds = load(procedures, faqs)
        entries = Entry.objects.count()
        print(f"documents: {entries}")
        print(f"index s: {load_seconds:.1f}")
        ids = list(Entry.objects.values_list("id", flat=True))
        floor_ids = [rng.choice(ids) for _ in range(len(queries))]
        hits: list[int] = []

        def run(item: tuple[str, str]) -> None:
            hits.append(len(search(item[1], limit=20)))

        timed(run, queries[:WARM_UP])
        timed(lambda pk: Entry.objects.get(pk=pk), floor_ids[:WARM_UP])
        hits.clear()
        floor = timed(lambda pk: Entry.objects.get(pk=pk), floor_ids)
        times = timed(run, queries)
        short = [t for t, (kind, _q) in zip(times, queries, strict=True) if kind == "short"]
        phrase = [t for t, (kind, _q) in zip(times, queries, strict=True) if kind == "phrase"]
        slowest = sorted(zip(times, queries, strict=True), reverse=True)[:10]
        print("slowest: " + ", ".join(f"{q} {t:.1f}" for t, (_k, q) in slowest), file=sys.stderr)
        print(f"queries: {len(queries)}")
        print(f"mean results: {statistics.mean(hits):.1f}")
        print(f"queries without results: {sum(1 for h in hits if h == 0)}")
        print(f"floor p50 ms: {percentile(floor, 50):.2f}")
        print(f"floor p95 ms: {percentile(floor, 95):.2f}")
        print(f"short p95 ms: {percentile(short, 95):.2f}")
        print(f"phrase p95 ms: {percentile(phrase, 95):.2f}")
        print(f"max ms: {max(times):.2f}")
        print(f"p50 ms: {percentile(times, 50):.2f}")
        p95 = percentile(times, 95)
        print(f"p95 ms: {p95:.2f}")
        print(f"ratio: {percentile(floor, 95) / p95:.3f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
