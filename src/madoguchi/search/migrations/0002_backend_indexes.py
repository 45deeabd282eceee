"""Full-text indexes that depend on the database: FTS5 tables on SQLite, GIN on PostgreSQL.

Each index has two columns, the head (titles and keywords) and the body, so a query can ask
for matches in the head alone (FTS5 column filter ``head_f : ...``).
"""

from django.db import migrations

FTS = [
    # Trigram FTS5: substring search for terms of three or more characters.
    ("search_entry_tri", "head_f", "text_f", "tokenize='trigram'"),
    # One- and two-character grams as tokens: the fallback for short terms (手当, 子).
    ("search_entry_gram", "head_grams", "grams",
     "tokenize='unicode61 remove_diacritics 0', detail='column'"),
]


def _sqlite() -> list[str]:
    statements = [
        f"CREATE VIRTUAL TABLE {table} USING fts5({head}, {body}, "
        f"content='search_entrycontent', content_rowid='entry_id', {options})"
        for table, head, body, options in FTS
    ]
    insert = " ".join(
        f"INSERT INTO {t}(rowid, {h}, {b}) VALUES (new.entry_id, new.{h}, new.{b});"
        for t, h, b, _o in FTS
    )
    delete = " ".join(
        f"INSERT INTO {t}({t}, rowid, {h}, {b}) VALUES ('delete', old.entry_id, old.{h}, old.{b});"
        for t, h, b, _o in FTS
    )
    statements += [
        f"CREATE TRIGGER search_entry_ai AFTER INSERT ON search_entrycontent BEGIN {insert} END",
        f"CREATE TRIGGER search_entry_ad AFTER DELETE ON search_entrycontent BEGIN {delete} END",
        f"CREATE TRIGGER search_entry_au AFTER UPDATE ON search_entrycontent BEGIN "
        f"{delete} {insert} END",
    ]
    return statements


SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS search_entry_au",
    "DROP TRIGGER IF EXISTS search_entry_ad",
    "DROP TRIGGER IF EXISTS search_entry_ai",
    "DROP TABLE IF EXISTS search_entry_gram",
    "DROP TABLE IF EXISTS search_entry_tri",
]
POSTGRESQL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    # string_to_array under a name with a realistic cost: splitting every row's grams is slow,
    # and with the built-in's cost of 1 the planner prefers scanning the table to the index.
    "CREATE FUNCTION search_grams(grams text) RETURNS text[] LANGUAGE plpgsql IMMUTABLE "
    "STRICT PARALLEL SAFE COST 1000 AS $$ BEGIN RETURN string_to_array(grams, ' '); END $$",
    "CREATE INDEX search_entry_head_trgm ON search_entrycontent USING gin (head_f gin_trgm_ops)",
    "CREATE INDEX search_entry_text_trgm ON search_entrycontent USING gin (text_f gin_trgm_ops)",
    "CREATE INDEX search_entry_head_grams ON search_entrycontent "
    "USING gin (search_grams(head_grams))",
    "CREATE INDEX search_entry_grams ON search_entrycontent "
    "USING gin (search_grams(grams))",
]
POSTGRESQL_REVERSE = [
    "DROP INDEX IF EXISTS search_entry_grams",
    "DROP INDEX IF EXISTS search_entry_head_grams",
    "DROP INDEX IF EXISTS search_entry_text_trgm",
    "DROP INDEX IF EXISTS search_entry_head_trgm",
    "DROP FUNCTION IF EXISTS search_grams(text)",
]


def _run(statements: dict[str, list[str]]):
    def run(apps, schema_editor) -> None:  # noqa: ANN001
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": _sqlite(), "postgresql": POSTGRESQL}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
        ),
    ]
