"""Staff pages of the navigator: life events, their questions, and rules with deadlines.

Who may do what:

* Life events and their questions are shared by every department (one 出生 event brings
  procedures of 市民課, 子育て支援課 …), so only **administrators** (role ``admin``, of any
  department) create and change them.
* Rules say when one procedure applies and by when. A department's **head or administrator**
  maintains the rules of the department's own procedures; another department's rule answers 404.
* Every change is recorded in the audit log.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from madoguchi.catalog import navigator
from madoguchi.catalog.models import LifeEvent, NavigatorQuestion, NavigatorRule
from madoguchi.core import audit
from madoguchi.core.jsonlogic import variables
from madoguchi.staff.models import StaffMember
from madoguchi.staff.permissions import role_required, staff_member

from .staff_forms import LifeEventForm, QuestionForm, RuleForm

RULE_ROLES = (StaffMember.Role.HEAD, StaffMember.Role.ADMIN)
EVENT_ROLES = (StaffMember.Role.ADMIN,)


def _render_form(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    form = context["form"]
    return render(request, template, context, status=422 if form.errors else 200)


@role_required(*RULE_ROLES)
def index(request: HttpRequest) -> HttpResponse:
    """Every life event, with the number of questions and of this department's rules."""
    staff = staff_member(request)
    events = []
    for event in LifeEvent.objects.prefetch_related("questions", "rules__procedure"):
        own = [r for r in event.rules.all() if r.procedure.department_id == staff.department_id]
        events.append({"event": event, "questions": len(event.questions.all()),
                       "own_rules": len(own), "rules": len(event.rules.all())})
    return render(request, "catalog/staff/index.html",
                  {"events": events, "can_edit_events": staff.is_admin})


@role_required(*RULE_ROLES)
def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """An event's questions and rules; the rules of the staff member's department can be edited."""
    staff = staff_member(request)
    event = get_object_or_404(LifeEvent, slug=slug)
    rules = event.rules.select_related("procedure", "procedure__department")
    today = timezone.localdate()
    rows = []
    for rule in rules:
        rows.append({
            "rule": rule, "own": rule.procedure.department_id == staff.department_id,
            "example": navigator.compute_deadline(rule.deadline_spec(), today),
            "condition": describe_condition(rule.condition, event),
        })
    return render(request, "catalog/staff/event.html", {
        "event": event, "questions": event.questions.all(), "rules": rows, "today": today,
        "can_edit_events": staff.is_admin,
    })


def describe_condition(condition: object, event: LifeEvent) -> str:
    """The condition in words, as the rule editor shows it."""
    parsed = navigator.logic_to_rows(condition)
    if parsed is None:
        return _("A condition written by hand (cannot be shown here).")
    rows, match = parsed
    if not rows:
        return _("Always")
    labels = {q.key: str(q) for q in event.questions.all()}
    words = {
        "is_yes": _("“%(q)s” is yes"), "is_no": _("“%(q)s” is no"),
        "eq": _("“%(q)s” = %(n)s"), "gte": _("“%(q)s” ≥ %(n)s"), "lt": _("“%(q)s” < %(n)s"),
    }
    parts = [words[r.comparison] % {"q": labels.get(r.question, r.question), "n": r.number}
             for r in rows]
    return (_(" or ") if match == "any" else _(" and ")).join(parts)


@role_required(*EVENT_ROLES)
@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    event = get_object_or_404(LifeEvent, slug=slug) if slug else None
    form = LifeEventForm(request.POST or None, instance=event)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save()
            audit.record(request, "navigator.event.save", target_type="life_event",
                         target_id=saved.slug, details={"created": event is None})
        messages.success(request, _("The life event was saved."))
        return redirect("catalog_staff:event", slug=saved.slug)
    return _render_form(request, "catalog/staff/event_form.html", {"form": form, "event": event})


@role_required(*EVENT_ROLES)
@require_http_methods(["GET", "POST"])
def question_edit(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    event = get_object_or_404(LifeEvent, slug=slug)
    question = get_object_or_404(NavigatorQuestion, pk=pk, event=event) if pk else None
    form = QuestionForm(request.POST or None, event=event, instance=question)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save()
            audit.record(request, "navigator.question.save", target_type="navigator_question",
                         target_id=f"{event.slug}:{saved.key}",
                         details={"created": question is None})
        messages.success(request, _("The question was saved."))
        return redirect("catalog_staff:event", slug=event.slug)
    return _render_form(request, "catalog/staff/question_form.html",
                        {"form": form, "event": event, "question": question})


def rules_using(question: NavigatorQuestion) -> list[NavigatorRule]:
    """The event's rules whose condition reads the question."""
    return [r for r in question.event.rules.select_related("procedure")
            if question.key in set(variables(r.condition))]


@role_required(*EVENT_ROLES)
@require_http_methods(["GET", "POST"])
def question_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    event = get_object_or_404(LifeEvent, slug=slug)
    question = get_object_or_404(NavigatorQuestion, pk=pk, event=event)
    using = rules_using(question)
    if request.method == "POST" and not using:
        with transaction.atomic():
            audit.record(request, "navigator.question.delete", target_type="navigator_question",
                         target_id=f"{event.slug}:{question.key}")
            question.delete()
        messages.success(request, _("The question was deleted."))
        return redirect("catalog_staff:event", slug=event.slug)
    return render(request, "catalog/staff/question_delete.html",
                  {"event": event, "question": question, "using": using},
                  status=409 if request.method == "POST" else 200)


def _own_rule(request: HttpRequest, event: LifeEvent, pk: int) -> NavigatorRule:
    """A rule of the event about one of the staff member's department's procedures (else 404)."""
    return get_object_or_404(NavigatorRule.objects.select_related("procedure"), pk=pk,
                             event=event,
                             procedure__department_id=staff_member(request).department_id)


@role_required(*RULE_ROLES)
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    staff = staff_member(request)
    event = get_object_or_404(LifeEvent, slug=slug)
    rule = _own_rule(request, event, pk) if pk else None
    form = RuleForm(request.POST or None, event=event, department_id=staff.department_id,
                    instance=rule)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save()
            audit.record(request, "navigator.rule.save", target_type="navigator_rule",
                         target_id=str(saved.pk),
                         details={"event": event.slug, "procedure": saved.procedure.slug,
                                  "created": rule is None})
        messages.success(request, _("The rule was saved."))
        return redirect("catalog_staff:event", slug=event.slug)
    examples = []
    if rule is not None:
        today = timezone.localdate()
        for day in (today, today + dt.timedelta(days=(5 - today.weekday()) % 7 or 7)):
            examples.append((day, navigator.compute_deadline(rule.deadline_spec(), day)))
    return _render_form(request, "catalog/staff/rule_form.html",
                        {"form": form, "event": event, "rule": rule, "examples": examples})


@role_required(*RULE_ROLES)
@require_http_methods(["GET", "POST"])
def rule_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    event = get_object_or_404(LifeEvent, slug=slug)
    rule = _own_rule(request, event, pk)
    if request.method == "POST":
        with transaction.atomic():
            audit.record(request, "navigator.rule.delete", target_type="navigator_rule",
                         target_id=str(rule.pk),
                         details={"event": event.slug, "procedure": rule.procedure.slug})
            rule.delete()
        messages.success(request, _("The rule was deleted."))
        return redirect("catalog_staff:event", slug=event.slug)
    return render(request, "catalog/staff/rule_delete.html", {"event": event, "rule": rule})

