"""Property tests of the queue: ordering, recall, absent and transfer as a state machine.

A plain Python model of the queue runs beside the services; after every step the database
agrees with the model, 'call next' takes exactly the ticket the model expects (transferred
first, then oldest), and an action the state does not allow is refused and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from madoguchi.tickets import services
from madoguchi.tickets.models import DailySequence, Ticket

ACTIONS = {
    "recall": (services.recall, {"called"}),
    "absent": (services.mark_absent, {"called"}),
    "start": (services.start, {"called"}),
    "done": (services.finish, {"serving"}),
}


@dataclass
class Model:
    pk: int
    purpose: int
    number: int
    issued: int  # step at which it was issued (order)
    state: str = "waiting"
    department: int = 0
    target: int | None = None
    counter: int | None = None
    recalls: int = 0


class QueueMachine(RuleBasedStateMachine):
    purposes: list = []
    counters: list = []
    clerks: list = []
    request_for = None

    def __init__(self) -> None:
        super().__init__()
        Ticket.objects.all().delete()
        DailySequence.objects.all().delete()
        self.model: dict[int, Model] = {}
        self.step = 0
        self.start = timezone.now().replace(hour=9, minute=0, second=0, microsecond=0)

    def _now(self) -> dt.datetime:
        self.step += 1
        return self.start + dt.timedelta(seconds=self.step)

    @rule(which=st.integers(0, 10))
    def issue(self, which: int) -> None:
        purpose = self.purposes[which % len(self.purposes)]
        ticket = services.issue(purpose, channel="kiosk", now=self._now())
        numbers = [m.number for m in self.model.values() if m.purpose == purpose.pk]
        assert ticket.number == max(numbers, default=0) + 1
        self.model[ticket.pk] = Model(ticket.pk, purpose.pk, ticket.number, self.step,
                                      department=purpose.department_id)

    def _expected_next(self, clerk, counter) -> Model | None:
        queued = [m for m in self.model.values() if m.state in ("waiting", "transferred") and (
            m.target == counter.pk or (m.target is None and m.department == clerk.department_id))]
        queued.sort(key=lambda m: (m.state != "transferred", m.issued, m.pk))
        return queued[0] if queued else None

    @rule(c=st.integers(0, 10))
    def call_next(self, c: int) -> None:
        clerk, counter = self.clerks[c % len(self.clerks)], self.counters[c % len(self.counters)]
        expected = self._expected_next(clerk, counter)
        ticket = services.call_next(self.request_for(clerk), clerk, counter, now=self._now())
        if expected is None:
            assert ticket is None
            return
        assert ticket is not None and ticket.pk == expected.pk
        expected.state, expected.counter, expected.target = "called", counter.pk, None

    @rule(action=st.sampled_from(sorted(ACTIONS)), pick=st.integers(0, 50),
          c=st.integers(0, 10))
    def act(self, action: str, pick: int, c: int) -> None:
        if not self.model:
            return
        target = sorted(self.model.values(), key=lambda m: m.pk)[pick % len(self.model)]
        clerk = self.clerks[c % len(self.clerks)]
        function, allowed = ACTIONS[action]
        request = self.request_for(clerk)
        if target.department != clerk.department_id:
            with pytest.raises(Ticket.DoesNotExist):
                function(request, clerk, target.pk, now=self._now())
            return
        if target.state not in allowed:
            with pytest.raises(services.TicketRefused):
                function(request, clerk, target.pk, now=self._now())
            return
        function(request, clerk, target.pk, now=self._now())
        if action == "recall":
            target.recalls += 1
        else:
            target.state = {"absent": "absent", "start": "serving", "done": "done"}[action]

    @rule(pick=st.integers(0, 50), c=st.integers(0, 10), to=st.integers(0, 10),
          to_counter=st.booleans())
    def transfer(self, pick: int, c: int, to: int, to_counter: bool) -> None:
        if not self.model:
            return
        target = sorted(self.model.values(), key=lambda m: m.pk)[pick % len(self.model)]
        clerk = self.clerks[c % len(self.clerks)]
        counter = self.counters[to % len(self.counters)] if to_counter else None
        department = None if to_counter else self.clerks[to % len(self.clerks)].department
        request = self.request_for(clerk)
        refused = (target.state not in ("called", "serving")
                   or (counter is not None and target.counter == counter.pk))
        if target.department != clerk.department_id:
            with pytest.raises(Ticket.DoesNotExist):
                services.transfer(request, clerk, target.pk, counter=counter,
                                  department=department)
            return
        if refused:
            with pytest.raises(services.TicketRefused):
                services.transfer(request, clerk, target.pk, counter=counter,
                                  department=department)
            return
        services.transfer(request, clerk, target.pk, counter=counter, department=department)
        target.state, target.counter = "transferred", None
        target.target = counter.pk if counter else None
        if counter is not None and counter.department_id:
            target.department = counter.department_id
        if department is not None:
            target.department = department.pk

    @invariant()
    def database_agrees(self) -> None:
        rows = {t.pk: t for t in Ticket.objects.all()}
        assert set(rows) == set(self.model)
        for pk, m in self.model.items():
            t = rows[pk]
            assert (t.state, t.department_id, t.target_counter_id, t.counter_id,
                    t.recall_count) == (m.state, m.department, m.target, m.counter, m.recalls)


def test_queue_state_machine(purpose, other_purpose, counter, clerk, other_clerk, rf_for):
    from madoguchi.tickets.models import Counter

    QueueMachine.purposes = [purpose, other_purpose]
    QueueMachine.counters = [counter, Counter.objects.get(number=5)]
    QueueMachine.clerks = [clerk, other_clerk]
    QueueMachine.request_for = staticmethod(rf_for)
    run_state_machine_as_test(QueueMachine, settings=settings(
        max_examples=40, stateful_step_count=30, deadline=None))
