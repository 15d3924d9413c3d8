"""The hook point for analytics: every event the engine records, exported as a JSON line.

When `settings.QYZMET_ANALYTICS_FILE` is set, the subscriber `analytics.export` appends each event
(id, kind, subject, moment, data) to that file, for a loader into a warehouse or a log shipper to
pick up; an event handed over again after a crash is written again with the same id, which the
reader drops. Unset (the default), nothing subscribes and no deliveries are made.

With each hourly roll-up of the engine's figures (its `rolled_up` signal), the figures' totals
are recorded under the same generation (`rollup`); the pages read them (`totals`).

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
        # the figures' totals, summed with each roll-up of the engine's (`rollup`)
        from qyzmet.engine.figures import rolled_up

        from .rollup import record

        rolled_up.connect(record, dispatch_uid="qyzmet.analytics.rollup")
        if getattr(settings, "QYZMET_ANALYTICS_FILE", None):
            from .subscribers import register

            register()
