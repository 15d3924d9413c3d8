from django.apps import AppConfig
from django.conf import settings


class AnalyticsConfig(AppConfig):
    name = "qyzmet.analytics"

    def ready(self):
        if getattr(settings, "QYZMET_ANALYTICS_FILE", None):
            from . import subscribers  # noqa: F401 - registers the export of every event
