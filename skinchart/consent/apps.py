from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "skinchart.consent"
    label = "consent"
