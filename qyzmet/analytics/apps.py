"""The hook point for analytics: every event the engine records, exported as a JSON line.

When `settings.QYZMET_ANALYTICS_FILE` is set, the subscriber `analytics.export` appends each event
(id, kind, subject, moment, data) to that file, for a loader into a warehouse or a log shipper to
pick up; an event handed over again after a crash is written again with the same id, which the
reader drops. Unset (the default), nothing subscribes and no deliveries are made.

On SQLite, each connection gets the percentile aggregate PostgreSQL has built in (`aggregates`).
"""

from django.apps import AppConfig
from django.conf import settings
from django.db.backends.signals import connection_created


class AnalyticsConfig(AppConfig):
    name = "qyzmet.analytics"

    def ready(self):
        from .aggregates import register_sqlite

        connection_created.connect(register_sqlite, dispatch_uid="qyzmet.analytics.percentile")
        if getattr(settings, "QYZMET_ANALYTICS_FILE", None):
            from .subscribers import register

            register()
