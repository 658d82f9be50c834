from django.apps import AppConfig


class ProductsConfig(AppConfig):
    name = "skinchart.products"
    label = "products"
