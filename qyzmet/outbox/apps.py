from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "qyzmet.outbox"
    verbose_name = "events"
