"""The benchmark floor inserts one row per POST, and only in bench mode."""

from __future__ import annotations

from django.test import override_settings

from madoguchi.benchfloor.models import BenchFloorRow


def test_floor_is_off_outside_bench(client, db):
    assert client.post("/bench/floor/", {"payload": "x"}).status_code == 404
    assert not BenchFloorRow.objects.exists()


@override_settings(BENCH=True)
def test_floor_inserts_one_row_without_a_csrf_token(db):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)  # the bench clients send no token
    response = client.post("/bench/floor/", {"payload": "x" * 300})
    assert response.status_code == 200
    row = BenchFloorRow.objects.get()
    assert response.json() == {"id": row.pk}
    assert row.payload == "x" * 200
    assert client.get("/bench/floor/").status_code == 405


def test_display_queries_are_off_outside_bench(client, db):
    assert client.get("/bench/display-queries/").status_code == 404


@override_settings(BENCH=True)
def test_display_queries_count_the_polls_and_their_statements(client, db):
    from madoguchi.tickets import display

    def totals() -> dict[str, int]:
        return client.get("/bench/display-queries/").json()

    display.forget()
    before = totals()
    assert client.get("/tickets/display/").status_code == 200  # cold: the snapshot is read
    cold = totals()
    assert client.get("/tickets/display/").status_code == 200  # warm: no query
    assert client.get("/tickets/display/board/").status_code == 200  # the script's: counted
    client.get("/tickets/display.json")  # another page: not counted
    warm = totals()
    assert before["pid"] == cold["pid"] == warm["pid"]
    assert cold["polls"] - before["polls"] == 1
    assert cold["queries"] - before["queries"] >= 3
    assert warm["polls"] - cold["polls"] == 2
    assert warm["queries"] == cold["queries"]
    display.forget()
