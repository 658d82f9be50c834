from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "skinchart.api"
    label = "api"
