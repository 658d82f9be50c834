from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "skinchart.catalogue"
    label = "catalogue"
