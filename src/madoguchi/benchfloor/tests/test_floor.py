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
