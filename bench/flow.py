#!/usr/bin/env python3
"""Flow benchmark: new visitors fill and send a one-page, ten-field form for anyone.

Run with no arguments (``.venv/bin/python bench/flow.py``); ``DATABASE_URL`` picks the database.
It starts the demo server the way ``make demo`` does (``manage.py serve``: web workers and the
task worker) with a fresh database, publishes a form anyone may use (ten fields on one page:
name, furigana, e-mail, phone, birth date, number, choice, text, text area, consent), then
measures with the same N concurrent clients on the same server:

* floor: ``POST /bench/floor/`` (one row inserted, JSON answer), anonymous;
* flow:  a new visitor with empty cookies: GET the page, POST it, GET the check page, POST it
         (302 to the receipt page). The receipt e-mail is sent by the task worker.

Prints ``flow/s``, ``p50 ms`` and ``p99 ms`` of whole flows, ``CPU ms per flow`` (web processes
and task worker, from their process times in /proc, over the flow phase), ``client CPU share``
(this process's CPU over all CPU used in the phase: above 0.4 the run is client-bound and says
so); the floor is driven by wrk when it is installed. Last ``ratio:`` = flow/s ÷ floor/s.
See bench/README.md.
"""

from __future__ import annotations

import re
from http.cookiejar import CookieJar

# submit first: it re-runs this script under the project's virtualenv when httpx is missing.
import submit
from submit import (
    RequestFailed,
    Server,
    env_int,
    expect,
    floor_phase,
    floor_request,
    hidden_value,
    location_path,
    log,
    make_clients,
    print_client_share,
    run_phase,
    run_with_server,
    spread,
)

# isort: split
import httpx

CLIENTS = env_int("BENCH_CLIENTS", 8)
FLOWS = env_int("BENCH_FLOWS", CLIENTS * 40)
SLUG = "bench-flow"
PAGE = f"/apply/{SLUG}/entry/"
CHECK = f"/apply/{SLUG}/check/"
RECEIVED = re.compile(r"^/apply/received/[0-9a-f-]{36}/$")

PUBLISH_FORM = """
import json
from madoguchi.catalog.models import Procedure
from madoguchi.forms import services
from madoguchi.staff.models import Department, StaffMember

definition = {
    "title": {"ja": "健康講座の参加申込", "en": "Health class sign-up"},
    "access": "anyone", "applicant_field": "full_name", "contact_field": "email",
    "pages": [{"key": "entry", "title": {"ja": "申込内容", "en": "Sign-up"}, "fields": [
        {"key": "full_name", "type": "name", "required": True,
         "label": {"ja": "氏名", "en": "Name"}},
        {"key": "kana", "type": "kana", "required": True,
         "label": {"ja": "フリガナ", "en": "Kana"}},
        {"key": "email", "type": "email", "required": True,
         "label": {"ja": "メール", "en": "E-mail"}},
        {"key": "phone", "type": "phone", "required": True,
         "label": {"ja": "電話", "en": "Phone"}},
        {"key": "born", "type": "date", "required": True, "past_only": True,
         "label": {"ja": "生年月日", "en": "Birth date"}},
        {"key": "people", "type": "number", "required": True, "min": 1, "max": 5,
         "label": {"ja": "人数", "en": "People"}},
        {"key": "session", "type": "choice", "required": True,
         "label": {"ja": "希望日", "en": "Session"},
         "options": [{"value": "am", "label": {"ja": "午前", "en": "Morning"}},
                     {"value": "pm", "label": {"ja": "午後", "en": "Afternoon"}}]},
        {"key": "group", "type": "text", "label": {"ja": "団体名", "en": "Group"}},
        {"key": "note", "type": "text", "multiline": True,
         "label": {"ja": "ご要望", "en": "Wishes"}},
        {"key": "agree", "type": "consent", "required": True,
         "label": {"ja": "同意", "en": "Consent"},
         "statement": {"ja": "個人情報の取扱いに同意します", "en": "I agree"}},
    ]}],
}
procedure = Procedure.objects.get(slug="hoikusho")  # a procedure with no form in the demo
staff = StaffMember.objects.filter(department=procedure.department).first()
form = services.create_form(department=procedure.department, definition=definition,
                            actor=staff.user, slug="bench-flow", procedure=procedure)
services.publish_draft(form)
print("BENCH-RESULT " + json.dumps({"form": form.pk}))
"""

COUNT_APPLICATIONS = """
import json
from madoguchi.applications.models import Application
from madoguchi.core.models import MailboxMessage
n = Application.objects.filter(form_version__form__slug="bench-flow").count()
mails = MailboxMessage.objects.filter(subject__contains="受け付け").count()
print("BENCH-RESULT " + json.dumps({"applications": n, "mails": mails}))
"""


def answers(n: int) -> dict[str, str]:
    """What visitor ``n`` types: full-width digits and kana, as residents do."""
    return {
        "full_name-family": "川田", "full_name-given": f"花子{n}",
        "kana": "カワタ　ハナコ", "email": f"visitor{n}@example.jp", "phone": "090-1234-5678",
        "born": "昭和60年4月1日", "people": "２", "session": "pm", "group": "",
        "note": "車椅子で参加します", "agree": "yes",
    }


def flow(client: httpx.Client, n: int) -> None:
    """One new visitor's whole flow: four requests."""
    client.cookies = CookieJar()
    page = expect(client.get(PAGE), 200, f"GET {PAGE}")
    csrf = hidden_value(submit.CSRF_INPUT, page.text)
    posted = client.post(PAGE, data={"csrfmiddlewaretoken": csrf or "", **answers(n)})
    if posted.status_code != 302 or location_path(posted) != CHECK:
        raise RequestFailed(f"POST {PAGE}: HTTP {posted.status_code} "
                            f"{posted.headers.get('location', '-')!r}")
    check = expect(client.get(CHECK), 200, f"GET {CHECK}")
    token = hidden_value(submit.TOKEN_INPUT, check.text)
    csrf = hidden_value(submit.CSRF_INPUT, check.text)
    sent = client.post(CHECK, data={"csrfmiddlewaretoken": csrf or "", "token": token or ""})
    if sent.status_code != 302 or not RECEIVED.match(location_path(sent)):
        raise RequestFailed(f"POST {CHECK}: HTTP {sent.status_code} "
                            f"{sent.headers.get('location', '-')!r}")


def measure(server: Server, clients: list[httpx.Client]) -> dict[str, bool]:
    server.shell(PUBLISH_FORM)
    clients.extend(make_clients(server.base_url, CLIENTS))
    assert server.proc is not None
    run_phase("warm-up", clients, spread(list(range(CLIENTS * 2)), CLIENTS), floor_request)
    floor = floor_phase(server, clients, FLOWS * 4)
    flows = run_phase("flow", clients, spread(list(range(FLOWS)), CLIENTS), flow,
                      server.proc.pid)
    counts = server.shell(COUNT_APPLICATIONS)
    ratio = flows.per_second / floor.per_second if floor.per_second else 0.0
    print(f"database: {server.db.kind}")
    print(f"clients: {CLIENTS}")
    print(f"flows: {flows.ok}")
    print(f"flow/s: {flows.per_second:.1f}")
    print(f"p50 ms: {flows.percentile_ms(50):.1f}")
    print(f"p99 ms: {flows.percentile_ms(99):.1f}")
    print(f"CPU ms per flow: {flows.server_cpu_seconds / max(flows.ok, 1) * 1000:.1f}")
    print(f"CPU ms per floor request: {floor.server_cpu_seconds / max(floor.ok, 1) * 1000:.2f}")
    print(f"floor/s: {floor.per_second:.1f}")
    print(f"floor driver: {floor.driver}")
    print_client_share(flows, floor)
    print(f"applications stored: {counts['applications']}")
    print(f"errors: {floor.errors + flows.errors}")
    print(f"ratio: {ratio:.3f}", flush=True)
    return {
        "errors": floor.errors + flows.errors == 0,
        f"stored ({counts['applications']}) != flows ({flows.ok})":
            counts["applications"] == flows.ok,
    }


def main() -> int:
    return run_with_server(measure)


if __name__ == "__main__":
    log(f"{CLIENTS} clients, {FLOWS} flows")
    submit.run_script(main)
