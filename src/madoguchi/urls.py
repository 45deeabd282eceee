"""URL configuration."""

from django.apps import apps
from django.urls import include, path

from madoguchi.core import views as core_views
from madoguchi.core.metrics import metrics_view
from madoguchi.residents.views import set_language

# The "staff" namespace is shared: each app owns the module of its own staff pages.
STAFF_URLS = [
    path("", include("madoguchi.staff.urls")),
    path("", include("madoguchi.applications.staff_urls")),
    path("", include("madoguchi.approvals.staff_urls")),
    path("", include("madoguchi.registry.staff_urls")),
    path("", include("madoguchi.retention.staff_urls")),
]

# The "residents" namespace is shared too: the my page belongs to applications.
RESIDENT_URLS = [
    path("", include("madoguchi.residents.urls")),
    path("", include("madoguchi.applications.my_urls")),
    path("", include("madoguchi.retention.my_urls")),
]

# The "catalog" namespace holds the site search page of the search app too (catalog:search).
CATALOG_URLS = [
    path("", include("madoguchi.catalog.urls")),
    path("", include("madoguchi.search.resident_urls")),
]

urlpatterns = [
    path("i18n/setlang/", set_language, name="set_language"),
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
    path("staff/forms/", include("madoguchi.forms.builder.urls")),
    path("staff/reservations/", include("madoguchi.reservations.staff.urls")),
    path("staff/faq/", include("madoguchi.faq.staff_urls")),
    path("staff/search/", include("madoguchi.search.staff_urls")),
    path("staff/navigator/", include("madoguchi.catalog.navigator.staff_urls")),
    path("staff/tickets/", include("madoguchi.tickets.staff_urls")),
    path("staff/ruby/", include("madoguchi.catalog.ruby_staff_urls")),
    path("staff/counter/", include("madoguchi.counter.urls")),
    path("staff/bpr/effect/", include("madoguchi.bpr.dashboard_urls")),
    path("staff/bpr/", include("madoguchi.bpr.urls")),
    path("staff/translations/", include("madoguchi.translations.urls")),
    path("staff/payments/", include("madoguchi.payments.staff_urls")),
    path("staff/", include((STAFF_URLS, "staff"))),
    path("", include("madoguchi.forms.urls")),
    path("", include((RESIDENT_URLS, "residents"))),
    path("", include("madoguchi.applications.urls")),
    path("", include((CATALOG_URLS, "catalog"))),
    path("", include("madoguchi.issuance.urls")),
    path("", include("madoguchi.reservations.urls")),
    path("", include("madoguchi.faq.urls")),
    # The LINE app serves the notification settings and LINE pages in the old "channels" namespace.
    path("", include(("madoguchi.line.urls", "channels"))),
    path("", include("madoguchi.tickets.urls")),
    path("", include("madoguchi.payments.urls")),
    path("pre/", include("madoguchi.counter.preapp_urls")),
]

# Edge apps, mounted only where installed (never in production): the demo and the bench floor.
if apps.is_installed("madoguchi.demo"):
    urlpatterns.append(path("demo/", include("madoguchi.demo.urls")))
if apps.is_installed("madoguchi.benchfloor"):
    urlpatterns.append(path("bench/", include("madoguchi.benchfloor.urls")))
