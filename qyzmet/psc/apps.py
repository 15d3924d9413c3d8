"""The Population Service Centre (PSC) channel: queue, acceptance, transfers, handover, storage."""

from django.apps import AppConfig


class PscConfig(AppConfig):
    name = "qyzmet.psc"
