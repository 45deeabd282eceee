"""Who may open what: every staff page × every role × own and foreign department, and the
resident pages × owner / other resident / anonymous. Each cell states the expected status."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

import pytest
from django.test import Client, RequestFactory
from django.urls import URLResolver, get_resolver

from madoguchi.applications.models import Application, Status
from madoguchi.applications.services import change_status
from madoguchi.bpr.models import Step, WorksheetVersion
from madoguchi.catalog.models import NavigatorRule
from madoguchi.conftest import client_for
from madoguchi.counter import services as counter_services
from madoguchi.faq.models import FaqEntry, Inquiry
from madoguchi.forms.models import FormDefinition
from madoguchi.jp import zengin_transfer as zt
from madoguchi.payments import services as payment_services
from madoguchi.payments.models import FeeSchedule
from madoguchi.payments.transfers import services as transfers
from madoguchi.reservations import services as reservations
from madoguchi.reservations.models import Room, Service, Slot, Venue
from madoguchi.search.models import SynonymGroup
from madoguchi.staff.models import Department
from madoguchi.staff.tests.helpers import member, staff_login

ROLES = ("clerk", "approver", "head", "admin", "dx", "counter", "treasury")
# The treasury (会計課) works on its own department's cases like any clerk.
CASE_ROLES = ("clerk", "approver", "head", "admin", "counter", "treasury")
TRANSFER_ROLES = ("treasury", "head")


@pytest.fixture
def case(application) -> Application:
    return application


def kosodate_booking():
    """A booking of a 子育て支援課 service (the demo's services belong to 健康増進課)."""
    department = Department.objects.get(code="kosodate")
    venue = Venue.objects.create(code="matrix-hall", department=department,
                                 name={"ja": "子育て支援センター", "en": "Family centre"})
    room = Room.objects.create(venue=venue, name={"ja": "相談室", "en": "Room"})
    service = Service.objects.create(code="matrix-soudan", department=department,
                                     name={"ja": "子育て相談", "en": "Parenting advice"},
                                     duration_minutes=30, capacity=2)
    starts = (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).replace(microsecond=0)
    slot = Slot.objects.create(service=service, room=room, starts_at=starts,
                               ends_at=starts + dt.timedelta(minutes=30), capacity=2)
    person = reservations.Person(family_name="山田", given_name="花子", phone="0312345678",
                                 email="hanako@example.jp")
    return reservations.book(slot, person=person, request_token=uuid.uuid4().hex,
                             channel="phone")


Scope = bool | tuple[str, ...]


def staff_pages(case: Application) -> dict[str, tuple[str, tuple[str, ...], Scope]]:
    """Every GET page for staff: name → (path, roles allowed, scoped to a department's data).

    A page scoped to a department answers 404 to other departments' staff (the data is not
    theirs to know about); a role that may not use a page at all gets 403. A tuple of roles as
    the scope means only those roles are held to their department (the others see every one).
    """
    form = FormDefinition.objects.get(slug="tsugaku-hojo")
    return {
        "inbox": ("/staff/", CASE_ROLES, False),
        "case": (f"/staff/applications/{case.public_id}/", CASE_ROLES, True),
        "exports": ("/staff/exports/", CASE_ROLES, False),
        "exports_log": ("/staff/exports/log/", CASE_ROLES, False),
        "forms": ("/staff/forms/", CASE_ROLES, False),
        "form editor": (f"/staff/forms/{form.pk}/", CASE_ROLES, True),
        "form history": (f"/staff/forms/{form.pk}/history/", CASE_ROLES, True),
        "form preview": (f"/staff/forms/{form.pk}/preview/applicant/", CASE_ROLES, True),
        "form export": (f"/staff/forms/{form.pk}/export/", CASE_ROLES, True),
        "templates": ("/staff/forms/templates/", CASE_ROLES, False),
        "form new": ("/staff/forms/new/", CASE_ROLES, False),
        "form import": ("/staff/forms/import/", CASE_ROLES, False),
        "form settings": (f"/staff/forms/{form.pk}/settings/", CASE_ROLES, True),
        "form field": (f"/staff/forms/{form.pk}/fields/student_name/", CASE_ROLES, True),
        "form page": (f"/staff/forms/{form.pk}/pages/applicant/", CASE_ROLES, True),
        "form publish check": (f"/staff/forms/{form.pk}/publish/", CASE_ROLES, True),
        "workflow": ("/staff/procedures/tsugaku-hojo/workflow/", ("admin",), True),
        "procedures": ("/staff/procedures/", ("admin",), False),
        "retention": ("/staff/retention/", ("admin",), False),
        "procedure retention": ("/staff/procedures/tsugaku-hojo/retention/", ("admin",), True),
        "delegations": ("/staff/delegations/", ("approver", "head"), False),
        "audit": ("/staff/audit/", ("admin",), False),
        "two-factor admin": ("/staff/admin/two-factor/", ("admin",), False),
        "stats": ("/staff/stats/", ("head", "admin", "dx"), False),
        "registry": ("/staff/registry/", ("counter", "admin"), False),
    } | (reservation_pages() | faq_pages() | navigator_pages() | search_pages() | ticket_pages()
         | counter_pages() | bpr_pages() | payment_pages(case)
         | effect_pages() | translation_pages(form))


def translation_pages(form: FormDefinition) -> dict[str, tuple[str, tuple[str, ...], Scope]]:
    """The translation workflow: everyone sees and exports their department's content (the DX
    office every department's); importing follows the editors of the same content."""
    base = "/staff/translations/"
    procedure = f"{base}procedures/tsugaku-hojo/"
    form_base = f"{base}forms/{form.pk}/"
    return {
        "translations": (base, ROLES, False),
        "translations language": (f"{base}languages/vi/", ROLES, False),
        "translations procedure export": (f"{procedure}export/", ROLES, CASE_ROLES),
        "translations procedure import": (f"{procedure}import/", ("head", "admin"), True),
        "translations form export": (f"{form_base}export/", ROLES, CASE_ROLES),
        "translations form import": (f"{form_base}import/", CASE_ROLES, True),
        "translations faq export": (f"{base}faq/export/", ROLES, False),
        "translations faq import": (f"{base}faq/import/", CASE_ROLES, False),
        "translations city export": (f"{base}city/export/", ROLES, False),
        "translations city import": (f"{base}city/import/", ("admin",), False),
    }


def effect_pages() -> dict[str, tuple[str, tuple[str, ...], bool]]:
    """The effect dashboard: a head sees their own department's figures, never 404."""
    return {
        "effect dashboard": ("/staff/bpr/effect/", ("head", "admin", "dx"), False),
        "effect download csv": ("/staff/bpr/effect/channels.csv", ("head", "admin", "dx"), False),
        "effect download xlsx": ("/staff/bpr/effect/hours.xlsx", ("head", "admin", "dx"), False),
    }


def reservation_pages() -> dict[str, tuple[str, tuple[str, ...], bool]]:
    booking = kosodate_booking()
    base = "/staff/reservations/"
    return {
        "roster": (base, CASE_ROLES, False),
        "booking": (f"{base}bookings/{booking.public_id}/", CASE_ROLES, True),
        "booking move": (f"{base}bookings/{booking.public_id}/move/", CASE_ROLES, True),
        "booking cancel": (f"{base}bookings/{booking.public_id}/cancel/", CASE_ROLES, True),
        "phone booking": (f"{base}slots/{booking.slot_id}/book/", CASE_ROLES, True),
        "close slot": (f"{base}slots/{booking.slot_id}/close/", CASE_ROLES, True),
        "close day": (f"{base}close-day/", CASE_ROLES, False),
        "extra session": (f"{base}sessions/new/", CASE_ROLES, False),
        "booking export": (f"{base}export/", CASE_ROLES, False),
        "utilisation": (f"{base}utilisation/", (*CASE_ROLES, "dx"), False),
    }


def faq_pages() -> dict[str, tuple[str, tuple[str, ...], bool]]:
    entry = FaqEntry.objects.filter(department__code="kosodate").first()
    inquiry = Inquiry.objects.filter(department__code="kosodate").first()
    assert entry is not None and inquiry is not None, "the demo has FAQ and an inquiry"
    return {
        "faq entries": ("/staff/faq/", CASE_ROLES, False),
        "faq new": ("/staff/faq/new/", CASE_ROLES, False),
        "faq edit": (f"/staff/faq/{entry.pk}/", CASE_ROLES, True),
        "faq delete": (f"/staff/faq/{entry.pk}/delete/", CASE_ROLES, True),
        "inquiries": ("/staff/faq/inquiries/", CASE_ROLES, False),
        "inquiry": (f"/staff/faq/inquiries/{inquiry.public_id}/", CASE_ROLES, True),
        "unanswered": ("/staff/faq/unanswered/", CASE_ROLES, False),
    }


def navigator_pages() -> dict[str, tuple[str, tuple[str, ...], bool]]:
    rule = NavigatorRule.objects.filter(procedure__department__code="kosodate").first()
    question = rule.event.questions.first()
    base = f"/staff/navigator/events/{rule.event.slug}/"
    return {
        "navigator": ("/staff/navigator/", ("head", "admin"), False),
        "navigator event": (base, ("head", "admin"), False),
        "navigator event new": ("/staff/navigator/events/new/", ("admin",), False),
        "navigator event edit": (f"{base}edit/", ("admin",), False),
        "navigator question new": (f"{base}questions/new/", ("admin",), False),
        "navigator question": (f"{base}questions/{question.pk}/", ("admin",), False),
        "navigator rule new": (f"{base}rules/new/", ("head", "admin"), False),
        "navigator rule": (f"{base}rules/{rule.pk}/", ("head", "admin"), True),
        "ruby dictionary": ("/staff/ruby/", ("head", "admin"), False),
    }


def search_pages() -> dict[str, tuple[str, tuple[str, ...], bool]]:
    group = SynonymGroup.objects.first() or SynonymGroup.objects.create(terms=["子ども", "こども"])
    return {
        "synonyms": ("/staff/search/synonyms/", ("admin", "dx"), False),
        "synonym edit": (f"/staff/search/synonyms/{group.pk}/", ("admin", "dx"), False),
    }


def ticket_pages() -> dict[str, tuple[str, tuple[str, ...], bool]]:
    return {"ticket console": ("/staff/tickets/", CASE_ROLES, False)}


def counter_pages() -> dict[str, tuple[str, tuple[str, ...], bool]]:
    """A walk-in visit opened by a 子育て支援課 clerk: its pages are that department's."""
    clerk = member("clerk", "kosodate")
    request = RequestFactory().get("/staff/counter/")
    request.user = clerk
    visit = counter_services.open_visit(request, clerk.staff_profile)
    # Identified (typed in as a new resident) and a form chosen, so every step's page shows.
    counter_services.identify_new(request, clerk.staff_profile, visit, {})
    counter_services.choose_forms(request, clerk.staff_profile, visit, ["tsugaku-hojo"],
                                  [clerk.staff_profile.department_id])
    # Moving in brings 転入届, done on paper: the visit has a pre-filled sheet to print.
    counter_services.save_plan(request, clerk.staff_profile, visit, [{"slug": "move_in", "query": {
        "date": dt.date.today().isoformat(), "children": "0", "school_children": "no",
        "kokuho": "no"}}], [])
    base = f"/staff/counter/{visit.public_id}/"
    return {
        "counter": ("/staff/counter/", CASE_ROLES, False),
        "visit": (base, CASE_ROLES, True),
        "visit identify": (f"{base}identify/", CASE_ROLES, True),
        "visit new resident": (f"{base}new-resident/", CASE_ROLES, True),
        "visit plan": (f"{base}plan/", CASE_ROLES, True),
        "visit procedures": (f"{base}procedures/", CASE_ROLES, True),
        "visit interview": (f"{base}interview/", CASE_ROLES, True),
        "visit summary": (f"{base}summary/", CASE_ROLES, True),
        "visit summary pdf": (f"{base}summary.pdf", CASE_ROLES, True),
        "visit paper pdf": (f"{base}paper/inkan.pdf", CASE_ROLES, True),
        "pre-application by its code": ("/staff/counter/pre/K7M2QX9P/", CASE_ROLES, False),
    }


def bpr_pages() -> dict[str, tuple[str, tuple[str, ...], Scope]]:
    """The demo's worksheet of 通学費補助金 (子育て支援課): heads see their own department's,
    the DX office and administrators every department's."""
    step = Step.objects.filter(worksheet__procedure__slug="tsugaku-hojo").first()
    assert step is not None, "the demo has the worksheet"
    version = WorksheetVersion.objects.filter(worksheet=step.worksheet).first()
    roles, scope = ("head", "dx", "admin"), ("head",)
    base = "/staff/bpr/tsugaku-hojo/"
    return {
        "bpr worksheets": ("/staff/bpr/", roles, False),
        "bpr worksheet": (base, roles, scope),
        "bpr step new": (f"{base}views/as_is/new/", roles, scope),
        "bpr step edit": (f"{base}steps/{step.pk}/", roles, scope),
        "bpr step delete": (f"{base}steps/{step.pk}/delete/", roles, scope),
        "bpr evidence": (f"{base}steps/{step.pk}/evidence/", roles, scope),
        "bpr versions": (f"{base}versions/", roles, scope),
        "bpr version": (f"{base}versions/{version.number}/", roles, scope),
        "bpr print": (f"{base}print/", roles, scope),
        "bpr export": (f"{base}export.xlsx", roles, scope),
        "bpr import": (f"{base}import/", roles, scope),
    }


def payment_pages(case: Application) -> dict[str, tuple[str, tuple[str, ...], Scope]]:
    """A 全銀 transfer file of 子育て支援課's approved case: a head sees their department's files,
    the treasury every department's (scoped for the head only)."""
    clerk = member("clerk", "kosodate")
    treasurer = member("treasury", "kosodate")
    change_status(application=case, to_status=Status.UNDER_REVIEW, actor=clerk)
    transfers.confirm_amount(application=case, amount=30_000, actor=clerk, approve=True)
    request = RequestFactory().post("/staff/payments/transfers/export/")
    request.user = treasurer
    batch = transfers.create_batch(
        request=request, staff=treasurer.staff_profile, procedure=case.procedure,
        payment_date=zt.next_business_day(dt.date.today() + dt.timedelta(days=1)),
        public_ids=[case.public_id])
    base = f"/staff/payments/transfers/{batch.public_id}/"
    fee = FeeSchedule.objects.create(procedure=case.procedure, per_copy=300, postage=110,
                                     provider="demo")
    payment = payment_services.create_payment(case, copies=1)
    return {
        "payments": ("/staff/payments/", CASE_ROLES, False),
        "payment": (f"/staff/payments/p/{payment.public_id}/", CASE_ROLES, True),
        "reconciliation": ("/staff/payments/reconciliation/", TRANSFER_ROLES, False),
        "procedure fee": (f"/staff/payments/procedures/{fee.procedure.slug}/fee/", ("admin",),
                          True),
        "transfers": ("/staff/payments/transfers/", TRANSFER_ROLES, False),
        "transfer file": (base, TRANSFER_ROLES, ("head",)),
        "transfer file download": (f"{base}zengin/", TRANSFER_ROLES, ("head",)),
        "transfer check list csv": (f"{base}csv/", TRANSFER_ROLES, ("head",)),
        "transfer check list xlsx": (f"{base}xlsx/", TRANSFER_ROLES, ("head",)),
    }


def expected(role: str, allowed: tuple[str, ...], scoped: Scope, own: bool) -> set[int]:
    if role not in allowed:
        return {403}
    if isinstance(scoped, tuple):
        scoped = role in scoped
    if scoped and not own:
        return {404}
    return {200}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("own", [True, False], ids=["own department", "other department"])
def test_staff_pages_by_role_and_department(case, role, own):
    user = member(role, "kosodate" if own else "shimin")
    client = staff_login(Client(), user)
    failures = []
    for name, (path, allowed, scoped) in staff_pages(case).items():
        status = client.get(path).status_code
        if status not in expected(role, allowed, scoped, own):
            failures.append(f"{name} {path}: {status}, expected "
                            f"{expected(role, allowed, scoped, own)}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", ROLES)
def test_case_actions_of_another_department_are_not_found(case, role):
    """POSTs on another department's case change nothing and reveal nothing."""
    client = staff_login(Client(), member(role, "shimin"))
    before = (case.status, case.events.count())
    for action in ("status", "correction", "approval", "approval/decide", "issue", "assign",
                   "comments", "legal-hold"):
        response = client.post(f"/staff/applications/{case.public_id}/{action}/",
                               {"to_status": "under_review", "fields": ["phone"],
                                "message": "x", "proposal": "approve", "summary": "x",
                                "kind": "approve", "text": "x", "action": "place",
                                "reason": "x"})
        assert response.status_code in (403, 404), (action, response.status_code)
    case.refresh_from_db()
    assert (case.status, case.events.count()) == before
    assert case.legal_hold_reason == ""


def test_staff_pages_need_staff(case, resident):
    """Anonymous visitors are sent to the staff sign-in; residents are refused."""
    resident_client = client_for(resident)
    for _name, (path, _allowed, _scoped) in staff_pages(case).items():
        anonymous = Client().get(path)
        assert anonymous.status_code == 302 and "/staff/login/" in anonymous["Location"], path
        assert resident_client.get(path).status_code == 403, path


def test_staff_after_the_password_only_are_sent_to_the_second_factor(case, staff_user):
    client = Client()
    client.force_login(staff_user)
    response = client.get(f"/staff/applications/{case.public_id}/")
    assert response.status_code == 302 and "/staff/login/code/" in response["Location"]


@pytest.mark.parametrize("who", ["owner", "other resident", "anonymous", "staff"])
def test_resident_pages_by_who_asks(case, resident, other_resident, staff_user, who):
    client = {
        "owner": lambda: client_for(resident),
        "other resident": lambda: client_for(other_resident),
        "anonymous": Client,
        "staff": lambda: staff_login(Client(), staff_user),
    }[who]()
    pages = [f"/my/applications/{case.public_id}/",
             f"/my/applications/{case.public_id}/submitted/",
             f"/my/applications/{case.public_id}/correct/",
             "/my/", f"/my/documents/{uuid.uuid4()}/download/", "/my/account/delete/"]
    for path in pages:
        status = client.get(path).status_code
        if who == "owner":
            allowed = {200, 302} if path.endswith("/correct/") else {200}
            if "/documents/" in path:
                allowed = {404}  # no such document
        elif who == "anonymous":
            allowed = {302}
        elif who == "staff":
            allowed = {403}
        else:
            allowed = {404} if "/applications/" in path or "/documents/" in path else {200}
        assert status in allowed, (who, path, status)


def staff_url_shapes() -> list[tuple[str, str]]:
    """(name, path shape) of every URL under /staff/, whichever app mounts it."""
    found = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            shape = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, shape)
            elif shape.startswith("staff/"):
                found.append((pattern.name or "", "/" + shape))

    walk(get_resolver().url_patterns, "")
    return found


# Staff URLs that are no GET page: actions that only take a POST, the sign-in steps (single
# sign-on through the city's identity provider included: staff/tests/test_sso.py), and the
# counter's resident screen, which is opened by its signed token and no sign-in. ``preview``
# only redirects to the first page's preview (a matrix row). The signed document's download needs
# an issued document: issuance/tests/test_access.py checks it by department and by resident.
# A BPR evidence attachment needs a stored file: bpr/tests/test_views.py checks who may download.
# The certificate page of a 住民票 request by post needs such a request of 市民課:
# issuance/tests/test_postal_views.py checks every role of the department and of another one.
NOT_PAGES = {"status", "bulk_status", "assign", "comment", "correction", "approval_start",
             "approval_decide", "issue", "two_factor_reset", "attachment", "check_in", "reply",
             "close", "forward", "draft", "question_delete", "rule_delete", "synonym_delete",
             "counter", "call", "recall", "absent", "start", "done", "transfer", "open", "send",
             "take_over", "end", "screen", "template_use", "edit", "unpublish", "duplicate",
             "restore", "preview", "staff_download", "preapp_walk_in", "delete", "legal_hold",
             "worksheet_create", "step_move", "evidence_file", "transfer_export",
             "payout_confirm", "refund_request", "refund_decide", "payment_request",
             "login", "two_factor", "two_factor_setup", "logout", "oidc_start", "oidc_callback",
             "certificate", "certificate_choose", "certificate_print", "certificate_posted",
             "approve_with_fee"}


def test_every_staff_page_of_every_app_is_in_the_matrix(case):
    """A new staff page, in any app, must be added to the matrix above (or be no GET page)."""
    rows = {path for path, _roles, _scoped in staff_pages(case).values()}
    shapes = staff_url_shapes()
    assert len(shapes) > 60, "the walk found the staff URLs"
    missing = [shape for name, shape in shapes
               if name not in NOT_PAGES and not any(_matches(shape, row) for row in rows)]
    assert not missing, f"add these staff pages to the authorization matrix: {missing}"


def _matches(shape: str, path: str) -> bool:
    regex = re.sub(r"<[^>]+>", "[^/]+", shape)
    return re.fullmatch(regex, path) is not None
