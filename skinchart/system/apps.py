from django.apps import AppConfig


class SystemConfig(AppConfig):
    name = "skinchart.system"
    label = "system"

    def ready(self) -> None:
        from skinchart.system import checks  # noqa: F401  (registers the checks)
