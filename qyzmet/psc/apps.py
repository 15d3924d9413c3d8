"""The Population Service Centre (PSC) channel: queue, acceptance, transfers, handover, storage."""

from django.apps import AppConfig


class PscConfig(AppConfig):
    name = "qyzmet.psc"

    def ready(self):
        # An acceptance follows its registration with the provider (filed or refused), in the
        # paper intake's transaction: at once, or when a queued registration is retried.
        from qyzmet.intake.paper.registration import settled

        from .services import on_registration_settled

        settled.connect(on_registration_settled, dispatch_uid="psc-acceptance-follows-registration")
        from . import subscribers  # noqa: F401 - registers the handler of the engine's closing events
