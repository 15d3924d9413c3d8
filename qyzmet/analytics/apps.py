from django.apps import AppConfig
from django.conf import settings


class AnalyticsConfig(AppConfig):
    name = "qyzmet.analytics"

    def ready(self):
        if getattr(settings, "QYZMET_ANALYTICS_FILE", None):
            from .subscribers import register

            register()
