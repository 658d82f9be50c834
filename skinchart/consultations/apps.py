from django.apps import AppConfig


class ConsultationsConfig(AppConfig):
    name = "skinchart.consultations"
    label = "consultations"
