from django.apps import AppConfig


class TreatmentSessionsConfig(AppConfig):
    """Treatment sessions. The label is not "sessions": that is Django's login sessions."""

    name = "skinchart.sessions"
    label = "treatment_sessions"
