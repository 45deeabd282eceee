"""The staff console: choose my counter, call the next ticket, recall, absent, transfer, serve.

Clerks see and act on the tickets of their own department only; another department's ticket
answers 404. Every action is a service in one transaction, audit-logged there.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from madoguchi.staff.models import Department
from madoguchi.staff.permissions import case_handler_required, staff_member

from . import selectors, services
from .forms import TransferForm
from .models import Counter, Ticket

SESSION_COUNTER = "tickets_counter"


def _my_counter(request: HttpRequest) -> Counter | None:
    pk = request.session.get(SESSION_COUNTER)
    return Counter.objects.filter(pk=pk).first() if isinstance(pk, int) else None


@require_GET
@case_handler_required
def console(request: HttpRequest) -> HttpResponse:
    staff = staff_member(request)
    counter = _my_counter(request)
    data = selectors.console(staff.department_id, counter, timezone.localdate())
    return render(request, "tickets/staff/console.html", {
        "staff": staff, "counter": counter, "counters": selectors.counters(),
        "transfer_form": TransferForm(departments=Department.objects.all()), **data,
    })


@require_POST
@case_handler_required
def choose_counter(request: HttpRequest) -> HttpResponse:
    raw = request.POST.get("counter", "")
    valid = raw.isascii() and raw.isdigit() and len(raw) < 10
    counter = Counter.objects.filter(pk=int(raw)).first() if valid else None
    if counter is None:
        messages.error(request, _("Choose your counter from the list."))
    else:
        request.session[SESSION_COUNTER] = counter.pk
    return redirect("tickets_staff:console")


@require_POST
@case_handler_required
def call_next(request: HttpRequest) -> HttpResponse:
    counter = _my_counter(request)
    if counter is None:
        messages.error(request, _("Choose your counter first."))
        return redirect("tickets_staff:console")
    ticket = services.call_next(request, staff_member(request), counter)
    if ticket is None:
        messages.info(request, _("Nobody is waiting."))
    else:
        messages.success(request, _("Called %(number)s to %(counter)s.")
                         % {"number": ticket.label, "counter": counter})
    return redirect("tickets_staff:console")


Action = Callable[..., Ticket]
ACTIONS: dict[str, tuple[Action, object]] = {
    "recall": (services.recall, gettext_lazy("Called %(number)s again.")),
    "absent": (services.mark_absent, gettext_lazy("%(number)s was marked absent.")),
    "start": (services.start, gettext_lazy("Serving %(number)s.")),
    "done": (services.finish, gettext_lazy("%(number)s is done.")),
}


def _act(request: HttpRequest, pk: int, function: Action, done: object,
         **options: object) -> HttpResponse:
    """Run one clerk's action on ticket ``pk`` and say how it went on the console."""
    try:
        ticket = function(request, staff_member(request), pk, **options)
    except Ticket.DoesNotExist as missing:
        raise Http404(_("No such ticket in your department.")) from missing
    except services.TicketRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, str(done) % {"number": ticket.label})
    return redirect("tickets_staff:console")


@require_POST
@case_handler_required
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Recall, mark absent, start or finish a ticket: ``action`` is an ``ACTIONS`` key (URL)."""
    function, done = ACTIONS[action]
    return _act(request, pk, function, done)


@require_POST
@case_handler_required
def transfer(request: HttpRequest, pk: int) -> HttpResponse:
    form = TransferForm(request.POST, departments=Department.objects.all())
    if not form.is_valid():
        junk = form.has_error("counter") or form.has_error("department")
        for error in ([_("Choose a counter or a department from the lists.")] if junk
                      else form.non_field_errors()):
            messages.error(request, error)
        return redirect("tickets_staff:console")
    return _act(request, pk, services.transfer, _("%(number)s was transferred."),
                counter=form.cleaned_data["counter"],
                department=form.cleaned_data["department"])
