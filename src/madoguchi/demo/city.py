"""Loading the fictional demo city (緑ヶ丘市): idempotent, safe to run on every start."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from madoguchi.approvals.models import ApprovalRoute
from madoguchi.catalog import navigator
from madoguchi.catalog.models import (
    City,
    Counter,
    LifeEvent,
    NavigatorQuestion,
    NavigatorRule,
    Procedure,
    RubyReading,
)
from madoguchi.core.i18n import localized
from madoguchi.core.models import User
from madoguchi.forms.library import get_template
from madoguchi.forms.models import FormDefinition, FormRevision
from madoguchi.forms.services import publish, save_draft
from madoguchi.issuance import services as issuance
from madoguchi.residents.models import Resident
from madoguchi.search import services as search_services
from madoguchi.staff.models import Department, StaffMember

from . import bpr as bpr_demo
from . import faq as faq_demo
from . import payments as payments_demo
from . import postal as postal_demo
from . import registry as registry_demo
from . import reservations as reservations_demo
from . import tickets as tickets_demo
from . import translations as demo_translations
from .accounts import DEMO_PASSWORD, DEMO_RESIDENT_EMAIL, staff_email

DEMO_DIR = Path(__file__).resolve().parent / "data"
def _upsert_user(email: str, kind: str, display_name: str) -> User:
    user, created = User.objects.get_or_create(
        email=email, defaults={"kind": kind, "display_name": display_name}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def session_dates(rule: dict[str, Any], today: dt.date) -> list[dt.date]:
    """The next ``count`` days on ``weekday`` in the ``weeks_of_month`` (2 = the second one in
    its month) that are at least ``days_ahead`` days after ``today``: dates one can still apply
    for, so the demo never offers a day already past."""
    first = today + dt.timedelta(days=int(rule.get("days_ahead", 0)))
    first += dt.timedelta(days=(int(rule["weekday"]) - first.weekday()) % 7)
    weeks = set(rule["weeks_of_month"])
    found: list[dt.date] = []
    day = first
    while len(found) < int(rule["count"]):
        if (day.day - 1) // 7 + 1 in weeks:
            found.append(day)
        day += dt.timedelta(days=7)
    return found


def _session_options(rule: dict[str, Any], today: dt.date) -> list[dict[str, Any]]:
    options = []
    for number, day in enumerate(session_dates(rule, today), start=1):
        dates = {"ja": f"{day.month}月{day.day}日（{'月火水木金土日'[day.weekday()]}）",
                 "en": f"{WEEKDAY_NAMES[day.weekday()]} {day.day} {MONTH_NAMES[day.month - 1]}"}
        options.append({"value": day.isoformat(), "label": {
            language: text.format(number=number, date=dates[language])
            for language, text in rule["label"].items()}})
    return options


def _sessions_field(definition: dict[str, Any], key: str) -> dict[str, Any] | None:
    return next((f for page in definition["pages"] for f in page["fields"] if f["key"] == key),
                None)


def _sessions_current(definition: dict[str, Any], rule: dict[str, Any], today: dt.date) -> bool:
    """Whether every session the form offers is a date one can still apply for."""
    field = _sessions_field(definition, rule["field"])
    earliest = today + dt.timedelta(days=int(rule.get("days_ahead", 0)))
    try:
        days = [dt.date.fromisoformat(str(o["value"])) for o in (field or {}).get("options", [])]
    except ValueError:
        return False
    return bool(days) and min(days) >= earliest


def demo_form_definition(
    template_definition: dict[str, Any], changes: dict[str, Any] | None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """A library template as the demo city publishes it: its own title, who may file it (the
    counter only, where the city takes the procedure in person), and session dates computed
    from ``today`` (default: the local date) where the template offers sessions, and the
    demo's translations of its texts (``data/translations/``)."""
    definition = copy.deepcopy(template_definition)
    changes = changes or {}
    if "title" in changes:
        definition["title"] = dict(changes["title"])
    if "access" in changes:  # e.g. "counter": the city takes the procedure at the counter only
        definition["access"] = changes["access"]
    if changes.get("signature"):  # the resident signs on the counter's screen
        definition["signature"] = True
    rule = changes.get("sessions")
    if rule is not None:
        field = _sessions_field(definition, rule["field"])
        if field is None:
            raise ValueError(f"the demo names an unknown field {rule['field']!r}")
        field["options"] = _session_options(rule, today or timezone.localdate())
    demo_translations.translate_definition(definition)
    return definition


def _publish_demo_form(slug: str, procedure: Procedure,
                       changes: dict[str, Any] | None = None) -> None:
    """The form of a demo procedure: its library template, as a department would publish it.

    Changes the demo makes (a title of its own, session dates) are applied when the form is
    created; on later loads only session dates that are no longer open move with today, and a
    title still the template's becomes the demo's. Anything staff changed otherwise stays.
    """
    template = get_template(slug)
    if template is None:
        raise ValueError(f"the demo names an unknown form template {slug!r}")
    today = timezone.localdate()
    definition = demo_form_definition(template.definition, changes, today)
    form, created = FormDefinition.objects.get_or_create(
        slug=slug,
        defaults={"procedure": procedure, "department_id": procedure.department_id,
                  "title": definition["title"], "draft": definition},
    )
    if created:
        with translation.override("ja"):
            summary = _("Created from the template “%(title)s”.") % {
                "title": localized(template.title)
            }
        FormRevision.objects.create(form=form, number=1, definition=definition,
                                    summary=summary)
    live = form.live_version
    if live is None:
        publish(form, definition)
        return
    changes = changes or {}
    refreshed = copy.deepcopy(live.definition)
    if "title" in changes and refreshed.get("title") == template.definition["title"]:
        refreshed["title"] = dict(changes["title"])
    rule = changes.get("sessions")
    if rule is not None and _sessions_field(refreshed, rule["field"]) is not None \
            and not _sessions_current(refreshed, rule, today):
        _sessions_field(refreshed, rule["field"])["options"] = _session_options(rule, today)
    demo_translations.translate_definition(refreshed)
    if refreshed != live.definition:
        if form.draft == live.definition:
            with translation.override("ja"):
                summary = _("The demo moved the form to today's dates.")
            save_draft(form, refreshed, actor=None, summary=summary)
        publish(form, refreshed)


@transaction.atomic
def load_demo_city(data: dict[str, Any] | None = None) -> dict[str, int]:
    """Create or update the demo city, its staff, procedures and forms. Returns counts."""
    if data is None:
        data = json.loads((DEMO_DIR / "city.json").read_text(encoding="utf-8"))
    c = data["city"]
    City.objects.update_or_create(
        code=c["code"],
        defaults={"name": c["name"], "address": c["address"], "postal_code": c["postal_code"],
                  "phone": c["phone"], "hours": c["hours"], "notice": c.get("website_note", {}),
                  "ruby_on_counter_screen": c.get("ruby_on_counter_screen", False),
                  "transfer_account": c.get("transfer_account", {})},
    )
    departments = {}
    for d in data["departments"]:
        departments[d["code"]], _ = Department.objects.update_or_create(
            code=d["code"], defaults={"name": d["name"], "phone": d.get("phone", ""),
                                      "email": d.get("email", "")},
        )
    counters = {}
    for k in data["counters"]:
        counters[k["code"]], _ = Counter.objects.update_or_create(
            code=k["code"],
            defaults={"department": departments[k["department"]], "name": k["name"],
                      "number": k.get("number", {}), "building": k.get("building", {}),
                      "floor": k.get("floor", {}), "hours": k.get("hours", {})},
        )
    for order, p in enumerate(data["procedures"]):
        procedure, _ = Procedure.objects.update_or_create(
            slug=p["slug"],
            defaults={
                "department": departments[p["department"]],
                "counter": counters.get(p.get("counter") or ""),
                "name": p["name"], "kana": p.get("kana", ""), "summary": p.get("summary", {}),
                "description": p.get("description", {}), "eligibility": p.get("eligibility", {}),
                "deadline": p.get("deadline", {}), "documents": p.get("documents", []),
                "fee": p.get("fee", {}), "online": p.get("online", False),
                "online_note": p.get("online_note", {}), "keywords": p.get("keywords", []),
                "life_events": p.get("life_events", []), "sort_order": order,
                "retention_years": p.get("retention_years", 5),
            },
        )
        if p.get("form"):
            _publish_demo_form(p["form"], procedure, p.get("form_changes"))
        if p.get("approval_route"):
            ApprovalRoute.objects.update_or_create(procedure=procedure,
                                                   defaults={"steps": p["approval_route"]})
    for s in data["staff"]:
        user = _upsert_user(staff_email(s["username"]), User.Kind.STAFF,
                            f"{s['family_name']} {s['given_name']}")
        StaffMember.objects.update_or_create(
            user=user,
            defaults={"department": departments[s["department"]], "role": s["role"],
                      "family_name": s["family_name"], "given_name": s["given_name"]},
        )
    resident = _upsert_user(DEMO_RESIDENT_EMAIL, User.Kind.RESIDENT, "")
    # The demo resident's address counts as confirmed, so the demo can send applications.
    Resident.objects.get_or_create(user=resident)
    Resident.objects.filter(user=resident, email_confirmed_at__isnull=True).update(
        email_confirmed_at=timezone.now())
    issuance.ensure_default_templates()
    counts = {
        "departments": len(departments), "counters": len(counters),
        "procedures": len(data["procedures"]), "staff": len(data["staff"]),
        "life_events": load_life_events(data.get("life_events", [])),
        "ruby_readings": load_ruby_readings(data.get("ruby_readings", [])),
    }
    search_services.ensure_default_synonyms()
    counts.update(reservations_demo.load_demo())
    counts.update(faq_demo.load_demo())
    counts.update(tickets_demo.load_demo())
    counts.update(bpr_demo.load_demo())
    counts.update(payments_demo.load_demo())
    counts.update(postal_demo.load_demo(sort_order=len(data["procedures"])))
    counts.update(demo_translations.load_demo())  # last: every text is loaded by now
    if settings.DEMO:  # the fictional resident registry (5,000 people): not for every test
        counts.update(registry_demo.load_demo())
    return counts


def load_ruby_readings(readings: list[dict[str, str]]) -> int:
    """The city's own ふりがな readings (place and procedure names)."""
    for entry in readings:
        RubyReading.objects.update_or_create(word=entry["word"],
                                             defaults={"reading": entry["reading"]})
    return len(readings)


def load_life_events(events: list[dict[str, Any]]) -> int:
    """The navigator's life events and questions (updated), and their rules.

    Rules are created only for an event that has none, so rules staff changed in the catalog
    survive a restart of the demo. A rule's ``when`` rows are [question, comparison, number?],
    turned into JSON Logic exactly as the staff rule editor does.
    """
    procedures = {p.slug: p for p in Procedure.objects.all()}
    for order, e in enumerate(events):
        event, _created = LifeEvent.objects.update_or_create(
            slug=e["slug"],
            defaults={"name": e["name"], "summary": e.get("summary", {}),
                      "date_label": e["date_label"], "date_hint": e.get("date_hint", {}),
                      "sort_order": order},
        )
        for q_order, q in enumerate(e.get("questions", [])):
            NavigatorQuestion.objects.update_or_create(
                event=event, key=q["key"],
                defaults={"kind": q["kind"], "text": q["text"], "hint": q.get("hint", {}),
                          "minimum": q.get("min", 0), "maximum": q.get("max", 20),
                          "sort_order": q_order},
            )
        if event.rules.exists():
            continue
        for r_order, r in enumerate(e.get("rules", [])):
            rows = [navigator.ConditionRow(w[0], w[1], w[2] if len(w) > 2 else None)
                    for w in r.get("when", [])]
            d = r.get("deadline", {})
            NavigatorRule.objects.create(
                event=event, procedure=procedures[r["procedure"]], why=r["why"],
                condition=navigator.rows_to_logic(rows, r.get("match", "all")),
                deadline_kind=d.get("kind", navigator.NONE), deadline_amount=d.get("amount", 0),
                deadline_unit=d.get("unit", navigator.DAYS),
                count_first_day=d.get("count_first_day", False),
                extend_if_closed=d.get("extend_if_closed", True),
                opens_days_before=d.get("opens_days_before", 0),
                deadline_basis=r.get("basis", {}), sort_order=r_order,
            )
    return len(events)
