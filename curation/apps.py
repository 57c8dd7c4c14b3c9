"""App config for curation."""

from django.apps import AppConfig


class CurationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "curation"

    def ready(self) -> None:
        from curation import receivers, signals  # noqa: F401  (connects the receivers)
        from curation.steering.launch import steered_batch_launch
        from generation.planning import steered_launcher_register

        steered_launcher_register(steered_batch_launch)
