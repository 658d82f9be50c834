from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "skinchart.scheduling"
    label = "scheduling"
