"""Backups of the database and the stored files, with a manifest of checksums, and their restore.

A backup is a directory::

    manifest.json        what is inside: time, database vendor, applied migrations, every file
    manifest.sha256      the SHA-256 of manifest.json
    database.sqlite3     SQLite: a copy taken with SQLite's online backup API
    database.pgdump      PostgreSQL: ``pg_dump --format=custom``
    files/<storage>/...  every file of every data storage (``settings.STORAGES`` but static files)

The database is copied first and the files after it: stored files are written once under fresh
names, so every file the copied database refers to is still there when the files are copied.
Encryption and signing keys are never read here (they are settings, not data); docs/backup.md
says where they are kept instead.

``restore`` checks every checksum before it writes anything, refuses a database or storage that
is not empty, and refuses a backup made by a newer version (migrations this code does not know).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, storages
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

FORMAT = "madoguchi-backup/1"
MANIFEST = "manifest.json"
MANIFEST_SUM = "manifest.sha256"
CHUNK = 1024 * 1024
# Storages that hold code, not data: rebuilt by collectstatic, never backed up.
NOT_DATA = frozenset({"staticfiles"})


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why, for the operator."""


@dataclass(frozen=True)
class Summary:
    path: Path
    vendor: str
    files: int
    bytes: int


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def data_storages() -> dict[str, Storage]:
    """Every configured storage that holds data (uploads, issued documents)."""
    return {alias: storages[alias] for alias in settings.STORAGES if alias not in NOT_DATA}


def walk(storage: Storage, directory: str = "") -> Iterator[str]:
    """Every file name in ``storage``, through the storage API (local disk or object storage)."""
    try:
        directories, files = storage.listdir(directory)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{directory}/{name}" if directory else name
    for sub in sorted(directories):
        yield from walk(storage, f"{directory}/{sub}" if directory else sub)


def key_paths() -> set[Path]:
    """Files that hold keys or secrets (docs/backup.md): never copied into a backup."""
    var = Path(settings.VAR_DIR)
    paths = {var / "secret_key", var / "encryption_keys", var / "registry_index_key",
             Path(settings.SIGNING_PKCS12), var / "signing"}
    return {p.resolve() for p in paths}


def _holds_keys(storage: Storage) -> bool:
    """Whether a local storage's folder contains a key file (MEDIA_ROOT set to VAR_DIR...)."""
    location = getattr(storage, "location", None)
    if not location:
        return False
    root = Path(location).resolve()
    return any(path == root or root in path.parents for path in key_paths() if path.exists())


def find_tool(name: str) -> str:
    """The path of a PostgreSQL client program: ``MADOGUCHI_<NAME>``, the PATH, or Debian's
    versioned folders (newest first)."""
    configured = os.environ.get(f"MADOGUCHI_{name.upper()}")
    if configured:
        return configured
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
                      key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit()
                      else 0, reverse=True)
    if versions:
        return str(versions[0])
    raise BackupError(
        f"{name} was not found. Install the PostgreSQL client (Debian: apt install "
        f"postgresql-client) or set MADOGUCHI_{name.upper()} to its path."
    )


def _pg_args(database: Mapping[str, Any]) -> tuple[list[str], dict[str, str]]:
    args: list[str] = []
    if database.get("HOST"):
        args += ["--host", str(database["HOST"])]
    if database.get("PORT"):
        args += ["--port", str(database["PORT"])]
    if database.get("USER"):
        args += ["--username", str(database["USER"])]
    env = dict(os.environ)
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = str(database["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()[-2000:]}")


def _vendor(database: Mapping[str, Any]) -> str:
    engine = str(database["ENGINE"])
    if engine.endswith("sqlite3"):
        return "sqlite"
    if engine.endswith("postgresql"):
        return "postgresql"
    raise BackupError(f"backups of {engine} are not supported")


def applied_migrations(alias: str = "default") -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connections[alias]).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


def _copy_database(alias: str, directory: Path) -> tuple[str, Path]:
    connection = connections[alias]
    vendor = _vendor(connection.settings_dict)
    if vendor == "sqlite":
        target = directory / "database.sqlite3"
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            # One consistent snapshot, taken while the site keeps writing (it waits on writers
            # page by page and restarts if the source changes under it).
            connection.connection.backup(destination)
        finally:
            destination.close()
        return vendor, target
    target = directory / "database.pgdump"
    args, env = _pg_args(connection.settings_dict)
    _run([find_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
          "--file", str(target), *args, "--dbname", str(connection.settings_dict["NAME"])], env)
    return vendor, target


def _entry(path: Path, relative: str) -> dict[str, Any]:
    return {"path": relative, "size": path.stat().st_size, "sha256": sha256_of(path)}


def backup(destination: Path, *, alias: str = "default",
           storage_map: Mapping[str, Storage] | None = None) -> Summary:
    """Write a backup of database ``alias`` and the data storages into ``destination``
    (a new or empty directory)."""
    destination = Path(destination)
    if destination.exists() and any(destination.iterdir()):
        raise BackupError(f"{destination} is not empty; give a new directory for each backup")
    chosen = storage_map or data_storages()
    for storage_alias, storage in chosen.items():
        if _holds_keys(storage):
            raise BackupError(f"the storage {storage_alias!r} contains key files; move the keys "
                              "out of its folder (docs/backup.md) before backing it up")
    destination.mkdir(parents=True, exist_ok=True)
    created_at = dt.datetime.now(dt.UTC)
    migrations = applied_migrations(alias)
    vendor, database_file = _copy_database(alias, destination)
    files: list[dict[str, Any]] = []
    total = database_file.stat().st_size
    for storage_alias, storage in chosen.items():
        for name in walk(storage):
            relative = f"files/{storage_alias}/{name}"
            target = destination / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with storage.open(name, "rb") as source, target.open("wb") as sink:
                    shutil.copyfileobj(source, sink, CHUNK)
            except FileNotFoundError:
                continue  # deleted since it was listed (a purge): the database copy is older
            files.append({"storage": storage_alias, "name": name, **_entry(target, relative)})
            total += target.stat().st_size
    manifest = {
        "format": FORMAT,
        "created_at": created_at.isoformat(),
        "database": {"vendor": vendor, **_entry(database_file, database_file.name)},
        "migrations": migrations,
        "files": files,
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
    (destination / MANIFEST).write_bytes(text)
    (destination / MANIFEST_SUM).write_text(hashlib.sha256(text).hexdigest() + "\n")
    return Summary(destination, vendor, len(files), total)


def _safe_relative(relative: str) -> str:
    path = PurePosixPath(relative)
    if not relative or path.is_absolute() or ".." in path.parts or "\\" in relative:
        raise BackupError(f"the manifest names an unsafe path: {relative!r}")
    return relative


def verify(source: Path) -> dict[str, Any]:
    """The manifest of the backup at ``source`` once every checksum matches; BackupError if not."""
    source = Path(source)
    try:
        text = (source / MANIFEST).read_bytes()
        expected = (source / MANIFEST_SUM).read_text().split()[0]
    except (OSError, IndexError) as error:
        raise BackupError(f"{source} is not a Madoguchi backup: {error}") from error
    if hashlib.sha256(text).hexdigest() != expected:
        raise BackupError("manifest.json does not match manifest.sha256: the backup was changed")
    manifest: dict[str, Any] = json.loads(text)
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    for entry in [manifest["database"], *manifest["files"]]:
        relative = _safe_relative(entry["path"])
        if entry is not manifest["database"]:
            _safe_relative(entry["name"])
        path = source / relative
        if not path.is_file():
            raise BackupError(f"{relative} is missing from the backup")
        if path.stat().st_size != entry["size"] or sha256_of(path) != entry["sha256"]:
            raise BackupError(f"{relative} does not match its checksum: the backup was changed")
    return manifest


def unknown_migrations(manifest: Mapping[str, Any]) -> list[str]:
    """Migrations applied in the backup that this code does not have (a newer version made it)."""
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return [f"{app}.{name}" for app, names in manifest["migrations"].items() for name in names
            if (app, name) not in known]


def database_is_empty(database: Mapping[str, Any]) -> bool:
    """Whether the database has no tables at all (never migrated), read without Django."""
    if _vendor(database) == "sqlite":
        path = Path(str(database["NAME"]))
        if not path.exists() or path.stat().st_size == 0:
            return True
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as probe:
            (count,) = probe.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'"
                                     ).fetchone()
        return bool(count == 0)
    import psycopg

    with psycopg.connect(dbname=str(database["NAME"]), host=database.get("HOST") or None,
                         port=database.get("PORT") or None, user=database.get("USER") or None,
                         password=database.get("PASSWORD") or None) as probe:
        row = probe.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', "
            "'information_schema')").fetchone()
    return bool(row is not None and row[0] == 0)


def restore(source: Path, *, database: Mapping[str, Any] | None = None,
            storage_map: Mapping[str, Storage] | None = None) -> Summary:
    """Restore the backup at ``source`` into an empty database and empty storages.

    Everything is checked before anything is written: the checksums, the migrations, that the
    database has no tables and the storages no files.
    """
    source = Path(source)
    manifest = verify(source)
    target_db = database if database is not None else connections["default"].settings_dict
    target_storages = storage_map if storage_map is not None else data_storages()
    vendor = _vendor(target_db)
    if manifest["database"]["vendor"] != vendor:
        raise BackupError(f"the backup is of a {manifest['database']['vendor']} database; "
                          f"this installation uses {vendor}")
    unknown = unknown_migrations(manifest)
    if unknown:
        raise BackupError("the backup was made by a newer version of Madoguchi (unknown "
                          f"migrations: {', '.join(unknown[:5])}); restore it with that version")
    missing = {f["storage"] for f in manifest["files"]} - set(target_storages)
    if missing:
        raise BackupError(f"storages missing in this installation: {', '.join(sorted(missing))}")
    if not database_is_empty(target_db):
        raise BackupError("the database is not empty; restore only into a new, empty database")
    for alias, storage in target_storages.items():
        if next(walk(storage), None) is not None:
            raise BackupError(
                f"the storage {alias!r} is not empty; restore only into empty storage")

    database_file = source / manifest["database"]["path"]
    if vendor == "sqlite":
        with sqlite3.connect(database_file) as backup_db:
            destination = sqlite3.connect(str(target_db["NAME"]))
            try:
                backup_db.backup(destination)
            finally:
                destination.close()
    else:
        args, env = _pg_args(target_db)
        _run([find_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
              "--single-transaction", *args, "--dbname", str(target_db["NAME"]),
              str(database_file)], env)
    total = database_file.stat().st_size
    for entry in manifest["files"]:
        storage = target_storages[entry["storage"]]
        with (source / entry["path"]).open("rb") as handle:
            saved = storage.save(entry["name"], File(handle, name=entry["name"]))
        if saved != entry["name"]:
            raise BackupError(f"the storage renamed {entry['name']!r} to {saved!r}")
        total += entry["size"]
    return Summary(source, vendor, len(manifest["files"]), total)
