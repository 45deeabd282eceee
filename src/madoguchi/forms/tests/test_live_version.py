"""forms.selectors.live_version: the per-process cache follows every change of the database,
also one made by another server (no signal reaches this process)."""

from __future__ import annotations

from django.utils import timezone

from madoguchi.catalog.models import Procedure
from madoguchi.conftest import FORM_SLUG
from madoguchi.forms import selectors
from madoguchi.forms.models import FormDefinition, FormVersion
from madoguchi.staff.models import Department


def test_the_routing_follows_a_procedure_moved_to_another_department(demo):
    version = selectors.live_version(FORM_SLUG)
    assert version is not None
    procedure = version.form.procedure
    other = Department.objects.exclude(pk=procedure.department_id).first()
    Procedure.objects.filter(pk=procedure.pk).update(department=other)
    moved = selectors.live_version(FORM_SLUG)
    assert moved is not None
    assert moved.form.procedure.department_id == other.pk


def test_closed_unlinked_and_unknown_forms_are_not_live(demo):
    assert selectors.live_version("no-such-form") is None
    assert selectors.live_version(FORM_SLUG) is not None
    FormDefinition.objects.filter(slug=FORM_SLUG).update(is_open=False)
    assert selectors.live_version(FORM_SLUG) is None
    FormDefinition.objects.filter(slug=FORM_SLUG).update(is_open=True, procedure=None)
    assert selectors.live_version(FORM_SLUG) is None


def test_a_newer_version_published_elsewhere_is_served(demo):
    version = selectors.live_version(FORM_SLUG)
    # bulk_create sends no signal: as if another server had published it.
    [newer] = FormVersion.objects.bulk_create(
        [
            FormVersion(
                form=version.form,
                number=version.number + 1,
                published_at=timezone.now(),
                definition=FormVersion.objects.get(pk=version.pk).definition,
            )
        ]
    )
    assert selectors.live_version(FORM_SLUG).pk == newer.pk
