from django.apps import AppConfig


class EngineConfig(AppConfig):
    name = "qyzmet.engine"

    def ready(self):
        # Load the Celery app with Django, so `.delay()` anywhere uses its settings (in the
        # embedded default: eager, in-process) rather than Celery's unconfigured default app.
        import os

        from qyzmet import celery  # noqa: F401

        # runserver's autoreloader runs the app in a child with RUN_MAIN set: start only there.
        if os.environ.get("QYZMET_INPROCESS_SCHEDULER") == "1" and os.environ.get("RUN_MAIN") == "true":
            from .scheduler import start

            start()
