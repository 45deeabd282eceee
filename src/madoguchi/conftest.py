"""Shared fixtures for the unit and integration tests of the Django apps.

Tests that need data ask for ``demo``: the fictional demo city (緑ヶ丘市) with its departments,
staff, procedures and the published 通学費補助金 form.
"""

from __future__ import annotations

import html
import re
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from pytest_django.plugin import blocking_manager_key

from madoguchi.applications import drafts
from madoguchi.applications.models import Draft
from madoguchi.applications.services import submit_application
from madoguchi.catalog.models import City, Procedure
from madoguchi.catalog.selectors import forget_city
from madoguchi.core.models import User
from madoguchi.demo.accounts import DEMO_PASSWORD, DEMO_RESIDENT_EMAIL, staff_email
from madoguchi.demo.city import load_demo_city
from madoguchi.forms.definition import FormSpec
from madoguchi.forms.models import FormDefinition
from madoguchi.forms.selectors import clear_caches as clear_form_caches
from madoguchi.residents.services import sign_up
from madoguchi.staff.tests.helpers import complete_second_factor

FORM_SLUG = "tsugaku-hojo"
OTHER_RESIDENT_EMAIL = "hanako@example.jp"
OTHER_RESIDENT_PASSWORD = "kawa-no-nagare-2026"  # noqa: S105 - test account

# What a resident types on each page of the demo form, with the awkward things residents do:
# full-width digits and hyphens, 〒, hiragana and half-width furigana, 異体字 and a character
# outside the BMP in names.
VALID_POST: dict[str, dict[str, str]] = {
    "applicant": {
        "applicant_name-family": "髙﨑",
        "applicant_name-given": "𠮷男",
        "applicant_name-family_kana": "たかさき",
        "applicant_name-given_kana": "ﾖｼｵ",
        "relationship": "father",
        "phone": "０９０－１２３４－５６７８",
        "address-postal_code": "〒９９９－０１０１",
        "address-prefecture": "緑ヶ丘県",
        "address-city": "緑ヶ丘市",
        "address-town": "北山",
        "address-street": "　1234番地5 ",
        "address-building": "",
    },
    "student": {
        "student_name-family": "髙﨑",
        "student_name-given": "一郎",
        "student_name-family_kana": "タカサキ",
        "student_name-given_kana": "いちろう",
        "student_birth_date": "平成21年4月2日",
        "school_name": "緑ヶ丘県立緑ヶ丘高等学校",
        "grade": "2",
    },
    "commute": {
        "district": "kitayama",
        "term": "first",
        "transport": "bus",
        "monthly_pass_cost": "１５，０００",
        "route": "北山停留所〜緑ヶ丘駅前（市営バス）",
    },
    "bank": {
        "payment_account-bank_code": "０００１",
        "payment_account-branch_code": "００１",
        "payment_account-account_type": "ordinary",
        "payment_account-number": "９８７６５４３",
        "payment_account-holder": "みどり　はなこ",
    },
    "consent": {"consent": "yes"},
}
PAGE_KEYS = list(VALID_POST)
ACCOUNT_NUMBER = "9876543"
ACCOUNT_HOLDER = "ﾐﾄﾞﾘ ﾊﾅｺ"  # stored in 全銀 characters, as the bank receives it
# The bank and branch typed as codes above, as the answers store and show them.
BANK_CODES = ("0001", "001")
BANK_NAMES = ("みずほ銀行", "東京営業部")


def valid_answers() -> dict[str, Any]:
    """The clean answers VALID_POST turns into, validated through the live demo form."""
    version = FormDefinition.objects.get(slug=FORM_SLUG).live_version
    spec = FormSpec(version.definition)
    answers: dict[str, Any] = {}
    for page in spec.pages:
        _raw, clean, errors = spec.validate_page(page, VALID_POST[page.key])
        assert not errors, errors
        answers.update(clean)
    return answers


def page_url(page: str) -> str:
    return f"/apply/{FORM_SLUG}/{page}/"


CHECK_URL = f"/apply/{FORM_SLUG}/check/"
TOKEN_RE = re.compile(r'name="token" value="([^"]+)"')


def fill_wizard(client: Client, pages: list[str] | None = None) -> None:
    """Post valid answers to ``pages`` (default: all) of the demo form."""
    for page in pages or PAGE_KEYS:
        response = client.post(page_url(page), VALID_POST[page])
        assert response.status_code == 302, (page, response.status_code)


def check_token(client: Client) -> str:
    """The hidden submission token on the check page (the wizard must be complete)."""
    response = client.get(CHECK_URL)
    assert response.status_code == 200, response.status_code
    match = TOKEN_RE.search(response.content.decode())
    assert match, "no token on the check page"
    return match[1]


def draft_of(client: Client, slug: str = FORM_SLUG) -> dict[str, Any] | None:
    """The signed-in client's saved draft of a form, decrypted: raw, answers, done, token."""
    user_id = client.session.get("_auth_user_id")
    model = Draft.objects.filter(owner_id=user_id, form__slug=slug).first()
    if model is None:
        return None
    state = drafts._open(model)
    return {"raw": state.raw, "answers": state.answers, "done": state.done,
            "token": str(state.token)}


def change_draft(client: Client, *, raw: dict | None = None, answers: dict | None = None,
                 slug: str = FORM_SLUG) -> None:
    """Overwrite parts of the client's draft, as a tampered or restored draft would be."""
    user_id = client.session.get("_auth_user_id")
    model = Draft.objects.get(owner_id=user_id, form__slug=slug)
    state = drafts._open(model)
    if raw is not None:
        state.raw = raw
    if answers is not None:
        state.answers = answers
    drafts.save(state, FormSpec(model.version.definition), client.session)


def raw_row(application: Any) -> str:
    """Every column of an application's row as the database stores it (to prove encryption)."""
    table = connection.ops.quote_name(application._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [application.pk])  # noqa: S608
        row = cursor.fetchone()
    return "\n".join(str(value) for value in row)


def visible_text(content: bytes | str) -> str:
    """The text a person reads on a page: no tags, scripts, styles or attributes."""
    text = content.decode() if isinstance(content, bytes) else content
    text = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", text)
    text = re.sub(r"(?s)<!--.*?-->", " ", text)
    text = re.sub(r"(?s)<[^>]+>", " ", text)
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def pytest_configure(config: pytest.Config) -> None:
    """On SQLite, test in a database file rather than Django's shared-cache in-memory database.

    Shared-cache memory databases lock whole tables and fail at once ("database table is
    locked") instead of waiting, so concurrent submits could not be tested; a file in WAL mode
    behaves like production, where writers wait for each other (busy timeout). Set here, before
    any test runs, so the choice does not depend on which test first opens the database.
    """
    database = django_settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3" and not database.get("TEST", {}).get(
        "NAME"
    ):
        directory = Path(tempfile.mkdtemp(prefix="madoguchi-test-"))
        database.setdefault("TEST", {})["NAME"] = str(directory / "madoguchi.sqlite3")
        config.add_cleanup(lambda: shutil.rmtree(directory, ignore_errors=True))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker) -> None:
    """Load the demo city once; each test then works inside a transaction rolled back after it."""
    with django_db_blocker.unblock():
        load_demo_city()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    """Put the demo city back after a transactional test emptied the database."""
    result = yield
    marker = item.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or any(
        name in getattr(item, "fixturenames", ()) for name in ("transactional_db", "live_server")
    )
    if transactional and nextitem is not None:
        with item.config.stash[blocking_manager_key].unblock():
            load_demo_city()
    return result


@pytest.fixture(autouse=True)
def mailbox_backend(settings) -> None:
    """Send e-mail to the MailboxMessage table, as the demo does.

    Django's test environment switches every test to the locmem backend; the project's own
    backend is used here so the mails are stored the way the demo mailbox and staff see them.
    """
    settings.EMAIL_BACKEND = "madoguchi.core.mail.MailboxBackend"


@pytest.fixture(autouse=True)
def forget_cached_form_versions() -> Iterator[None]:
    """Empty the per-process caches of form versions after each test.

    They are keyed by row ids and hold what the test's transaction saw; the rollback after the
    test does not empty them, so a version a test wrote would otherwise be served to a later
    test (SQLite even gives a rolled-back id out again). The city shown on pages likewise.
    """
    yield
    clear_form_caches()
    forget_city()


@pytest.fixture
def demo(db: None) -> None:
    """The demo city: departments, counters, procedures, staff and the published form.

    It is loaded once per session (above); a transactional test empties the database when it
    ends, and then the next test loads the city again.
    """
    if not City.objects.exists():
        load_demo_city()


@pytest.fixture
def procedure(demo: None):
    return Procedure.objects.get(slug=FORM_SLUG)


@pytest.fixture
def form_version(demo: None):
    return FormDefinition.objects.get(slug=FORM_SLUG).live_version


@pytest.fixture
def resident(demo: None) -> User:
    """The demo resident (taro@example.jp), owner of the applications in the tests."""
    return User.objects.get(email=DEMO_RESIDENT_EMAIL)


@pytest.fixture
def other_resident(demo: None) -> User:
    return sign_up(email=OTHER_RESIDENT_EMAIL, password=OTHER_RESIDENT_PASSWORD, confirmed=True)


@pytest.fixture
def staff_user(demo: None) -> User:
    """A clerk of 子育て支援課, the department that handles the demo form."""
    return User.objects.get(email=staff_email("kosodate1"))


@pytest.fixture
def other_staff_user(demo: None) -> User:
    """A clerk of 市民課, which does not handle the demo form."""
    return User.objects.get(email=staff_email("shimin1"))


def client_for(user: User | None) -> Client:
    """A test client signed in as ``user``; staff also pass the second factor (TOTP)."""
    client = Client()
    if user is not None:
        client.force_login(user)
        if user.is_staff_member:
            complete_second_factor(client, user)
    return client


@pytest.fixture
def resident_client(resident: User) -> Client:
    return client_for(resident)


@pytest.fixture
def make_application(form_version, resident):
    """Submit the valid answers as an application through the service (default: the resident)."""
    def make(user: User | None = None, token: uuid.UUID | None = None):
        return submit_application(
            user=user or resident, version=form_version, answers=valid_answers(),
            token=token or uuid.uuid4(),
        )

    return make


@pytest.fixture
def application(make_application):
    return make_application()


__all__ = [
    "ACCOUNT_HOLDER", "ACCOUNT_NUMBER", "BANK_CODES", "BANK_NAMES", "CHECK_URL", "DEMO_PASSWORD",
    "DEMO_RESIDENT_EMAIL", "FORM_SLUG", "OTHER_RESIDENT_EMAIL", "OTHER_RESIDENT_PASSWORD",
    "PAGE_KEYS", "VALID_POST",
    "check_token", "client_for", "fill_wizard", "page_url", "staff_email", "valid_answers",
    "visible_text",
]


# --- A local OpenID provider (identity tests, forms that need a card-based sign-in) ------------
@pytest.fixture(scope="session")
def local_idp_server():
    from madoguchi.identity.tests.oidc_provider import LocalProvider

    provider = LocalProvider().start()
    yield provider
    provider.stop()


@pytest.fixture
def local_idp(local_idp_server):
    """The local provider, reset and configured as the resident provider ``card`` (high)."""
    from madoguchi.identity.contrib.oidc.provider import configure

    server = local_idp_server
    server.tamper.clear()
    server.codes.clear()
    server.logouts.clear()
    server.auto_approve = True
    server.person = server.default_person()
    configure([server.config()])
    yield server
    configure([])
