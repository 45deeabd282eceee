"""The reservation field: the resident picks a time slot of one of the services the form offers.

Spec options: ``services`` (list of service codes, required) and ``person`` (which other fields
of the form hold the person's ``name``, ``birth_date``, ``sex``, ``phone`` and ``email``). The
value is ``{"service": code, "slot": id}``. The page works without JavaScript: the resident
chooses the service and the month, presses "Show the times" (an action button), then picks a
time. The seat is booked by :meth:`ReservationField.on_submit` in the same transaction as the
application, so a slot that filled up meanwhile refuses the submission and the answers stay.

The field type belongs to the reservations app (it books seats); it registers itself with the
forms' field-type registry in :meth:`ReservationsConfig.ready`, so forms never imports reservations.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext as _

from madoguchi.core.dates import display_date
from madoguchi.core.i18n import localized
from madoguchi.forms.fields import FieldError, FieldType, registry, spec_name

from . import selectors, services
from .models import Service, Slot
from .services import Person

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
MAX_TOKEN = 1000
# The salt keeps its first name so tokens on pages already shown stay valid.
SALT = "madoguchi.forms.reservation-slot"
PERSON_PARTS = ("name", "birth_date", "sex", "phone", "email")


def _months_ahead(count: int = 4) -> list[dt.date]:
    first = timezone.localdate().replace(day=1)
    out = [first]
    for _i in range(count - 1):
        out.append((out[-1] + dt.timedelta(days=32)).replace(day=1))
    return out


def slot_value(slot: Any) -> dict[str, Any]:
    """What the field stores for ``slot``: its id and what the resident saw."""
    return {"service": slot.service.code, "slot": slot.pk,
            "starts_at": timezone.localtime(slot.starts_at).isoformat(),
            "service_name": dict(slot.service.name), "venue_name": dict(slot.room.venue.name)}


def sign_choice(value: Mapping[str, Any]) -> str:
    """The radio button's value: the slot's stored value, signed so it cannot be forged."""
    return signing.dumps(dict(value), salt=SALT, compress=True)


def read_choice(token: str) -> dict[str, Any] | None:
    try:
        value = signing.loads(token, salt=SALT)
        dt.datetime.fromisoformat(value["starts_at"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    if not isinstance(value, dict) or not isinstance(value.get("slot"), int) or not isinstance(
        value.get("service"), str
    ):
        return None
    return value


@registry.register("reservation")
class ReservationField(FieldType):
    type_name = "reservation"
    template = "reservations/form_field.html"

    @classmethod
    def spec_problems(cls, spec: Mapping[str, Any]) -> list[str]:
        problems = []
        codes = spec.get("services")
        if not isinstance(codes, list) or not codes or not all(
            isinstance(c, str) and re.fullmatch(r"[-a-zA-Z0-9_]+", c) for c in codes
        ):
            problems.append(_("%(field)s: list the codes of the services residents may book.")
                            % {"field": spec_name(spec)})
        person = spec.get("person", {})
        if not isinstance(person, Mapping) or any(k not in PERSON_PARTS for k in person):
            problems.append(_("%(field)s: “person” names the fields that hold name, birth_date, "
                              "sex, phone and email.") % {"field": spec_name(spec)})
        return problems

    @property
    def input_id(self) -> str:
        return f"f-{self.key}-service"

    def services(self) -> list[Any]:
        codes = list(self.spec.get("services") or [])
        found = {s.code: s for s in Service.objects.filter(code__in=codes, is_active=True)}
        return [found[c] for c in codes if c in found]

    def raw_from_post(self, data: Mapping[str, Any], files: Mapping[str, Any] | None = None) -> Any:
        def get(name: str) -> str:
            value = data.get(f"{self.key}-{name}", "")
            return value[:MAX_TOKEN] if isinstance(value, str) else ""

        return {"service": get("service"), "month": get("month"), "slot": get("slot")}

    def action(self, raw: Any, command: str) -> tuple[Any, Any]:
        if command == "show" and isinstance(raw, Mapping):
            return {"service": raw.get("service", ""), "month": raw.get("month", ""),
                    "slot": ""}, {"shown": True}
        return raw, None

    def is_empty(self, raw: Any) -> bool:
        return not isinstance(raw, Mapping) or not str(raw.get("slot") or "").strip()

    def required_message(self) -> str:
        return _("Choose a time for %(label)s. Choose the screening and the month, press "
                 "“Show the times”, then choose a time.") % {"label": self.label}

    def clean(self, raw: Any) -> dict[str, Any]:
        """The chosen slot, from the signed choice the page offered (no database needed)."""
        value = read_choice(str(raw.get("slot", "")))
        if value is None or value["service"] not in (self.spec.get("services") or []):
            raise FieldError(self.required_message())
        return value

    def raw_from_value(self, value: Any) -> Any:
        if not isinstance(value, Mapping) or "slot" not in value:
            return {}
        return {"service": str(value.get("service", "")), "month": str(value["starts_at"])[:7],
                "slot": sign_choice(value)}

    def display(self, value: Any) -> str:
        if not isinstance(value, Mapping) or "starts_at" not in value:
            return ""
        local = timezone.localtime(dt.datetime.fromisoformat(value["starts_at"]))
        return (f"{localized(value.get('service_name'))} {display_date(local.date())} "
                f"{local:%H:%M} {localized(value.get('venue_name'))}")

    # --- the form step's choices (used by the template tag) --------------------------------
    def choices(self, raw: Any) -> dict[str, Any]:
        """Services, months and, once a service and month are chosen, the free times by day."""

        raw = raw if isinstance(raw, Mapping) else {}
        services = self.services()
        months = _months_ahead()
        chosen = next((s for s in services if s.code == raw.get("service")), None)
        if chosen is None and len(services) == 1:
            chosen = services[0]
        match = MONTH.match(str(raw.get("month") or ""))
        month = dt.date(int(match[1]), int(match[2]), 1) if match else None
        if month not in months:
            month = None
        days: list[dict[str, Any]] = []
        if chosen is not None and month is not None:
            lo, hi = selectors.month_bounds(month)
            now = timezone.now()
            by_day: dict[dt.date, list[Slot]] = {}
            for slot in (Slot.objects.filter(service=chosen, starts_at__gte=max(lo, now),
                                             starts_at__lt=hi, status=Slot.Status.OPEN)
                         .select_related("room__venue").order_by("starts_at")):
                if slot.is_full or now > chosen.change_deadline(slot.starts_at):
                    continue
                by_day.setdefault(timezone.localtime(slot.starts_at).date(), []).append(slot)
            days = [{"date": d, "slots": [{"slot": s, "value": sign_choice(slot_value(s))}
                                          for s in slots]}
                    for d, slots in sorted(by_day.items())]
        picked = read_choice(str(raw.get("slot") or ""))
        return {"services": services, "chosen": chosen, "months": months, "month": month,
                "days": days, "selected": picked["slot"] if picked else None}

    # --- submitting -----------------------------------------------------------------------
    def _person(self, answers: Mapping[str, Any], user: Any) -> Any:

        keys = self.spec.get("person") or {}
        name = answers.get(keys.get("name", ""), {}) or {}
        birth = answers.get(keys.get("birth_date", ""))
        email = answers.get(keys.get("email", "")) or (
            user.email if user is not None and getattr(user, "is_resident", False) else "")
        return Person(
            family_name=name.get("family", ""), given_name=name.get("given", ""),
            family_kana=name.get("family_kana", ""), given_kana=name.get("given_kana", ""),
            birth_date=dt.date.fromisoformat(birth) if birth else None,
            sex=str(answers.get(keys.get("sex", "")) or ""),
            phone=str(answers.get(keys.get("phone", "")) or ""), email=email or "",
        )

    def on_submit(self, application: Any, value: Any, *, answers: Mapping[str, Any],
                  user: Any) -> None:
        """Book the chosen seat for the application (inside its transaction)."""
        if not value:
            return

        slot = Slot.objects.filter(pk=value.get("slot"), service__code=value.get("service")).first()
        if slot is None or timezone.localtime(slot.starts_at).isoformat() != value.get("starts_at"):
            raise FieldError(_("The chosen time has changed. Use the change link to choose the "
                               "time again."))
        try:
            services.book(slot, person=self._person(answers, user), user=user,
                          request_token=f"application:{application.public_id}:{self.key}",
                          channel="form", application=application)
        except services.BookingRefused as exc:
            raise FieldError(exc.message) from exc
