"""The counter's pages, mounted at /staff/counter/ in the ``counter`` namespace."""

from django.urls import path

from . import preapp_views, views

app_name = "counter"

urlpatterns = [
    path("", views.index, name="index"),
    path("open/", views.open_visit, name="open"),
    path("screen/<str:token>/", views.screen, name="screen"),
    path("pre/<str:code>/", preapp_views.staff_open, name="preapp"),
    path("pre/<str:code>/walk-in/", preapp_views.staff_open_walk_in, name="preapp_walk_in"),
    path("<uuid:visit_id>/", views.visit_page, name="visit"),
    path("<uuid:visit_id>/identify/", views.identify, name="identify"),
    path("<uuid:visit_id>/new-resident/", views.new_resident, name="new_resident"),
    path("<uuid:visit_id>/plan/", views.plan, name="plan"),
    path("<uuid:visit_id>/procedures/", views.procedures, name="procedures"),
    path("<uuid:visit_id>/interview/", views.interview_page, name="interview"),
    path("<uuid:visit_id>/send/", views.send, name="send"),
    path("<uuid:visit_id>/summary/", views.summary, name="summary"),
    path("<uuid:visit_id>/summary.pdf", views.summary_pdf, name="summary_pdf"),
    path("<uuid:visit_id>/paper/<slug:slug>.pdf", views.paper_pdf, name="paper_pdf"),
    path("<uuid:visit_id>/take-over/", views.take_over, name="take_over"),
    path("<uuid:visit_id>/end/", views.end, name="end"),
]
