from django.apps import AppConfig


class EngineConfig(AppConfig):
    name = "qyzmet.engine"

    def ready(self):
        # Load the Celery app with Django, so `.delay()` anywhere uses its settings (in the
        # embedded default: eager, in-process) rather than Celery's unconfigured default app.
        from qyzmet import celery  # noqa: F401
