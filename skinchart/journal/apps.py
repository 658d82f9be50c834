from django.apps import AppConfig


class JournalConfig(AppConfig):
    name = "skinchart.journal"
    label = "journal"
