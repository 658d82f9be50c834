from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "skinchart.accounts"
    label = "accounts"
