#!/usr/bin/env python3
"""Form benchmark: render and validate a 60-field, 5-page form, and save a 100-field draft.

Run with no arguments (``make bench`` or ``.venv/bin/python bench/forms.py``); ``DATABASE_URL``
picks the database (a throw-away test database is created and dropped on that server; without it
a temporary SQLite file). Requests go through Django's whole stack (middleware, session, auth,
templates) in this process, so the figures are the server's own time per request:

* form:   for each of the 5 pages, GET (render 12 fields of every kind, with a resident's draft)
          and POST (validate, normalise, save the draft, redirect) as a signed-in resident;
* floor:  the same requests on a page of the same size (12 plain inputs in the same layout) whose
          POST stores the 12 strings in the session and redirects: no field logic;
* builder: a staff member saves one field of a 100-field form in the builder (the POST reads
          the draft, applies the edit, stores the draft and a revision, redirects);
* hostile: the import refuses four files just under the size limit that are built to slow a
          parser down (``hostile import max ms``, the slowest).

Prints ``name: value`` lines; the last is ``ratio:`` = floor p95 ÷ form p95 (1.0 = no cost).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _django import percentile, throwaway_database, use_project_django

use_project_django()
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "40"))
PAGES = 5
FIELDS_PER_PAGE = 12
BUILDER_FIELDS = 100
BUILDER_SAVES = int(os.environ.get("BENCH_BUILDER_SAVES", "30"))

# One page's fields, one of each common kind, and what a resident types into them.
PAGE_FIELDS = [
    ({"type": "name", "kana": True},
     {"-family": "髙橋", "-given": "𠮷男", "-family_kana": "たかはし", "-given_kana": "ﾖｼｵ"}),
    ({"type": "text"}, {"": "緑ヶ丘市立北山小学校"}),
    ({"type": "text", "multiline": True},
     {"": "平日の午後は仕事のため、午前中に連絡をお願いします。"}),
    ({"type": "number", "min": 0, "max": 1000000, "unit": {"ja": "円", "en": "yen"}},
     {"": "１５，０００"}),
    ({"type": "date", "past_only": True}, {"": "平成21年4月2日"}),
    ({"type": "email"}, {"": "ｔａｒｏ＠example.jp"}),
    ({"type": "phone"}, {"": "０９０－１２３４－５６７８"}),
    ({"type": "postal_code"}, {"": "〒９９９－０１０１"}),
    ({"type": "kana"}, {"": "みどりがおか"}),
    ({"type": "choice", "options": [{"value": v, "label": {"ja": v, "en": v}}
                                    for v in ("bus", "train", "bicycle", "walk")]}, {"": "bus"}),
    ({"type": "choice", "widget": "select",
      "options": [{"value": str(n), "label": {"ja": f"{n}年", "en": str(n)}} for n in range(1, 7)]},
     {"": "3"}),
    ({"type": "consent"}, {"": "yes"}),
]


def form_definition(pages: int, per_page: int) -> tuple[dict, list[dict[str, str]]]:
    """A form of ``pages`` × ``per_page`` fields, and a valid POST for each page."""
    definition = {"title": {"ja": "ベンチマーク", "en": "Benchmark"}, "pages": []}
    posts = []
    for p in range(pages):
        fields, post = [], {}
        for i in range(per_page):
            spec, typed = PAGE_FIELDS[i % len(PAGE_FIELDS)]
            key = f"p{p}_f{i}"
            fields.append({"key": key, "label": {"ja": f"項目{p}-{i}", "en": f"Item {p}-{i}"},
                           "required": True, **spec})
            post.update({f"{key}{suffix}": value for suffix, value in typed.items()})
        definition["pages"].append({"key": f"page_{p}", "title": {"ja": f"{p + 1}ページ目",
                                                                  "en": f"Page {p + 1}"},
                                    "fields": fields})
        posts.append(post)
    return definition, posts


def main() -> None:
    with throwaway_database("forms"):
        from django.conf import settings

        settings.ROOT_URLCONF = "bench_forms_urls"
        sys.modules["bench_forms_urls"] = _floor_urls()
        figures = run()
    for name, value in figures:
        print(f"{name}: {value}")


def _floor_urls():  # a module object
    """The project's URLs plus the floor page (bench only, never in the app)."""
    import types

    from django.http import HttpResponse
    from django.shortcuts import redirect, render
    from django.urls import include, path

    def floor(request, page: int) -> HttpResponse:
        if request.method == "POST":
            request.session[f"floor-{page}"] = {k: v[:200] for k, v in request.POST.items()
                                                if k != "csrfmiddlewaretoken"}
            return redirect(f"/bench/floor-form/{(page + 1) % PAGES}/")
        stored = request.session.get(f"floor-{page}", {})
        inputs = [{"name": f"p{page}_f{i}", "label": f"項目{page}-{i}",
                   "value": stored.get(f"p{page}_f{i}", "")} for i in range(FIELDS_PER_PAGE)]
        return render(request, "bench_floor_page.html", {"inputs": inputs, "page": page})

    module = types.ModuleType("bench_forms_urls")
    module.urlpatterns = [path("bench/floor-form/<int:page>/", floor),
                          path("", include("madoguchi.urls"))]
    return module


FLOOR_TEMPLATE = """{% extends "base.html" %}{% block content %}
<a class="back-link" href="/">戻る</a><p class="progress">ベンチマーク ／ {{ page }}</p>
<h1>{{ page }}ページ目</h1>
<form method="post" novalidate>{% csrf_token %}
{% for i in inputs %}<div class="field">
<label class="field__label" for="{{ i.name }}">{{ i.label }}</label>
<input class="input" id="{{ i.name }}" name="{{ i.name }}" value="{{ i.value }}"></div>{% endfor %}
<div class="button-row"><button class="button button--large" type="submit">次へ</button></div>
</form>{% endblock %}"""


def run() -> list[tuple[str, str]]:
    from django.conf import settings
    from django.test import Client

    from madoguchi.catalog.models import Procedure
    from madoguchi.core.models import User
    from madoguchi.demo.accounts import DEMO_PASSWORD, staff_email
    from madoguchi.demo.city import load_demo_city
    from madoguchi.forms import services
    from madoguchi.residents.models import Resident

    template_dir = Path(tempfile.mkdtemp(prefix="madoguchi-bench-templates-"))
    (template_dir / "bench_floor_page.html").write_text(FLOOR_TEMPLATE, encoding="utf-8")
    settings.TEMPLATES[0]["DIRS"] = [*settings.TEMPLATES[0].get("DIRS", []), template_dir]
    from django.template import engines

    engines._engines = {}  # pick up the extra template directory
    engines.__dict__.pop("templates", None)

    load_demo_city()
    procedure = Procedure.objects.get(slug="tsugaku-hojo")
    definition, posts = form_definition(PAGES, FIELDS_PER_PAGE)
    form = procedure.form
    services.publish(form, definition)

    user = User.objects.create_user(email="bench@example.jp", password="bench-password-2026",
                                    kind=User.Kind.RESIDENT)
    Resident.objects.create(user=user)
    resident = Client()
    resident.force_login(user)
    floor_client = Client()
    floor_client.force_login(user)

    def timed(call, status: int, location: str = "") -> float:
        start = time.perf_counter()
        response = call()
        elapsed = (time.perf_counter() - start) * 1000
        if response.status_code != status or (location and response["Location"] != location):
            raise SystemExit(f"unexpected answer {response.status_code} "
                             f"{response.get('Location', '')} for {response.request['PATH_INFO']}")
        return elapsed

    first = resident.get(f"/apply/{form.slug}/{definition['pages'][0]['key']}/")
    inputs = first.content.decode().count("<input") + first.content.decode().count("<textarea")
    if first.status_code != 200 or inputs < FIELDS_PER_PAGE:
        raise SystemExit(f"the form page does not show its fields ({inputs} inputs)")
    form_ms: list[float] = []
    floor_ms: list[float] = []
    keys = [p["key"] for p in definition["pages"]]
    for round_number in range(ROUNDS + 2):
        this_form, this_floor = [], []
        for index, page in enumerate(keys):
            url = f"/apply/{form.slug}/{page}/"
            following = (f"/apply/{form.slug}/{keys[index + 1]}/" if index + 1 < len(keys)
                         else f"/apply/{form.slug}/check/")
            this_form.append(timed(lambda url=url: resident.get(url), 200))
            this_form.append(timed(lambda url=url, index=index: resident.post(url, posts[index]),
                                   302, following))
            floor_url = f"/bench/floor-form/{index}/"
            floor_post = {f"p{index}_f{i}": "値" * 12 for i in range(FIELDS_PER_PAGE)}
            this_floor.append(timed(lambda u=floor_url: floor_client.get(u), 200))
            this_floor.append(timed(lambda u=floor_url, d=floor_post: floor_client.post(u, d),
                                    302, f"/bench/floor-form/{(index + 1) % PAGES}/"))
        if round_number >= 2:  # the first rounds warm caches and connections
            form_ms += this_form
            floor_ms += this_floor

    builder_ms = bench_builder(services, procedure, staff_email, DEMO_PASSWORD)
    hostile_ms = bench_hostile_imports()
    form_p95, floor_p95 = percentile(form_ms, 95), percentile(floor_ms, 95)
    return [
        ("database", settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]),
        ("requests", str(len(form_ms))),
        ("inputs on page 1", str(inputs)),
        ("fields", str(PAGES * FIELDS_PER_PAGE)),
        ("floor p50 ms", f"{statistics.median(floor_ms):.1f}"),
        ("floor p95 ms", f"{floor_p95:.1f}"),
        ("p50 ms", f"{statistics.median(form_ms):.1f}"),
        ("p95 ms", f"{form_p95:.1f}"),
        ("builder fields", str(BUILDER_FIELDS)),
        ("builder save ms", f"{statistics.median(builder_ms):.1f}"),
        ("builder save p95 ms", f"{percentile(builder_ms, 95):.1f}"),
        ("hostile import max ms", f"{max(hostile_ms):.1f}"),
        ("ratio", f"{floor_p95 / form_p95:.2f}"),
    ]


def bench_builder(services, procedure, staff_email, password) -> list[float]:
    """Median time of saving one field of a 100-field form through the builder."""
    from django.test import Client

    from madoguchi.core.models import User
    from madoguchi.staff.tests.helpers import staff_login

    definition, _posts = form_definition(PAGES, BUILDER_FIELDS // PAGES)
    staff_user = User.objects.get(email=staff_email("kosodate1"))
    form = services.create_form(department=procedure.department, definition=definition,
                                actor=staff_user, slug="bench-builder")
    client = Client()
    staff_login(client, staff_user)
    timings = []
    for n in range(BUILDER_SAVES + 2):
        start = time.perf_counter()
        response = client.post(f"/staff/forms/{form.pk}/fields/p2_f3/", {
            "label_ja": f"項目（{n}回目の変更）", "label_en": f"Item (change {n})",
            "hint_ja": "", "hint_en": "", "required": "on", "min": "0", "max": "1000000",
            "unit_ja": "円", "key": "p2_f3", "show_if_field": "", "require_if_field": "",
        })
        elapsed = (time.perf_counter() - start) * 1000
        if response.status_code != 302 or "/staff/forms/" not in response["Location"]:
            raise SystemExit(f"builder save failed: {response.status_code}")
        if n >= 2:
            timings.append(elapsed)
    return timings


# Files just under the import size limit, built to make a parser slow.
HOSTILE_IMPORTS = [
    b'"' + b'\\"' * 400_000 + b"x",  # an unterminated string full of escapes
    b'"' * 900_000,
    b"[" + b"[]," * 300_000 + b"[]]",
    b'{"a":' + b'"x",' * 200_000 + b"1}",
]


def bench_hostile_imports() -> list[float]:
    """Time to refuse each hostile file (each must be refused, never accepted)."""
    from madoguchi.forms.interchange import ImportRefused, parse_import

    timings = []
    for data in HOSTILE_IMPORTS:
        start = time.perf_counter()
        try:
            parse_import(data)
        except ImportRefused:
            timings.append((time.perf_counter() - start) * 1000)
        else:
            raise SystemExit("a hostile import file was accepted")
    return timings


if __name__ == "__main__":
    main()
