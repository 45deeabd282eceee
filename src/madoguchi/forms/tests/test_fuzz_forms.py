"""Fuzzing forms end to end: the import endpoint, and residents filling random definitions.

* POST /staff/forms/import/ with random bytes, random JSON, mutated and byte-edited exports of the
  library templates and exports of random definitions: a new draft (302) or a refusal with the
  reasons on the page (422), never a server error, and nothing created when refused;
* random valid definitions (1–3 pages, 1–6 fields of every registered type, conditions on earlier
  choices) published for an online procedure, then filled in by a resident with valid and hostile
  POSTs and checked with real and random tokens: never a server error, valid pages accepted,
  an application only when every page that applies was accepted, and its answers valid.

MADOGUCHI_FUZZ_EXAMPLES=500 runs a longer search.
"""

from __future__ import annotations

import copy
import json
import os
import re
import uuid
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from django.utils.html import escape
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from madoguchi.applications.models import Application
from madoguchi.applications.services import all_answers
from madoguchi.catalog.models import Procedure
from madoguchi.conftest import TOKEN_RE, client_for
from madoguchi.forms import library, services
from madoguchi.forms.definition import FormSpec, check_definition, field_shown
from madoguchi.forms.interchange import (
    ImportRefused,
    build_envelope,
    dumps,
    export_json,
    parse_import,
)
from madoguchi.forms.models import FormDefinition
from madoguchi.forms.tests import strategies as S

FUZZ = settings(max_examples=int(os.environ.get("MADOGUCHI_FUZZ_EXAMPLES", "40")),
                deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large, HealthCheck.filter_too_much])
BASE = "/staff/forms"
# Online elsewhere (マイナポータル), 子育て支援課; a form linked to it replaces the demo's own.
ONLINE_PROCEDURE = "jido-teate"
XSS = "<script>alert(1)</script>"


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def staff_client(staff_user) -> Client:
    return client_for(staff_user)


# --- (a) the import endpoint ------------------------------------------------------------------
@cache
def library_exports() -> tuple[bytes, ...]:
    """Every library template as the export of a form made from it."""
    return tuple(export_json(FormDefinition(slug=t.slug, title=t.title), t.definition)
                 for t in library.templates())


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
    | st.sampled_from(["", "ja", "key", "text", "choice", "group", "madoguchi-form", "today",
                       "\x00", XSS, "\u202e"]),
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(st.sampled_from(["key", "type", "label", "title", "pages", "fields",
                                      "options", "value", "ja", "en", "show_if", "var", "==",
                                      "format", "format_version", "form", "definition"])
                      | st.text(max_size=8), children, max_size=5),
    max_leaves=30,
)


def paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from paths(item, (*path, index))


@st.composite
def mutated_exports(draw: st.DrawFn) -> bytes:
    """A library export with parts of its JSON replaced, deleted or added."""
    envelope = json.loads(draw(st.sampled_from(library_exports())))
    places = [p for p in paths(envelope) if p]
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(places))
        parent: Any = envelope
        try:
            for segment in path[:-1]:
                parent = parent[segment]
            action = draw(st.sampled_from(["replace", "delete", "add"]))
            if action == "replace":
                parent[path[-1]] = draw(json_values)
            elif action == "delete":
                del parent[path[-1]]
            elif isinstance(parent, dict):
                parent[draw(st.text(max_size=8))] = draw(json_values)
            else:
                parent.insert(path[-1], draw(json_values))
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed this place
    return json.dumps(envelope, ensure_ascii=draw(st.booleans()), allow_nan=True).encode()


@st.composite
def byte_edits(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(library_exports())))
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(data) - 1))
        data[position:position + draw(st.integers(0, 4))] = draw(st.binary(max_size=4))
    return bytes(data)


@st.composite
def random_definition_exports(draw: st.DrawFn) -> bytes:
    plan = draw(S.definitions())
    return dumps(build_envelope("random-form", plan.definition["title"], plan.definition))


import_files = st.one_of(
    st.binary(max_size=3000),
    json_values.map(lambda v: json.dumps(v, allow_nan=True).encode()),
    mutated_exports(),
    byte_edits(),
    random_definition_exports(),
    st.sampled_from(["valid"]).flatmap(lambda _: st.sampled_from(library_exports())),
)


def problems_on_page(html: str) -> list[str]:
    summary = re.search(r'<div class="error-summary".*?<ul>(.*?)</ul>', html, re.S)
    assert summary, "a refusal must list its reasons"
    return re.findall(r"<li>(.*?)</li>", summary[1], re.S)


@FUZZ
@given(content=import_files, name=st.sampled_from(["form.json", "様式.json", "x.txt", XSS]))
def test_the_import_endpoint_creates_a_draft_or_says_why_not(staff_client, content, name):
    before = FormDefinition.objects.count()
    upload = SimpleUploadedFile(name, content, content_type="application/json")
    response = staff_client.post(f"{BASE}/import/", {"file": upload})
    assert response.status_code in (302, 422), response.status_code
    event(f"import: {response.status_code}")
    with translation.override(response.get("Content-Language", "ja")):
        try:
            expected: Any = parse_import(content)
        except ImportRefused as exc:
            expected = exc
    if response.status_code == 422:
        assert FormDefinition.objects.count() == before
        html = response.content.decode()
        assert XSS not in html
        shown = problems_on_page(html)
        assert shown and all(p.strip() for p in shown)
        assert isinstance(expected, ImportRefused)
        assert shown == [escape(p) for p in expected.problems]
        return
    assert FormDefinition.objects.count() == before + 1
    assert not isinstance(expected, ImportRefused), expected.problems
    form = FormDefinition.objects.order_by("-pk").first()
    assert response["Location"] == f"{BASE}/{form.pk}/"
    assert form.draft == expected.definition
    assert check_definition(form.draft) == []
    assert not form.versions.exists() and form.procedure_id is None
    assert staff_client.get(response["Location"]).status_code == 200
    assert staff_client.get(f"{BASE}/{form.pk}/preview/").status_code in (200, 302)


@FUZZ
@given(plan=S.definitions())
def test_every_valid_definition_survives_export_and_import(staff_client, plan):
    """What the checker accepts is what another city can import, unchanged."""
    content = dumps(build_envelope("random-form", plan.definition["title"], plan.definition))
    upload = SimpleUploadedFile("form.json", content, content_type="application/json")
    response = staff_client.post(f"{BASE}/import/", {"file": upload})
    assert response.status_code == 302, problems_on_page(response.content.decode())
    assert FormDefinition.objects.order_by("-pk").first().draft == plan.definition


# --- (b) residents filling random definitions ----------------------------------------------------
@pytest.fixture
def procedure(demo) -> Procedure:
    return Procedure.objects.get(slug=ONLINE_PROCEDURE)


def publish(plan: S.DefinitionPlan, procedure: Procedure) -> FormDefinition:
    """A new form for the procedure (the previous example's form lets go of it), published."""
    FormDefinition.objects.filter(procedure=procedure).update(procedure=None)
    form = FormDefinition.objects.create(
        slug=f"random-{uuid.uuid4().hex[:12]}", procedure=procedure,
        department=procedure.department, title=plan.definition["title"],
    )
    services.publish(form, copy.deepcopy(plan.definition))
    return form


UNSET = object()  # an answer not predicted (an upload's stored name)
safe_key = st.text(alphabet=st.characters(whitelist_categories=("L", "N"),
                                          whitelist_characters="-_"), min_size=1, max_size=20)
HUGE = ["x" * 200_000, "あ" * 60_000, "\x00" * 10_000]
wizard_values = st.one_of(
    S.hostile_scalars, st.sampled_from(HUGE), st.lists(S.hostile_scalars, max_size=4),
)


@st.composite
def valid_page_post(draw: st.DrawFn, plan: S.DefinitionPlan,
                    page: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """A page as a resident fills it in: (POST payload, expected answer by field key).

    Optional fields are sometimes left empty (their answer is then None).
    """
    payload: dict[str, Any] = {}
    expected: dict[str, Any] = {}
    for planned in plan.page_fields(page):
        spec = planned.spec
        if spec["type"] == "guidance":
            continue
        if not spec.get("required") and draw(st.integers(0, 3)) == 0:
            expected[spec["key"]] = None
            continue
        posted, value = draw(S.field_input(spec))
        payload.update(posted.data)
        payload.update(posted.files)
        expected[spec["key"]] = UNSET if spec["type"] == "file" else value
    return payload, expected


@st.composite
def hostile_page_post(draw: st.DrawFn, plan: S.DefinitionPlan, page: int) -> dict[str, Any]:
    """Valid input or nothing to start with, then inputs changed, added and dropped, junk files,
    random buttons (_action), _save and return."""
    base = draw(st.one_of(st.just({}), valid_page_post(plan, page).map(lambda p: p[0])))
    names = [n for f in plan.page_fields(page) for n in S.post_names(f.spec)]
    keys = st.one_of(st.sampled_from([*names, "return", "_save"]), safe_key)
    changes = draw(st.dictionaries(keys, wizard_values, max_size=len(names) + 3))
    drops = draw(st.sets(st.sampled_from(names))) if names else set()
    payload = {k: v for k, v in {**base, **changes}.items() if k not in drops}
    files = [f.spec["key"] for f in plan.page_fields(page) if f.spec["type"] == "file"]
    for key in files:
        if draw(st.booleans()):
            payload[key] = [SimpleUploadedFile(draw(st.sampled_from(["a.png", "b.pdf", "c"])),
                                               draw(st.binary(min_size=1, max_size=300)))]
    if draw(st.integers(0, 3)) == 0:
        commands = [f"{f.spec['key']}:{c}" for f in plan.page_fields(page)
                    for c in ("lookup", "add", "remove-0", "remove-7", "0-name:lookup")]
        payload["_action"] = draw(st.one_of(st.sampled_from([*commands, "", ":", "x:y"]),
                                            S.hostile_scalars))
    return payload


def effective(value: Any) -> Any:
    """What request.POST.get reads for a posted value: the last of a list."""
    if isinstance(value, list):
        return value[-1] if value else None
    return value


def same_uuid(a: Any, b: str) -> bool:
    try:
        return isinstance(a, str) and uuid.UUID(a) == uuid.UUID(b)
    except ValueError:
        return False


def page_url(form: FormDefinition, page: str) -> str:
    return f"/apply/{form.slug}/{page}/"


token_values = st.one_of(
    st.just("<real>"), st.uuids().map(str), st.uuids().map(lambda u: u.hex.upper()),
    S.hostile_scalars, st.lists(st.one_of(st.just("<real>"), S.hostile_scalars), max_size=3),
)


@FUZZ
@given(data=st.data())
def test_residents_filling_random_definitions(resident, procedure, data):
    plan = data.draw(S.definitions(), label="plan")
    form = publish(plan, procedure)
    spec = FormSpec(plan.definition)
    client = client_for(resident)
    accepted: dict[str, dict[str, Any] | None] = {}  # page key → expected answers (None: hostile)
    for index, page in enumerate(spec.pages):
        for _ in range(data.draw(st.integers(1, 2), label="posts")):
            valid = data.draw(st.integers(0, 2), label="valid") > 0
            if valid:
                payload, expected = data.draw(valid_page_post(plan, index), label="valid post")
            else:
                payload, expected = data.draw(hostile_page_post(plan, index), label="post"), None
            response = client.post(page_url(form, page.key), payload)
            assert response.status_code in (200, 302, 422), response.status_code
            html = response.content.decode()
            assert XSS not in html
            if valid:
                assert response.status_code == 302, re.findall(r'class="error-message"[^>]*>'
                                                               r'(.*?)<', html, re.S) or html
            if response.status_code == 200:
                assert effective(payload.get("_action")), "200 only for a field's button"
            if response.status_code == 302:
                accepted[page.key] = expected

    check = client.get(f"/apply/{form.slug}/check/")
    assert check.status_code in (200, 302), check.status_code
    real = TOKEN_RE.search(check.content.decode())[1] if check.status_code == 200 else None
    token = "<real>" if data.draw(st.booleans(), label="real token") else data.draw(
        token_values, label="token")
    token = ([real or "" if t == "<real>" else t for t in token] if isinstance(token, list)
             else real or "" if token == "<real>" else token)
    send = data.draw(st.booleans(), label="send token") or token == real
    payload = {"token": token} if send else {}
    payload.update(data.draw(st.dictionaries(safe_key, wizard_values, max_size=2), label="extra"))
    response = client.post(f"/apply/{form.slug}/check/", payload)
    assert response.status_code in (302, 422), response.status_code
    assert XSS not in response.content.decode()

    applications = list(Application.objects.filter(form_version__form=form))
    right_token = real is not None and same_uuid(effective(payload.get("token")), real)
    event(f"pages accepted: {len(accepted)} of {len(spec.pages)}")
    event(f"right token: {right_token}, application: {bool(applications)}")
    if not applications:
        assert not (right_token and len(accepted) == len(spec.pages)), (
            "every page was accepted and the right token sent, but no application was made: "
            + " ".join(re.findall(r'role="alert"[^>]*>(.*?)</', response.content.decode(),
                                  re.S)))
        return
    assert len(applications) == 1 and right_token
    application = applications[0]
    assert response["Location"] == f"/my/applications/{application.public_id}/submitted/"
    answers = all_answers(application)
    assert spec.revalidate(answers) == {}
    for page in spec.shown_pages(answers):
        assert page.key in accepted, f"page {page.key} was never accepted"
        expected = accepted[page.key]
        for field in page.value_fields:
            if expected is None or not field_shown(field, answers):
                continue
            if expected.get(field.key, UNSET) is not UNSET:
                assert answers.get(field.key) == expected[field.key], field.key
            elif field.spec["type"] == "file" and field.key in expected:
                assert answers.get(field.key), field.key
