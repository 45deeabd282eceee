from django.urls import path

from . import staff_views

app_name = "faq_staff"
urlpatterns = [
    path("", staff_views.entry_list, name="entries"),
    path("new/", staff_views.entry_new, name="entry_new"),
    path("<int:pk>/", staff_views.entry_edit, name="entry_edit"),
    path("<int:pk>/delete/", staff_views.entry_delete, name="entry_delete"),
    path("inquiries/", staff_views.inquiry_list, name="inquiries"),
    path("inquiries/<uuid:public_id>/", staff_views.inquiry_detail, name="inquiry"),
    path("inquiries/<uuid:public_id>/reply/", staff_views.inquiry_reply, name="reply"),
    path("inquiries/<uuid:public_id>/close/", staff_views.inquiry_close, name="close"),
    path("inquiries/<uuid:public_id>/forward/", staff_views.inquiry_forward, name="forward"),
    path("unanswered/", staff_views.unanswered, name="unanswered"),
    path("unanswered/<uuid:public_id>/draft/", staff_views.make_draft, name="draft"),
]
