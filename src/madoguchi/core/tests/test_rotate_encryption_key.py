"""``manage.py rotate_encryption_key``: every sealed value moves to the current key."""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from io import StringIO
from unittest import mock

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import models
from django.test import override_settings
from django.utils import timezone

from madoguchi.applications import drafts
from madoguchi.applications.models import Application, Draft
from madoguchi.applications.services import all_answers
from madoguchi.conftest import ACCOUNT_NUMBER
from madoguchi.core import crypto
from madoguchi.core.sealed_fields import sealed_fields
from madoguchi.staff.models import StaffTOTP
from madoguchi.staff.tests.helpers import ensure_authenticator

OLD = "old:" + base64.b64encode(b"o" * 32).decode()
NEW = "new:" + base64.b64encode(b"n" * 32).decode()
LOST = "lost:" + base64.b64encode(b"l" * 32).decode()
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def run(*args: str) -> str:
    out = StringIO()
    call_command("rotate_encryption_key", *args, stdout=out)
    return out.getvalue()


def key_ids() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for sealed in sealed_fields:
        model = apps.get_model(sealed.model)
        values = model.objects.exclude(**{sealed.field: ""}).values_list(sealed.field, flat=True)
        found[sealed.label] = {crypto.key_id_of(v) for v in values}
    return found


@pytest.fixture
def sealed_under_old(make_application, form_version, resident, staff_user):
    """An application, a draft and an authenticator, all sealed with the old key."""
    with override_settings(ENCRYPTION_KEYS=OLD):
        application = make_application()
        public_id = uuid.uuid4()
        draft = Draft.objects.create(
            public_id=public_id, form=form_version.form, version=form_version, owner=resident,
            raw={"school_name": "緑ヶ丘高校"},
            sealed=crypto.seal({"raw": {"account_number": "１２３"},
                                "answers": {"account_number": "123"}}, context=str(public_id)),
            expires_at=timezone.now() + dt.timedelta(days=1),
        )
        totp = ensure_authenticator(staff_user, secret=TOTP_SECRET)
    assert application.sealed_answers
    return application, draft, totp


def test_every_sealed_field_is_listed():
    """A model field named like a sealed value must be registered, so the command re-seals it."""
    listed = {sealed.label for sealed in sealed_fields}
    found = {
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models() for field in model._meta.get_fields()
        if isinstance(field, models.Field) and "sealed" in field.name
    }
    assert found <= listed, found - listed
    for sealed in sealed_fields:
        apps.get_model(sealed.model)._meta.get_field(sealed.field)


def test_rotation_moves_everything_to_the_new_key(sealed_under_old):
    application, draft, totp = sealed_under_old
    with override_settings(ENCRYPTION_KEYS=f"{NEW},{OLD}"):
        assert set().union(*key_ids().values()) == {"old"}
        out = run("--dry-run")
        assert "total: would re-seal 3, already current 0, unreadable 0" in out
        assert set().union(*key_ids().values()) == {"old"}  # a dry run changes nothing
        out = run("--key", "new", "--batch-size", "1")
        assert "applications.Application.sealed_answers: re-sealed 1" in out
        assert "applications.Draft.sealed: re-sealed 1" in out
        assert "staff.StaffTOTP.sealed_secret: re-sealed 1" in out
        assert set().union(*key_ids().values()) == {"new"}
        # Idempotent: a second run has nothing left to do.
        assert "total: re-sealed 0, already current 3, unreadable 0" in run()
    # The old key can now be removed: everything still opens.
    with override_settings(ENCRYPTION_KEYS=NEW):
        application.refresh_from_db()
        assert all_answers(application)["payment_account"]["number"] == ACCOUNT_NUMBER
        draft.refresh_from_db()
        state = drafts._open(draft)
        assert state.answers["account_number"] == "123"
        assert state.raw["account_number"] == "１２３"
        assert StaffTOTP.objects.get(pk=totp.pk).secret() == TOTP_SECRET


def test_interrupted_rotation_resumes(sealed_under_old, other_staff_user):
    with override_settings(ENCRYPTION_KEYS=OLD):
        ensure_authenticator(other_staff_user)
    real_seal = crypto.seal
    calls = {"n": 0}

    def failing_seal(value, *, context):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("power cut")
        return real_seal(value, context=context)

    with override_settings(ENCRYPTION_KEYS=f"{NEW},{OLD}"):
        with mock.patch.object(crypto, "seal", failing_seal), pytest.raises(RuntimeError):
            run("--batch-size", "1")
        ids = key_ids()
        assert ids["applications.Application.sealed_answers"] == {"new"}
        assert ids["applications.Draft.sealed"] == {"new"}
        assert ids["staff.StaffTOTP.sealed_secret"] == {"old"}  # the failed batch rolled back
        out = run()
        assert "staff.StaffTOTP.sealed_secret: re-sealed 2, already under 'new' 0" in out
        assert "applications.Draft.sealed: re-sealed 0, already under 'new' 1" in out
        assert set().union(*key_ids().values()) == {"new"}


def test_unreadable_values_are_reported_and_the_rest_rotated(sealed_under_old, other_staff_user):
    with override_settings(ENCRYPTION_KEYS=LOST):
        lost = ensure_authenticator(other_staff_user)
    with override_settings(ENCRYPTION_KEYS=f"{NEW},{OLD}"):
        with pytest.raises(CommandError, match="could not be decrypted"):
            run()
        lost.refresh_from_db()
        assert crypto.key_id_of(lost.sealed_secret) == "lost"  # left as it was
        ids = key_ids()
        assert ids["applications.Application.sealed_answers"] == {"new"}
        assert ids["staff.StaffTOTP.sealed_secret"] == {"new", "lost"}


def test_refuses_when_the_current_key_is_not_the_expected_one(sealed_under_old):
    with override_settings(ENCRYPTION_KEYS=f"{OLD},{NEW}"):
        with pytest.raises(CommandError, match="current key is 'old'"):
            run("--key", "new")
        assert set().union(*key_ids().values()) == {"old"}


@pytest.mark.parametrize("spec", [
    "", " , ", "k1:" + base64.b64encode(b"short").decode(),
    f"{NEW},new:" + base64.b64encode(b"x" * 32).decode(),  # one id, two keys
])
def test_refuses_unusable_key_lists(db, spec):
    with override_settings(ENCRYPTION_KEYS=spec), pytest.raises(CommandError):
        run()


def test_refuses_a_zero_batch(db):
    with override_settings(ENCRYPTION_KEYS=NEW), pytest.raises(CommandError):
        run("--batch-size", "0")


def test_empty_values_are_left_alone(make_application, form_version):
    with override_settings(ENCRYPTION_KEYS=OLD):
        Draft.objects.create(form=form_version.form, version=form_version, sealed="",
                             expires_at=timezone.now() + dt.timedelta(days=1))
    with override_settings(ENCRYPTION_KEYS=f"{NEW},{OLD}"):
        assert "applications.Draft.sealed: re-sealed 0, already under 'new' 0" in run()
    assert Application.objects.count() == 0
