"""The staff console for tickets (mounted at /staff/tickets/)."""

from django.urls import path

from . import staff_views

app_name = "tickets_staff"

urlpatterns = [
    path("", staff_views.console, name="console"),
    path("counter/", staff_views.choose_counter, name="counter"),
    path("call/", staff_views.call_next, name="call"),
    path("<int:pk>/recall/", staff_views.act, {"action": "recall"}, name="recall"),
    path("<int:pk>/absent/", staff_views.act, {"action": "absent"}, name="absent"),
    path("<int:pk>/start/", staff_views.act, {"action": "start"}, name="start"),
    path("<int:pk>/done/", staff_views.act, {"action": "done"}, name="done"),
    path("<int:pk>/transfer/", staff_views.transfer, name="transfer"),
]
