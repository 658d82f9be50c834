from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "skinchart.demo"
    label = "demo"
