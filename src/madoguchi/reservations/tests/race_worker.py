"""A separate process that tries to book one seat (imported by spawn before Django is set up)."""

from __future__ import annotations

import os
import uuid
from typing import Any


def book_in_process(database_name: str, slot_id: int, idx: int, start: Any, queue: Any) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "madoguchi.settings")
    django.setup()
    from django.db import connections

    connections["default"].settings_dict["NAME"] = database_name
    connections["default"].close()
    from madoguchi.reservations import services
    from madoguchi.reservations.models import Slot
    from madoguchi.reservations.tests import factories

    try:
        slot = Slot.objects.get(pk=slot_id)
        start.wait(30)
        try:
            services.book(slot, person=factories.person(idx), request_token=uuid.uuid4().hex)
            queue.put("booked")
        except services.BookingRefused as exc:
            queue.put(exc.code)
    except Exception as exc:  # reported to the parent
        queue.put(f"error: {exc!r}")
    finally:
        connections.close_all()
