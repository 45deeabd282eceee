"""The HTTP registry connector against a fake API on 127.0.0.1 (no sleeping but in the slow
server, whose delay is a fraction of a second)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from madoguchi.registry.contrib.http.client import CircuitBreaker, CircuitOpen, HttpConfig
from madoguchi.registry.contrib.http.connector import HttpConnector, connector_from_settings
from madoguchi.registry.plugins import ConnectorError, ResidentQuery, registry_connectors

from .fake_server import (
    FakeRegistry,
    Reply,
    RunningServer,
    free_port,
    make_pki,
    resident,
    server_tls,
)

TOKEN = "test-token-7f3a"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def fake() -> FakeRegistry:
    return FakeRegistry()


@pytest.fixture
def server(fake: FakeRegistry) -> Iterator[RunningServer]:
    with RunningServer(fake) as running:
        yield running


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sleeps() -> list[float]:
    return []


def connector(url: str, clock: Clock, sleeps: list[float], **options: Any) -> HttpConnector:
    settings: dict[str, Any] = {"url": url, "token": TOKEN, "connect_timeout": 1.0,
                                "read_timeout": 1.0, "retries": 2, "backoff": 0.1,
                                "failure_threshold": 3, "cool_down": 30.0, **options}
    return HttpConnector(HttpConfig(**settings), clock=clock, sleep=sleeps.append)


@pytest.fixture
def http(server: RunningServer, clock: Clock, sleeps: list[float]) -> HttpConnector:
    return connector(server.url, clock, sleeps)


# --- answers mapped to records ----------------------------------------------------------------
def test_find_maps_the_answer_and_sends_the_query_and_token(http: HttpConnector,
                                                             fake: FakeRegistry) -> None:
    records = http.find(ResidentQuery(name="山田 太郎", birth_date=dt.date(1980, 4, 1)))

    [record] = records
    assert (record.record_id, record.name, record.kana, record.birth_date) == (
        "R1", "山田 太郎", "ヤマダ タロウ", dt.date(1980, 4, 1))
    assert (record.household_id, record.relationship, record.sex) == ("H1", "世帯主", "男")
    assert record.resident_code == "00000000001" and record.active and not record.has_gaiji
    [seen] = fake.seen
    assert seen.path == "/api/residents"
    assert seen.params == {"name": "山田 太郎", "birth_date": "1980-04-01", "limit": "20"}
    assert seen.headers["Authorization"] == f"Bearer {TOKEN}"


def test_find_limits_and_refuses_an_empty_query(http: HttpConnector, fake: FakeRegistry) -> None:
    fake.queue.append(Reply(body={"records": [resident(f"R{i}", "同 名", "ドウ メイ")
                                              for i in range(5)]}))
    assert len(http.find(ResidentQuery(kana="ドウ メイ"), limit=2)) == 2
    assert fake.seen[0].params == {"kana": "ドウ メイ", "limit": "2"}
    with pytest.raises(ValueError):
        http.find(ResidentQuery())
    assert http.find(ResidentQuery(resident_code="99999999999")) == []


def test_gaiji_status_and_times(http: HttpConnector) -> None:
    [takahashi] = http.find(ResidentQuery(name="髙橋 次郎"))
    assert takahashi.has_gaiji  # computed from the name when the API does not say
    assert takahashi.changed_at == dt.datetime(2026, 3, 1, 0, 0, tzinfo=dt.UTC)  # 09:00 JST


def test_household_head_first_current_members_only(http: HttpConnector,
                                                    fake: FakeRegistry) -> None:
    members = http.household("H1")

    assert [m.record_id for m in members] == ["R1", "R2", "R3"]  # 梅 died: not a member
    assert fake.seen[0].path == "/api/households/H1"
    assert http.household("unknown/../x") == []  # a 404, the id quoted into one segment
    assert fake.seen[1].path == "/api/households/unknown%2F..%2Fx"


def test_changes_follow_the_pages(http: HttpConnector, fake: FakeRegistry) -> None:
    since = dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.UTC)
    records = list(http.changes(since=since))

    assert [r.record_id for r in records] == ["R1", "R2", "R3", "R4", "R5"]
    assert records[4].status == "died" and not records[4].active
    assert [s.params.get("cursor") for s in fake.seen] == [None, "2", "4"]
    assert {s.params["since"] for s in fake.seen} == {"2026-01-01T09:00:00+00:00"}


def test_templates_and_field_names_are_the_citys(server: RunningServer, fake: FakeRegistry,
                                                  clock: Clock, sleeps: list[float]) -> None:
    http = connector(server.url, clock, sleeps,
                     paths={"household": "/setai/{household_id}/members?view=full"},
                     fields={"name": "shimei", "record_id": "id"})
    fake.queue.append(Reply(body={"records": [{"id": "X1", "shimei": "緑 一",
                                               "household_id": "S"}]}))

    [record] = http.household("S 1")
    assert (record.record_id, record.name) == ("X1", "緑 一")
    assert fake.seen[0].path == "/api/setai/S%201/members"
    assert fake.seen[0].params == {"view": "full"}


# --- failures ---------------------------------------------------------------------------------
def test_a_slow_server_times_out(server: RunningServer, fake: FakeRegistry, clock: Clock,
                                 sleeps: list[float]) -> None:
    http = connector(server.url, clock, sleeps, read_timeout=0.1, retries=1)
    fake.queue.extend([Reply(body={"records": []}, delay=0.4)] * 2)

    with pytest.raises(ConnectorError, match="timed out"):
        http.find(ResidentQuery(name="山田 太郎"))
    assert len(fake.seen) == 2  # a timeout is retried, once here
    assert sleeps == [0.1]


def test_no_server_is_a_connector_error(clock: Clock, sleeps: list[float]) -> None:
    http = connector(f"http://127.0.0.1:{free_port()}/api", clock, sleeps, retries=0)
    with pytest.raises(ConnectorError, match="connection failed"):
        http.find(ResidentQuery(name="山田 太郎"))


def test_5xx_is_retried_with_backoff(http: HttpConnector, fake: FakeRegistry,
                                     sleeps: list[float]) -> None:
    fake.queue.extend([Reply(503, {}), Reply(500, b"oops")])

    [record] = http.find(ResidentQuery(name="山田 太郎"))
    assert record.record_id == "R1"
    assert len(fake.seen) == 3
    assert sleeps == [0.1, 0.2]


def test_4xx_is_not_retried(http: HttpConnector, fake: FakeRegistry,
                            sleeps: list[float]) -> None:
    fake.queue.append(Reply(401, {"error": "bad token"}))
    with pytest.raises(ConnectorError, match="HTTP 401"):
        http.find(ResidentQuery(name="山田 太郎"))
    assert len(fake.seen) == 1 and sleeps == []
    assert http.client.breaker.state == "closed"  # the API answered: it is up


@pytest.mark.parametrize("body", [b"{not json", b'{"residents": []}', b'{"records": [1]}',
                                  b'{"records": [{"record_id": "R9", "name": "x"}]}',
                                  b'{"records": [{"record_id": "R9", "name": "x", '
                                  b'"household_id": "H", "birth_date": "1980-02-30"}]}'])
def test_a_malformed_answer_is_a_connector_error(http: HttpConnector, fake: FakeRegistry,
                                                 body: bytes) -> None:
    fake.queue.append(Reply(200, body))
    with pytest.raises(ConnectorError):
        http.find(ResidentQuery(name="山田 太郎"))
    assert len(fake.seen) == 1


def test_the_circuit_opens_refuses_and_half_opens(http: HttpConnector, fake: FakeRegistry,
                                                  clock: Clock) -> None:
    breaker = http.client.breaker
    fake.queue.extend([Reply(503, {})] * 9)  # three calls of three attempts each
    for _ in range(3):
        with pytest.raises(ConnectorError):
            http.find(ResidentQuery(name="山田 太郎"))
    assert breaker.state == "open" and len(fake.seen) == 9

    clock.now += 29
    with pytest.raises(CircuitOpen):
        http.household("H1")
    assert len(fake.seen) == 9  # refused without a request

    clock.now += 2  # the cool-down is over: one trial, not retried, fails and re-opens
    fake.queue.append(Reply(503, {}))
    with pytest.raises(ConnectorError):
        http.household("H1")
    assert len(fake.seen) == 10 and breaker.state == "open"
    with pytest.raises(CircuitOpen):
        http.household("H1")

    clock.now += 31  # the next trial succeeds and closes the circuit
    assert len(http.household("H1")) == 3
    assert breaker.state == "closed"
    assert len(http.find(ResidentQuery(name="山田 太郎"))) == 1


def test_the_counter_message_follows_a_connector_error() -> None:
    assert issubclass(CircuitOpen, ConnectorError)


def test_records_are_never_logged(http: HttpConnector, fake: FakeRegistry,
                                  caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    fake.queue.extend([Reply(503, {"records": [resident("R1", "山田 太郎", "ヤマダ タロウ")]}),
                       Reply(200, {"records": [{"record_id": "R1", "name": "山田 太郎",
                                                "household_id": "H1", "birth_date": "bad"}]})])
    with pytest.raises(ConnectorError) as error:
        http.find(ResidentQuery(name="山田 太郎", address="緑ヶ丘市若葉町2丁目14番3号"))
    http.find(ResidentQuery(name="山田 太郎"))
    http.household("H1")
    list(http.changes(since=None))

    assert "503" in caplog.text  # the failure itself is logged
    for value in ("山田", "ヤマダ", "緑ヶ丘", "1980", TOKEN):
        assert value not in caplog.text
        assert value not in str(error.value)


# --- mutual TLS -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return make_pki(tmp_path_factory.mktemp("pki"))


def test_mutual_tls(pki: Any, fake: FakeRegistry, clock: Clock, sleeps: list[float]) -> None:
    with RunningServer(fake, server_tls(pki)) as server:
        assert server.url.startswith("https://127.0.0.1:")
        http = connector(server.url, clock, sleeps, token="", ca_bundle=str(pki.ca),
                         client_cert=str(pki.client_cert), client_key=str(pki.client_key))
        [record] = http.find(ResidentQuery(name="山田 太郎"))
        assert record.record_id == "R1"
        assert "Authorization" not in fake.seen[0].headers

        no_cert = connector(server.url, clock, sleeps, retries=0, ca_bundle=str(pki.ca))
        with pytest.raises(ConnectorError):
            no_cert.find(ResidentQuery(name="山田 太郎"))
        no_trust = connector(server.url, clock, sleeps, retries=0,
                             client_cert=str(pki.client_cert), client_key=str(pki.client_key))
        with pytest.raises(ConnectorError, match="TLS"):  # the server's CA is not trusted
            no_trust.find(ResidentQuery(name="山田 太郎"))
    assert len(fake.seen) == 1


# --- settings ---------------------------------------------------------------------------------
def test_not_configured_means_not_registered() -> None:
    assert connector_from_settings({}) is None
    assert "http" not in registry_connectors  # the test settings set no URL


def test_settings_from_the_environment(pki: Any) -> None:
    http = connector_from_settings({
        "URL": "https://juki.city.example/api/v1", "TOKEN": "t", "CA_BUNDLE": str(pki.ca),
        "CLIENT_CERT": str(pki.client_cert), "CLIENT_KEY": str(pki.client_key),
        "CONNECT_TIMEOUT": "2.5", "READ_TIMEOUT": "8", "RETRIES": "1", "FAILURE_THRESHOLD": "4",
        "COOL_DOWN": "60", "PATHS": '{"changes": "/sync"}', "FIELDS": '{"kana": "furigana"}'})
    assert http is not None
    config = http.client.config
    assert (config.connect_timeout, config.read_timeout, config.retries) == (2.5, 8.0, 1)
    assert (http.client.breaker.threshold, http.client.breaker.cool_down) == (4, 60.0)
    assert http.client.target("changes", {"since": "x"}) == "/api/v1/sync?since=x"
    with registry_connectors.temporary(http.id, http):
        assert registry_connectors.is_enabled("http")


@pytest.mark.parametrize("values", [
    {"URL": "http://juki.city.example/api"},  # plain HTTP off this machine
    {"URL": "ftp://juki.city.example/"},
    {"URL": "https://juki.city.example/?a=1"},
    {"URL": "https://juki.city.example/", "RETRIES": "many"},
    {"URL": "https://juki.city.example/", "READ_TIMEOUT": "0"},
    {"URL": "https://juki.city.example/", "PATHS": '{"household": "/households"}'},
    {"URL": "https://juki.city.example/", "PATHS": '{"find": "/r/{name}"}'},
    {"URL": "https://juki.city.example/", "PATHS": '{"delete": "/x"}'},
    {"URL": "https://juki.city.example/", "FIELDS": '{"nickname": "x"}'},
    {"URL": "https://juki.city.example/", "FIELDS": "not json"},
    {"URL": "https://juki.city.example/", "CLIENT_CERT": "/nonexistent/client.pem"},
    {"URL": "https://juki.city.example/", "CLIENT_KEY": "k.pem"},
    {"URL": "https://juki.city.example/", "TIMEOUT": "3"},  # a misspelt setting
    {"TOKEN": "t"},  # settings without the URL
])
def test_bad_settings_stop_the_start(values: dict[str, str]) -> None:
    with pytest.raises(ImproperlyConfigured):
        connector_from_settings(values)


def test_plain_http_to_this_machine_is_allowed(tmp_path: Path) -> None:
    for url in ("http://127.0.0.1:8080/api", "http://localhost/", "http://[::1]:9/"):
        assert connector_from_settings({"URL": url}) is not None


def test_the_app_registers_the_connector_when_configured(settings: Any) -> None:
    settings.REGISTRY_HTTP = {"URL": "https://juki.city.example/api", "TOKEN": "t"}
    apps.get_app_config("registry_http").ready()
    try:
        assert isinstance(registry_connectors["http"], HttpConnector)
        assert registry_connectors.is_enabled("http")
    finally:
        registry_connectors.unregister("http")


def test_one_trial_at_a_time_while_half_open(clock: Clock) -> None:
    breaker = CircuitBreaker(threshold=2, cool_down=10, clock=clock)
    assert breaker.acquire() is False
    breaker.failed()
    assert breaker.state == "closed"
    breaker.failed()
    assert breaker.state == "open"
    clock.now += 10
    assert breaker.acquire() is True  # the trial
    with pytest.raises(CircuitOpen):
        breaker.acquire()  # another thread meanwhile
    breaker.succeeded()
    assert breaker.state == "closed" and breaker.acquire() is False
