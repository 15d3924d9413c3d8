"""The Population Service Centre (PSC) channel: queue, acceptance, transfers, handover, storage."""

from django.apps import AppConfig


class PscConfig(AppConfig):
    name = "qyzmet.psc"

    def ready(self):
        from . import subscribers  # noqa: F401 - registers the handler of the engine's closing events
