from django.urls import path

from . import views

app_name = "faq"
urlpatterns = [
    path("chat/", views.chat, name="chat"),
    path("chat/answers/", views.chat_answers, name="chat_answers"),
    path("chat/feedback/", views.feedback, name="feedback"),
    path("faq/", views.faq_index, name="index"),
    path("faq/<int:pk>/", views.faq_entry, name="entry"),
    path("my/inquiries/", views.inquiry_list, name="inquiries"),
    path("my/inquiries/new/", views.inquiry_new, name="inquiry_new"),
    path("my/inquiries/<uuid:public_id>/", views.inquiry_detail, name="inquiry"),
    path("my/inquiries/<uuid:public_id>/close/", views.inquiry_close, name="inquiry_close"),
]
