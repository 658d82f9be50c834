from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "skinchart.audit"
    label = "audit"
