"""The hook point for analytics: every event the engine records, exported as a JSON line.

When `settings.QYZMET_ANALYTICS_FILE` is set, the subscriber `analytics.export` appends each event
(id, kind, subject, moment, data) to that file, for a loader into a warehouse or a log shipper to
pick up; an event handed over again after a crash is written again with the same id, which the
reader drops. Unset (the default), nothing subscribes and no deliveries are made.
"""
