"""The demo's tickets load twice without change or error."""

from __future__ import annotations

from madoguchi.demo import tickets as tickets_demo
from madoguchi.tickets.models import Counter, Purpose, Ticket


def test_demo_tickets_load_twice(demo):
    before = (Purpose.objects.count(), Counter.objects.count(), Ticket.objects.count())
    again = tickets_demo.load_demo()
    assert again["waiting tickets"] == 0  # today's tickets exist already
    assert (Purpose.objects.count(), Counter.objects.count(), Ticket.objects.count()) == before
    assert before[:2] == (6, 6) and before[2] >= 1
    assert sorted(Purpose.objects.values_list("prefix", flat=True)) == list("ABCDEF")
