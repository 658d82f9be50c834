from django.apps import AppConfig


class GuidesConfig(AppConfig):
    name = "skinchart.guides"
    label = "guides"
