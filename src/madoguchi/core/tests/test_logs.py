"""JSON logs with a request id, and no personal data in any log line."""

from __future__ import annotations

import io
import json
import logging
import re

import pytest

from madoguchi.conftest import CHECK_URL, VALID_POST, fill_wizard
from madoguchi.core import logs
from madoguchi.core.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_lines():
    """Every record of every logger, at every level, formatted as production writes them."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(logs.RequestIdFilter())
    handler.setFormatter(logs.JsonFormatter())
    root = logging.getLogger()
    levels = {name: logging.getLogger(name).level for name in ("", "madoguchi.request")}
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    logging.getLogger("madoguchi.request").setLevel(logging.INFO)

    def lines() -> list[dict]:
        return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]

    yield lines
    root.removeHandler(handler)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def test_each_request_gets_an_id_in_the_header_and_its_access_line(client, json_lines):
    response = client.get("/healthz")
    request_id = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    [line] = [entry for entry in json_lines() if entry["logger"] == "madoguchi.request"]
    assert line["request_id"] == request_id
    assert line["view"] == "healthz" and line["status"] == 200 and line["method"] == "GET"
    assert line["duration_ms"] >= 0 and line["visitor"] == "anonymous"
    assert client.get("/healthz")["X-Request-ID"] != request_id


@pytest.mark.parametrize(("given", "kept"), [
    ("lb-7f3a9c1e-0001", True),
    ("0123456789abcdef0123456789abcdef", True),
    ("short", False),
    ("has spaces in it", False),
    ("<script>alert(1)</script>", False),
    ("a" * 200, False),
    ("line\nbreak-123456", False),
])
def test_an_incoming_request_id_is_kept_only_when_safe(client, given, kept):
    response = client.get("/healthz", headers={"X-Request-ID": given})
    assert (response["X-Request-ID"] == given) is kept


def test_log_calls_inside_a_request_carry_its_id(json_lines):
    token = logs.request_id_var.set("req-abcdef12")
    try:
        logging.getLogger("madoguchi.somewhere").warning("something happened", extra={"n": 3})
    finally:
        logs.request_id_var.reset(token)
    [line] = [e for e in json_lines() if e["logger"] == "madoguchi.somewhere"]
    assert line["request_id"] == "req-abcdef12" and line["n"] == 3
    assert line["level"] == "WARNING" and line["message"] == "something happened"


def test_an_application_leaves_no_personal_data_in_the_logs(
        resident_client, resident, json_lines, django_capture_on_commit_callbacks):
    """Submit through the wizard (receipt mail included) and grep every log line for what the
    resident typed, their e-mail address and their name."""
    with django_capture_on_commit_callbacks(execute=True):
        fill_wizard(resident_client)
        html = resident_client.get(CHECK_URL).content.decode()
        token = re.search(r'name="token" value="([^"]+)"', html)[1]
        response = resident_client.post(CHECK_URL, {"token": token})
    assert response.status_code == 302
    user = User.objects.get(pk=resident.pk)
    secrets = {value.strip() for page in VALID_POST.values() for value in page.values()
               if len(value.strip()) >= 2}
    secrets |= {user.email, user.display_name, "髙﨑", "𠮷男", "9876543", "090-1234-5678",
                "09012345678", "ﾐﾄﾞﾘ ﾊﾅｺ"}
    secrets.discard("")
    secrets -= {"yes", "bus", "first", "father", "kitayama", "ordinary"}  # choice codes
    lines = json_lines()
    assert any(e["logger"] == "madoguchi.request" for e in lines)  # the logs were captured
    text = "\n".join(json.dumps(e, ensure_ascii=False) for e in lines)
    found = sorted(secret for secret in secrets if secret in text)
    assert not found, found
