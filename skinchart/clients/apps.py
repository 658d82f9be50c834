from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "skinchart.clients"
    label = "clients"
