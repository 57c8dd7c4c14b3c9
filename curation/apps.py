"""App config for curation."""

from django.apps import AppConfig


class CurationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "curation"

    def ready(self) -> None:
        from curation import receivers, signals  # noqa: F401  (connects the receivers)
