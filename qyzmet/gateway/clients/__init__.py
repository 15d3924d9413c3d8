"""One client per outside system, each with its simulator in the same module.

`BaseClient._call` is the path of every call: it writes the `Message` row, applies the
system's breaker and retries (`resilience.py`) and sends through the transport picked by
settings (`transport.py`). The concrete clients only name operations and check arguments.
"""

from __future__ import annotations

import uuid

from django.utils import timezone

from ..errors import GatewayError
from ..models import Message
from ..resilience import Policy, call_with_retries, policy_from_settings
from ..transport import Transport, transport_from_settings


def new_correlation_id() -> str:
    return uuid.uuid4().hex


class BaseClient:
    system = ""

    def __init__(self, transport: Transport | None = None, policy: Policy | None = None):
        self.transport = transport or transport_from_settings()
        self.policy = policy or policy_from_settings()
        self.last_message: Message | None = None  # the log row of the latest call, for evidence

    def _call(
        self, operation: str, subject: str | None, params: dict, correlation_id: str | None = None
    ) -> dict:
        message = Message.objects.create(
            correlation_id=correlation_id or new_correlation_id(),
            system=self.system,
            operation=operation,
            subject=subject or "",
            transport=getattr(self.transport, "name", type(self.transport).__name__),
            started_at=timezone.now(),
        )
        self.last_message = message

        def count(attempt: int) -> None:
            message.attempts = attempt

        def attempt_once(timeout: float) -> dict:
            return self.transport.send(
                self.system,
                operation,
                subject,
                params,
                timeout=timeout,
                correlation_id=message.correlation_id,
            )

        try:
            answer = call_with_retries(attempt_once, self.system, self.policy, on_attempt=count)
        except GatewayError as exc:
            self._finish(message, exc.outcome, str(exc))
            raise
        except Exception as exc:
            self._finish(message, "error", f"{type(exc).__name__}: {exc}")
            raise
        self._finish(message, "ok", "")
        return answer

    @staticmethod
    def _finish(message: Message, outcome: str, error: str) -> None:
        message.outcome = outcome
        message.error = error
        message.finished_at = timezone.now()
        message.save(update_fields=["outcome", "error", "finished_at", "attempts"])


def client_for(system: str, **kwargs) -> BaseClient:
    """The client of a system by its name in `transport.SYSTEMS`."""
    from . import conclusions, individuals, legal_entities, payments, tax

    classes = {
        "individuals": individuals.IndividualsClient,
        "legal_entities": legal_entities.LegalEntitiesClient,
        "tax": tax.TaxClient,
        "payments": payments.PaymentsClient,
        "conclusions": conclusions.ConclusionsClient,
    }
    return classes[system](**kwargs)
