"""Sending SMS to applicants: one small client interface and the stubs that stand in for an operator.

    from qyzmet.notifications.sms import client
    client().send("+77011234567", "Your application QZ-151014-000042 was filed")

`settings.QYZMET_SMS_BACKEND` names the class (dotted path); by default the console stub, which
prints the message, as Django's console e-mail backend does. `FileSmsClient` appends each message
as a JSON line to `settings.QYZMET_SMS_FILE` (default var/sms-outbox.jsonl) for demos and drills;
`MemorySmsClient` keeps them in `outbox` for tests. A real operator's client subclasses `SmsClient`
and raises `SmsError` when the message was not accepted.
"""

from __future__ import annotations

import abc
import json
import sys
import threading
import uuid
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

DEFAULT_BACKEND = "qyzmet.notifications.sms.ConsoleSmsClient"


class SmsError(Exception):
    """The message was not accepted for delivery."""


class SmsClient(abc.ABC):
    """An SMS operator: `send` returns the operator's message id or raises SmsError."""

    @abc.abstractmethod
    def send(self, to: str, text: str) -> str:
        """Hand one message to the operator."""


class ConsoleSmsClient(SmsClient):
    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def send(self, to: str, text: str) -> str:
        message_id = uuid.uuid4().hex
        self.stream.write(f"SMS to {to} ({message_id}):\n{text}\n{'-' * 40}\n")
        self.stream.flush()
        return message_id


class FileSmsClient(SmsClient):
    _lock = threading.Lock()

    def __init__(self, path: str | Path | None = None):
        self.path = Path(
            path or getattr(settings, "QYZMET_SMS_FILE", Path(settings.VAR_DIR) / "sms-outbox.jsonl")
        )

    def send(self, to: str, text: str) -> str:
        message_id = uuid.uuid4().hex
        line = json.dumps(
            {"id": message_id, "to": to, "text": text, "at": timezone.now().isoformat()}, ensure_ascii=False
        )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, self.path.open("a", encoding="utf-8") as out:
            out.write(line + "\n")
        return message_id


class MemorySmsClient(SmsClient):
    """Keeps messages in the class-wide `outbox` (tests empty it), like Django's locmem mail."""

    outbox: list[dict] = []

    def send(self, to: str, text: str) -> str:
        message_id = uuid.uuid4().hex
        self.outbox.append({"id": message_id, "to": to, "text": text})
        return message_id


def client() -> SmsClient:
    """The configured SMS client."""
    return import_string(getattr(settings, "QYZMET_SMS_BACKEND", DEFAULT_BACKEND))()
