from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "madoguchi.tickets"
    label = "tickets"
    verbose_name = "Tickets and calling"
