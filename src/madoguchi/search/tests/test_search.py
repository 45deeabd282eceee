"""Search over the demo city: ranking on a fixed set of queries, synonyms, snippets, the index
services and odd input. These tests run on SQLite and on PostgreSQL (DATABASE_URL)."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from madoguchi.catalog.models import Procedure
from madoguchi.core import search_sources as registry
from madoguchi.core.plugins import DuplicatePlugin, PluginError
from madoguchi.core.search_sources import Document, Source
from madoguchi.search import services
from madoguchi.search.models import Entry, EntryContent, SynonymGroup
from madoguchi.search.selectors import (
    MAX_QUERY_LENGTH,
    Query,
    Term,
    _candidates_sql,
    folded_texts,
    highlight,
    parse_query,
    search,
    word_statistics,
)

# query -> the procedure (slug) that must come first. Built from demo/data/city.json.
RANKING = {
    "手当": "jido-teate",
    "児童手当": "jido-teate",
    "じどう": "jido-teate",
    "転入": "tennyu",
    "てんにゅう": "tennyu",
    "転出": "tenshutsu",
    "住民票": "juminhyo",
    "じゅうみんひょう": "juminhyo",
    "ｼﾞｭｳﾐﾝﾋｮｳ": "juminhyo",
    "住民票の写し": "juminhyo",
    "住民票写し": "juminhyo",
    "こども": "kodomo-iryohi",
    "子供": "kodomo-iryohi",
    "子ども": "kodomo-iryohi",
    "子供医療費": "kodomo-iryohi",
    "医療費": "kodomo-iryohi",
    "印鑑": "inkan",
    "はんこ": "inkan",
    "出生": "shussei",
    "がん": "gan-kenshin",
    "癌検診": "gan-kenshin",
    "保育園": "hoikusho",
    "国保": "kokuho-kanyu",
    "通学": "tsugaku-hojo",
    "通学 補助": "tsugaku-hojo",
    "課税": "kazei-shomei",
    "あんけーと": "madoguchi-anketo",
    "moving in": "tennyu",
    "Child Allowance": "jido-teate",
    "certificate of residence": "juminhyo",
    "ＣＯＭＭＵＴＥＲ　ＰＡＳＳ": "tsugaku-hojo",
    "juminhyo": "juminhyo",
}


def ranked(query: str, **kwargs) -> list[str]:
    ids = {str(p.pk): p.slug for p in Procedure.objects.all()}
    return [ids[h.key] for h in search(query, kinds=["procedure"], **kwargs)]


@pytest.mark.parametrize(("query", "first"), list(RANKING.items()))
def test_fixed_queries_rank_the_expected_procedure_first(demo, query, first):
    results = ranked(query)
    assert results and results[0] == first, results[:5]


@pytest.mark.parametrize(("query", "first"), [("手当", "jido-teate"), ("転入", "tennyu"),
                                              ("住民票の写し", "juminhyo")])
def test_the_procedure_comes_before_faq_answers_that_mention_it(demo, query, first):
    """All kinds together (FAQ answers and life events registered by their apps)."""
    hit = search(query)[0]
    assert (hit.kind, hit.url) == ("procedure", f"/procedures/{first}/")


def test_a_word_in_the_title_beats_the_same_word_in_keywords_or_body(demo):
    results = ranked("転入")
    # 児童手当 lists 転入 as a keyword, 転入届 has it in the title.
    assert results.index("tennyu") < results.index("jido-teate")


def test_every_word_must_match(demo):
    assert ranked("通学 出生") == []
    assert ranked("通学 xyzzy") == []


def test_english_text_is_found_and_shown_in_english(demo):
    hits = search("moving in", kinds=["procedure"], language="en")
    assert hits[0].title == "Moving-in notification"
    assert "<mark>" in hits[0].title_html


def test_common_english_words_are_not_required_in_a_query_of_several_words(demo):
    assert parse_query("moving in").terms == parse_query("moving").terms
    assert [t.word for t in parse_query("how to register the seal").terms] == [
        "register", "seal"]
    assert [t.word for t in parse_query("in").terms] == ["in"]  # alone, it is the query
    assert [t.word for t in parse_query("in the").terms] == ["in"]
    assert ranked("the moving in", language="en") == ranked("moving", language="en")


def test_one_character_queries_use_the_short_path(demo):
    assert "jido-teate" in ranked("当")
    assert ranked("子")[0] == "kodomo-iryohi"  # the title starts with 子


def test_limit_and_kinds(demo):
    assert len(search("の", limit=3)) == 3
    assert search("手当", kinds=[]) == []
    assert search("手当", kinds=["no-such-kind"]) == []


# --- synonyms ---------------------------------------------------------------------------------


def test_synonyms_are_expanded_inside_words(demo):
    parsed = parse_query("子供医療費")
    assert parsed is not None
    assert parsed.terms[0].alternatives[0] == "子供医療費"
    assert "子ども医療費" in parsed.terms[0].alternatives


def test_a_new_synonym_group_applies_to_the_next_search(demo):
    assert ranked("おむつ") == []
    group = services.save_synonym_group(["おむつ", "赤ちゃん"], note="test")
    assert "shussei" in ranked("オムツ")
    services.save_synonym_group(["おむつ", "紙おむつ"], group=group)
    assert ranked("おむつ") == []
    services.delete_synonym_group(group)
    assert not SynonymGroup.objects.filter(pk=group.pk).exists()


def test_a_synonym_ranks_below_the_word_as_typed(demo):
    group = services.save_synonym_group(["転入", "転出"])
    results = ranked("転入")
    assert results.index("tennyu") < results.index("tenshutsu")
    services.delete_synonym_group(group)


def test_a_group_needs_two_different_terms(demo):
    with pytest.raises(ValueError):
        services.save_synonym_group(["子ども", "ｺﾄﾞﾓ".replace("ｺﾄﾞﾓ", "子ども")])
    assert services.clean_terms([" こども ", "コドモ", "", "子供"]) == ["こども", "子供"]


# --- snippets -----------------------------------------------------------------------------------


def test_snippets_mark_matches_and_escape_everything_else(demo):
    hit = search("住民票", kinds=["procedure"])[0]
    # 住民票の写し is in the same synonym group: the longer match is marked whole.
    assert "<mark>住民票の写し</mark>" in hit.snippet
    assert hit.title_html == "<mark>住民票の写し</mark>の交付請求"
    html = highlight("<b>住民票</b> & ｼﾞｭｳﾐﾝﾋｮｳ", ["住民票", "じゅうみんひょう"])
    assert html == "&lt;b&gt;<mark>住民票</mark>&lt;/b&gt; &amp; <mark>ｼﾞｭｳﾐﾝﾋｮｳ</mark>"


def test_highlight_maps_folded_matches_back(demo):
    assert highlight("アンケート結果", ["あんけと"]) == "<mark>アンケート</mark>結果"
    assert highlight("ｶﾞｯｺｳ", ["がっこう"]) == "<mark>ｶﾞｯｺｳ</mark>"


def test_snippet_is_a_window_around_the_first_match():
    text = "あ" * 300 + "手当" + "い" * 300
    html = highlight(text, ["手当"], length=120)
    assert html.startswith("…") and html.endswith("…") and "<mark>手当</mark>" in html
    assert len(re.sub("<[^>]+>", "", html)) <= 122


# --- the index --------------------------------------------------------------------------------


@pytest.fixture
def notes_source():
    """A throw-away source of documents, as the FAQ and life-event apps register theirs."""
    docs: dict[str, Document] = {}

    def document_for(key: str) -> Document | None:
        return docs.get(key)

    source = Source("testnote", "Test note", lambda: list(docs.values()), document_for)
    with registry.registry.temporary("testnote", source):
        yield docs


def note(key: str, title: str, body: str = "", **kwargs) -> Document:
    return Document(kind="testnote", key=key, title={"ja": title, "en": ""},
                    body={"ja": body, "en": ""}, url=f"/notes/{key}/", **kwargs)


def test_reindex_remove_and_rebuild(demo, notes_source):
    notes_source["1"] = note("1", "ゴミの出し方", "燃えるゴミは月曜日<script>")
    services.reindex("testnote", "1")
    hits = search("ごみ", kinds=["testnote"])
    assert [h.key for h in hits] == ["1"]
    assert hits[0].kind_label == "Test note"
    assert "<script>" not in hits[0].snippet and "&lt;script&gt;" in hits[0].snippet
    notes_source["1"] = note("1", "粗大ごみ")
    services.reindex("testnote", "1")
    assert search("月曜日", kinds=["testnote"]) == []
    del notes_source["1"]
    services.reindex("testnote", "1")  # gone from the source: gone from the index
    assert not Entry.objects.filter(kind="testnote").exists()
    notes_source.update({k: note(k, f"お知らせ{k}") for k in ("a", "b", "c")})
    assert services.rebuild(["testnote"]) == 3
    assert {h.key for h in search("お知らせ", kinds=["testnote"])} == {"a", "b", "c"}
    services.remove("testnote", "a")
    assert {h.key for h in search("お知らせ", kinds=["testnote"])} == {"b", "c"}
    with pytest.raises(LookupError):
        services.reindex("no-such-kind", "1")


def test_boost_and_shorter_titles_break_ties(demo, notes_source):
    notes_source.update({
        "long": note("long", "防災マップの配布について"),
        "short": note("short", "防災マップ"),
        "boosted": note("boosted", "防災マップ配布", boost=2.0),
    })
    services.rebuild(["testnote"])
    assert [h.key for h in search("防災", kinds=["testnote"])] == ["boosted", "short", "long"]


def test_keywords_rank_above_body(demo, notes_source):
    notes_source.update({
        "body": note("body", "お知らせ一", "ワクチン接種の予約"),
        "keyword": note("keyword", "お知らせ二", keywords=["ワクチン"]),
    })
    services.rebuild(["testnote"])
    assert [h.key for h in search("わくちん", kinds=["testnote"])] == ["keyword", "body"]


def test_a_kind_is_registered_once_and_disabled_sources_are_not_offered(notes_source, settings):
    with pytest.raises(DuplicatePlugin):
        registry.register_source("testnote", "Again", list, lambda key: None)
    with pytest.raises(PluginError, match="has the kind"):
        registry.registry.register("other", registry.get_source("testnote"))
    assert "testnote" in registry.sources()
    assert list(registry.sources())[:3] == ["life_event", "procedure", "faq"]
    settings.MADOGUCHI_DISABLED_PLUGINS = {"search_sources": ["testnote"]}
    assert "testnote" not in registry.sources()
    assert registry.get_source("testnote") is not None  # saved objects still reindex


def test_rebuild_command(demo, capsys):
    Entry.objects.filter(kind="procedure").delete()
    assert ranked("手当") == []
    call_command("rebuild_search_index", "procedure")
    assert ranked("手当")[0] == "jido-teate"
    assert "documents indexed" in capsys.readouterr().out


# --- both backends: the SQL each one gets --------------------------------------------------------


def test_each_backend_gets_its_own_candidate_sql():
    term = Term(("児童手当", "手当", "%"))
    sqlite_sql, sqlite_params = _candidates_sql("sqlite", term)
    assert "search_entry_tri MATCH" in sqlite_sql and "search_entry_gram MATCH" in sqlite_sql
    assert sqlite_params[:2] == ['"児童手当"', '"手当"']
    _sql, head_params = _candidates_sql("sqlite", term, head_only=True)
    assert head_params[:2] == ['head_f : ("児童手当")', 'head_grams : ("手当")']
    pg_sql, pg_params = _candidates_sql("postgresql", term)
    assert "LIKE" in pg_sql and "&&" in pg_sql and "MATCH" not in pg_sql
    assert pg_params[:2] == ["%児童手当%", "%児童手当%"] and ["手当"] in pg_params
    assert "%\\%%" in pg_params  # LIKE wildcards are escaped
    other_sql, _params = _candidates_sql("mysql", term)
    assert "LIKE" in other_sql and "&&" not in other_sql
    assert Query(terms=(term,)).needles == ["児童手当", "手当", "%"]


def test_the_index_of_this_backend_exists(demo):
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM search_entry_tri WHERE search_entry_tri "
                           "MATCH '\"じどうてあて\"'")
            assert cursor.fetchone()[0] >= 1
        elif connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'search_entrycontent'")
            names = {row[0] for row in cursor.fetchall()}
            assert {"search_entry_text_trgm", "search_entry_head_trgm", "search_entry_grams",
                    "search_entry_head_grams"} <= names


# --- odd input --------------------------------------------------------------------------------

ODD = ["", " ", "\u3000", '"', '""', "'", "*", "a*", "AND", "OR", "NOT", "NEAR(", "NEAR(a b)",
       "手当 AND", "(", ")", "^", "-", ":", "title:手当", "{a}", "%", "_", "\\", "%' OR 1=1 --",
       "\x00", "手\x00当", "\x07\x1b[0m", "\ud800", "🙂", "👨‍👩‍👧", "<script>alert(1)</script>",
       "x" * 10_000, "あ" * 10_000, "手当 " * 500, "\u200b", "\ufeff手当", "ー", "ｰｰｰ", "゙"]


@pytest.mark.parametrize("query", ODD)
def test_odd_queries_do_not_fail(demo, query):
    hits = search(query)
    assert isinstance(hits, list)
    for hit in hits:
        assert "<script" not in hit.snippet and "<script" not in hit.title_html


def test_very_long_queries_are_cut(db):
    parsed = parse_query("手当" * 1000)
    assert parsed is not None and len(parsed.terms[0].word) == MAX_QUERY_LENGTH


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(
    st.text(max_size=120),
    st.lists(st.sampled_from(['"', "*", "AND", "OR", "NEAR(", ")", "手当", "子", "^", ":",
                              "%", "_", "\x00", " ", "ｼﾞ", "-", "'", "{", "}", "+"]),
             max_size=12).map("".join),
))
def test_any_query_gives_a_list_with_safe_html(demo, query):
    hits = search(query, limit=5)
    assert isinstance(hits, list)
    for hit in hits:
        assert re.sub("</?mark>", "", str(hit.snippet)).count("<") == 0
        assert re.sub("</?mark>", "", str(hit.title_html)).count("<") == 0


# --- word statistics (for relevance measures) ---------------------------------------------------


def python_counts(alternatives: tuple[str, ...], kinds: list[str]) -> tuple[dict, dict]:
    """The same counts done in Python over the folded texts: exact substrings."""
    head: dict = {}
    anywhere: dict = {}
    for content in EntryContent.objects.select_related("entry").filter(entry__kind__in=kinds):
        department = content.entry.department_id
        if any(a in content.head_f for a in alternatives):
            head[department] = head.get(department, 0) + 1
        if any(a in content.head_f or a in content.text_f for a in alternatives):
            anywhere[department] = anywhere.get(department, 0) + 1
    return head, anywhere


@pytest.mark.parametrize("word", ["児童手当", "保育園", "手当", "駐車場", "ｼﾞｭｳﾐﾝﾋｮｳ", "申請",
                                  "child", "電気自動車", "税"])
def test_word_statistics_are_exact_substring_counts_on_every_backend(demo, word):
    kinds = ["faq", "procedure", "life_event"]
    total, [stats] = word_statistics([word], kinds=kinds)
    assert total == Entry.objects.filter(kind__in=kinds).count()
    assert (stats.head, stats.anywhere) == python_counts(stats.alternatives, kinds)
    assert stats.documents == sum(stats.anywhere.values())


def test_word_statistics_fold_expand_and_count_by_department(demo):
    kosodate = Procedure.objects.get(slug="jido-teate").department_id
    total, stats = word_statistics(["ジドウテアテ", "保育園", "電気自動車", "", "保育園"],
                                   kinds=["procedure"])
    assert [s.word for s in stats] == ["じどうてあて", "保育園", "電気自動車"]
    assert total == Procedure.objects.count()
    assert stats[0].head == {kosodate: 1}
    assert "保育所" in stats[1].alternatives and stats[1].head.get(kosodate)
    assert stats[2].documents == 0 and stats[2].head == {} and stats[2].anywhere == {}
    assert word_statistics(["手当"], kinds=[]) == (0, [])
    assert word_statistics([], kinds=["faq"])[1] == []


@pytest.mark.parametrize("query", ODD[:20])
def test_word_statistics_take_any_input(demo, query):
    total, stats = word_statistics([query, "手当"], kinds=["procedure"])
    assert total > 0 and stats[-1].word == "手当"


def test_folded_texts_of_indexed_documents(demo):
    procedure = Procedure.objects.get(slug="inkan")
    texts = folded_texts([("procedure", str(procedure.pk)), ("procedure", "0"), ("faq", "x")])
    assert list(texts) == [("procedure", str(procedure.pk))]
    head, body = texts[("procedure", str(procedure.pk))]
    assert "印鑑登録" in head and "いんかん" in head and body
    assert folded_texts([]) == {}


def test_a_change_reported_through_core_reaches_the_index(demo, notes_source):
    notes_source["1"] = note("1", "ざくろ石のお知らせ")
    registry.changed("testnote", "1")
    assert Entry.objects.filter(kind="testnote", key="1").exists()
    del notes_source["1"]
    registry.changed("testnote", "1")
    assert not Entry.objects.filter(kind="testnote", key="1").exists()
