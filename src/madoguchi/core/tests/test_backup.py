"""Backups restored for real: every table and every file comes back identical, on the backend
the suite runs on (SQLite or PostgreSQL); a changed backup or a non-empty target is refused."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from madoguchi.applications.models import Application, StatusEvent
from madoguchi.core import backup as backups
from madoguchi.issuance import services as issuance
from madoguchi.issuance.signing import create_demo_ca

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4

# pg_dump and the backup API read what is committed: the cases are written for real.
transactional = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def signing_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("signing")
    create_demo_ca(directory)
    return directory


@pytest.fixture
def media(settings, tmp_path: Path, signing_dir: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.SIGNING_PKCS12 = str(signing_dir / "city.p12")
    settings.SIGNING_PKCS12_PASSWORD = ""
    settings.SITE_URL = "https://madoguchi.example.jp"
    return tmp_path / "media"


@pytest.fixture
def case(demo, media, make_application, staff_user) -> Application:
    """A submitted application with an attached file, decided, with its notice issued."""
    application = make_application()
    name = default_storage.save(f"uploads/2026/11/{uuid.uuid4().hex}.png", ContentFile(PNG))
    item = {"name": "定期券.png", "storage_name": name, "size": len(PNG),
            "content_type": "image/png", "sha256": "0" * 64}
    Application.objects.filter(pk=application.pk).update(
        answers={**application.answers, "pass_copy": [item]})
    StatusEvent.objects.create(application=application, from_status=application.status,
                               to_status="approved", actor=staff_user)
    issuance.issue(application, "grant", staff_user)
    return application


@pytest.fixture
def fresh_database(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """Settings of a new, empty database of the same backend (a file, or a new PG database)."""
    source = connection.settings_dict
    if connection.vendor == "sqlite":
        yield {"ENGINE": source["ENGINE"], "NAME": str(tmp_path / "restored.sqlite3")}
        return
    name = f"{source['NAME']}_restored"
    admin = {"host": source.get("HOST") or None, "port": source.get("PORT") or None,
             "user": source.get("USER") or None, "password": source.get("PASSWORD") or None}
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}"')
        server.execute(f'CREATE DATABASE "{name}"')
    yield {**source, "NAME": name}
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def table_rows(database: dict[str, Any], tables: list[str]) -> dict[str, list[tuple]]:
    """Every row of every table, read outside Django, in a stable order."""
    result: dict[str, list[tuple]] = {}
    if str(database["ENGINE"]).endswith("sqlite3"):
        with sqlite3.connect(str(database["NAME"])) as db:
            for table in tables:
                result[table] = sorted(db.execute(f'SELECT * FROM "{table}"').fetchall(),  # noqa: S608
                                       key=repr)
        return result
    with psycopg.connect(dbname=database["NAME"], host=database.get("HOST") or None,
                         port=database.get("PORT") or None, user=database.get("USER") or None,
                         password=database.get("PASSWORD") or None) as db:
        for table in tables:
            result[table] = sorted(db.execute(f'SELECT * FROM "{table}"').fetchall(),  # noqa: S608
                                   key=repr)
    return result


def stored_files(storage: Any) -> dict[str, bytes]:
    files = {}
    for name in backups.walk(storage):
        with storage.open(name, "rb") as handle:
            files[name] = handle.read()
    return files


def check_round_trip(target: Path, tmp_path: Path, database: dict[str, Any]) -> None:
    manifest = backups.verify(target)
    assert manifest["database"]["vendor"] == connection.vendor
    assert "applications" in manifest["migrations"]
    names = {entry["name"] for entry in manifest["files"]}
    assert any(name.startswith("uploads/") for name in names)
    assert any(name.startswith("issued/") for name in names)

    restored_media = FileSystemStorage(location=tmp_path / "restored-media")
    backups.restore(target, database=database, storage_map={"default": restored_media})

    tables = connection.introspection.table_names()
    before = table_rows(connection.settings_dict, tables)
    after = table_rows(database, tables)
    assert before["applications_application"] and before["issuance_issueddocument"]
    for table in tables:
        assert after[table] == before[table], table
    original = stored_files(default_storage)
    assert len(original) == 2
    assert stored_files(restored_media) == original


def check_no_keys(target: Path, signing_dir: Path) -> None:
    secrets = [django_settings.SECRET_KEY.encode(), django_settings.REGISTRY_INDEX_KEY.encode()]
    for item in django_settings.ENCRYPTION_KEYS.split(","):
        material = item.partition(":")[2].strip()
        secrets += [material.encode(), base64.b64decode(material)]
    secrets.append((signing_dir / "city.p12").read_bytes())
    for path in target.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            for secret in secrets:
                assert secret not in content, path


def refused(target: Path, tmp_path: Path, database: dict[str, Any], match: str) -> None:
    """Restoring ``target`` fails with ``match`` and writes nothing."""
    restored_media = FileSystemStorage(location=tmp_path / "refused-media")
    with pytest.raises(backups.BackupError, match=match):
        backups.restore(target, database=database, storage_map={"default": restored_media})
    assert backups.database_is_empty(database)
    assert list(backups.walk(restored_media)) == []


def rewrite_manifest(target: Path, manifest: dict[str, Any]) -> None:
    text = json.dumps(manifest).encode()
    (target / backups.MANIFEST).write_bytes(text)
    (target / backups.MANIFEST_SUM).write_text(hashlib.sha256(text).hexdigest())


@transactional
def test_backup_and_restore(case, tmp_path, fresh_database, signing_dir):
    """One committed case (transactional tests are slow), every property of a backup on it."""
    target = tmp_path / "backup"
    call_command("backup", str(target))
    call_command("restore", str(target), "--verify-only")
    check_no_keys(target, signing_dir)

    # A changed file, a changed manifest, a newer version's backup: refused, nothing written.
    changed = tmp_path / "changed"
    shutil.copytree(target, changed)
    upload = next(changed.glob("files/default/uploads/**/*.png"))
    upload.write_bytes(upload.read_bytes()[:-1] + b"\x00")
    refused(changed, tmp_path, fresh_database, "checksum")
    shutil.rmtree(changed)
    shutil.copytree(target, changed)
    manifest_file = changed / backups.MANIFEST
    manifest_file.write_bytes(manifest_file.read_bytes().replace(b'"size": ', b'"size": 1', 1))
    with pytest.raises(CommandError, match="manifest"):
        call_command("restore", str(changed), "--verify-only")
    newer = tmp_path / "newer"
    shutil.copytree(target, newer)
    manifest = backups.verify(newer)
    manifest["migrations"]["applications"].append("9999_from_the_future")
    rewrite_manifest(newer, manifest)
    refused(newer, tmp_path, fresh_database, "newer version")

    # A target that holds data: the live database, or storage with files.
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(target))
    with pytest.raises(backups.BackupError, match="storage"):
        backups.restore(target, database=fresh_database, storage_map={"default": default_storage})
    assert backups.database_is_empty(fresh_database)

    check_round_trip(target, tmp_path, fresh_database)


def test_backup_refuses_a_storage_folder_holding_keys(demo, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    (tmp_path / "encryption_keys").write_text("k1:secret")
    settings.MEDIA_ROOT = str(tmp_path)
    with pytest.raises(backups.BackupError, match="key"):
        backups.backup(tmp_path / "out", storage_map={"default": FileSystemStorage(tmp_path)})


def test_backup_refuses_a_directory_that_is_not_empty(demo, tmp_path):
    (tmp_path / "old").write_text("x")
    with pytest.raises(backups.BackupError, match="not empty"):
        backups.backup(tmp_path)


def test_missing_pg_dump_gives_a_clear_error(monkeypatch):
    monkeypatch.delenv("MADOGUCHI_PG_DUMP", raising=False)
    monkeypatch.setattr(backups.shutil, "which", lambda name: None)
    monkeypatch.setattr(backups.Path, "glob", lambda self, pattern: iter(()))
    with pytest.raises(backups.BackupError, match="postgresql-client"):
        backups.find_tool("pg_dump")
