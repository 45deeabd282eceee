"""``check --deploy`` warns when a PostgreSQL installation's shared secrets are per host."""

from __future__ import annotations

from madoguchi.core import checks


def test_secrets_missing_from_the_environment_are_reported_on_postgresql(settings, monkeypatch):
    settings.DATABASES = {"default": {**settings.DATABASES["default"],
                                      "ENGINE": "django.db.backends.postgresql"}}
    for name in checks.SHARED_SECRETS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MADOGUCHI_SECRET_KEY", "from-the-environment")
    warnings = checks.shared_secrets()
    assert [w.id for w in warnings] == ["madoguchi.W001", "madoguchi.W001"]
    assert "MADOGUCHI_ENCRYPTION_KEYS" in warnings[0].msg
    assert "MADOGUCHI_REGISTRY_INDEX_KEY" in warnings[1].msg


def test_sqlite_has_one_host_and_no_warning(settings, monkeypatch):
    settings.DATABASES = {"default": {**settings.DATABASES["default"],
                                      "ENGINE": "django.db.backends.sqlite3"}}
    for name in checks.SHARED_SECRETS:
        monkeypatch.delenv(name, raising=False)
    assert checks.shared_secrets() == []
