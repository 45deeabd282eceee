"""The daily roll-ups: idempotent, equal to a direct count, Tokyo days, fiscal years."""

from __future__ import annotations

import datetime as dt
import uuid
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from madoguchi.applications.models import Application, StatusEvent
from madoguchi.bpr import figures, tasks
from madoguchi.bpr.rollup_services import day_bounds, roll_up_day, roll_up_days
from madoguchi.bpr.rollups import ApplicationFigures, ChatFigures, Span, VisitFigures
from madoguchi.faq.models import ChatQuestion

TOKYO = timezone.get_default_timezone()
# The end of fiscal year 2025 and the start of 2026, in Tokyo.
BOUNDARY = dt.datetime(2026, 4, 1, tzinfo=TOKYO)


def application(form_version, procedure, at: dt.datetime, channel: str = "online"
                ) -> Application:
    return Application.objects.create(
        submission_token=uuid.uuid4(), form_version=form_version, procedure=procedure,
        department_id=procedure.department_id, applicant_name="試験 太郎",
        applicant_name_key="試験太郎", contact_email="t@example.jp", channel=channel,
        submitted_at=at, updated_at=at)


def snapshot(model, span: str = Span.DAY) -> list[tuple]:
    fields = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
    return sorted(tuple(str(v) for v in row) for row in
                  model.objects.filter(span=span).values_list(*fields))


@pytest.mark.django_db
@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(-48 * 60, 48 * 60 - 1),
                          st.sampled_from(["online", "line", "counter", "paper"]),
                          st.integers(0, 30 * 24 * 60), st.booleans(), st.booleans()),
                max_size=12))
def test_rollup_equals_a_direct_count_and_rerunning_changes_nothing(form_version, procedure,
                                                                    cases):
    """Applications around 1 April (Tokyo): each day's rows count what happened that day,
    re-running a day replaces them with the same rows, and the months add up by fiscal year."""
    with transaction.atomic():
        for minutes, channel, lead, decide, returned in cases:
            at = BOUNDARY + dt.timedelta(minutes=minutes)
            app = application(form_version, procedure, at, channel)
            if returned:
                StatusEvent.objects.create(application=app, to_status="returned",
                                           at=at + dt.timedelta(minutes=1))
            if decide:
                StatusEvent.objects.create(application=app, to_status="approved",
                                           at=at + dt.timedelta(minutes=lead + 2))
        days = [dt.date(2026, 3, 30) + dt.timedelta(days=n) for n in range(4)]
        roll_up_days(days[0], days[-1])
        first = snapshot(ApplicationFigures)
        months = snapshot(ApplicationFigures, Span.MONTH)
        roll_up_day(days[1])
        roll_up_days(days[0], days[-1])
        assert snapshot(ApplicationFigures) == first
        assert snapshot(ApplicationFigures, Span.MONTH) == months
        # Day by day gives the same rows as the range in one pass.
        ApplicationFigures.objects.all().delete()
        for day in days:
            roll_up_day(day)
        assert snapshot(ApplicationFigures) == first
        assert snapshot(ApplicationFigures, Span.MONTH) == months
        for day in days:
            start, end = day_bounds(day)
            rows = ApplicationFigures.objects.filter(span=Span.DAY, start=day)
            assert sum(r.received for r in rows) == Application.objects.filter(
                submitted_at__gte=start, submitted_at__lt=end).count()
            decided = StatusEvent.objects.filter(at__gte=start, at__lt=end, to_status="approved")
            assert sum(r.decided for r in rows) == decided.count()
            assert sum(sum(r.lead_days.values()) for r in rows) == decided.count()
            assert sum(r.returned for r in rows) == StatusEvent.objects.filter(
                at__gte=start, at__lt=end, to_status="returned").count()
        # Fiscal years: March 2026 belongs to FY2025, April 2026 to FY2026.
        by_year: dict[int, int] = {}
        for row in ApplicationFigures.objects.filter(span=Span.MONTH):
            by_year[figures.fiscal_year(row.start)] = (by_year.get(figures.fiscal_year(row.start),
                                                                   0) + row.received)
        counted = [(minutes, channel) for minutes, channel, *_r in cases
                   if -2 * 24 * 60 <= minutes < 2 * 24 * 60]
        assert by_year.get(2025, 0) == sum(1 for m, _c in counted if m < 0)
        assert by_year.get(2026, 0) == sum(1 for m, _c in counted if m >= 0)
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_a_day_is_a_tokyo_day(form_version, procedure):
    # 23:59 on 31 March in Tokyo is 14:59 UTC: it counts for 31 March, FY2025.
    application(form_version, procedure, BOUNDARY - dt.timedelta(minutes=1))
    application(form_version, procedure, BOUNDARY, channel="paper")
    roll_up_days(dt.date(2026, 3, 31), dt.date(2026, 4, 1))
    march = ApplicationFigures.objects.get(span=Span.DAY, start=dt.date(2026, 3, 31))
    april = ApplicationFigures.objects.get(span=Span.DAY, start=dt.date(2026, 4, 1))
    assert (march.received, march.channel, april.received, april.channel) == (
        1, "online", 1, "paper")
    assert ApplicationFigures.objects.get(span=Span.MONTH, start=dt.date(2026, 3, 1)).received == 1


@pytest.mark.django_db
def test_lead_time_and_returns(form_version, procedure):
    at = BOUNDARY + dt.timedelta(hours=10)
    app = application(form_version, procedure, at)
    StatusEvent.objects.create(application=app, to_status="returned", at=at + dt.timedelta(days=1))
    StatusEvent.objects.create(application=app, to_status="approved",
                               at=at + dt.timedelta(days=3, hours=2))
    roll_up_days(dt.date(2026, 4, 1), dt.date(2026, 4, 4))
    month = ApplicationFigures.objects.get(span=Span.MONTH, start=dt.date(2026, 4, 1))
    assert (month.received, month.decided, month.decided_after_return, month.returned) == (
        1, 1, 1, 1)
    assert month.lead_days == {"3": 1}


@pytest.mark.django_db
def test_chat_and_removing_a_source_row_is_reflected_on_rerun(demo):
    at = BOUNDARY + dt.timedelta(hours=9)
    for match_count, helpful in ((0, None), (1, True), (1, False)):
        ChatQuestion.objects.create(text="q", folded="q", match_count=match_count,
                                    helpful=helpful, created_at=at)
    roll_up_day(dt.date(2026, 4, 1))
    row = ChatFigures.objects.get(span=Span.DAY, start=dt.date(2026, 4, 1))
    assert (row.questions, row.answered, row.unanswered, row.escalated) == (3, 1, 2, 0)
    ChatQuestion.objects.all().delete()
    roll_up_day(dt.date(2026, 4, 1))
    assert not ChatFigures.objects.exists()
    assert not VisitFigures.objects.exists()


@pytest.mark.django_db
def test_command_rolls_up_a_date_or_since(demo):
    out = StringIO()
    call_command("rollup_effect", "--date", "2026-04-01", stdout=out)
    assert "1 day(s)" in out.getvalue()
    since = (timezone.localdate() - dt.timedelta(days=3)).isoformat()
    call_command("rollup_effect", "--since", since, stdout=out)
    assert "3 day(s)" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("rollup_effect", "--date", "2026-02-30")
    with pytest.raises(CommandError):
        call_command("rollup_effect", "--since", timezone.localdate().isoformat())


def test_the_clock_runs_next_at_half_past_midnight_tokyo():
    before = dt.datetime(2026, 4, 1, 0, 10, tzinfo=TOKYO)
    assert tasks.next_run(before) == dt.datetime(2026, 4, 1, 0, 30, tzinfo=TOKYO)
    after = dt.datetime(2026, 4, 1, 0, 30, tzinfo=TOKYO)
    assert tasks.next_run(after) == dt.datetime(2026, 4, 2, 0, 30, tzinfo=TOKYO)


@pytest.mark.django_db
def test_the_task_rolls_up_a_day(demo):
    result = tasks.roll_up_day.call("2026-04-01")
    assert result == 0
    from madoguchi.core.clocks import clocks

    assert clocks["bpr_rollup"] is tasks.start_clock


@pytest.mark.django_db
def test_counter_visits_by_the_opening_department(demo):
    from madoguchi.core.models import User
    from madoguchi.counter.models import Visit
    from madoguchi.demo.accounts import staff_email

    clerk = User.objects.get(email=staff_email("shimin-counter"))
    at = BOUNDARY + dt.timedelta(hours=10)
    for minutes, forms in (("12.5", 1), ("30.0", 2)):
        Visit.objects.create(opened_by=clerk, department=clerk.staff_profile.department,
                             state=Visit.State.ENDED, opened_at=at, ended_at=at,
                             minutes=minutes, forms_produced=forms)
    Visit.objects.create(opened_by=clerk, department=clerk.staff_profile.department,
                         opened_at=at)  # still open: not counted
    roll_up_day(dt.date(2026, 4, 1))
    row = VisitFigures.objects.get(span=Span.MONTH, start=dt.date(2026, 4, 1))
    assert (row.department_id, row.visits, str(row.minutes), row.forms) == (
        clerk.staff_profile.department_id, 2, "42.5", 3)
