from django.apps import AppConfig


class PhotosConfig(AppConfig):
    name = "skinchart.photos"
    label = "photos"

    def ready(self) -> None:
        from skinchart.photos import checks, pipeline  # noqa: F401  (registers the check; Pillow limits)

        pipeline.configure_pillow()
