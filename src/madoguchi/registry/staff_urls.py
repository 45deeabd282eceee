"""Staff pages of the registry: the counter look-up.

Mounted by the root URLconf under ``staff/`` in the shared ``staff`` namespace.
"""

from django.urls import path

from . import staff_views

urlpatterns = [
    path("registry/", staff_views.look_up, name="registry"),
]
