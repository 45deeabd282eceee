"""The demo's sample applications: real cases in every state, loaded once."""

from __future__ import annotations

from django.core.management import call_command

from madoguchi.applications.models import Application, Status
from madoguchi.demo.cases import load_demo_cases


def test_sample_cases_cover_the_states_and_load_once(demo):
    assert load_demo_cases(count=10) == 10
    statuses = set(Application.objects.values_list("status", flat=True))
    assert {Status.RECEIVED, Status.UNDER_REVIEW, Status.RETURNED, Status.APPROVED,
            Status.REJECTED} <= statuses
    assert Application.objects.filter(applicant_name__startswith="髙橋").exists()
    call_command("load_demo_cases")  # the samples again (none: they exist), and the history
    history = Application.objects.filter(contact_email__endswith="@history.example.jp")
    assert history.exists()
    assert Application.objects.exclude(pk__in=history).count() == 10
