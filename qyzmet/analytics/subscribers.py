"""Every engine event appended to the analytics file as one JSON line."""

import json
import threading

from django.conf import settings

from qyzmet.engine import events
from qyzmet.outbox.subscribers import subscriber

_lock = threading.Lock()


def export(event) -> None:
    line = {
        "id": str(event.id),
        "kind": event.kind,
        "application": event.subject_id,
        "at": event.at.isoformat(),
        "data": event.data,
    }
    with _lock, open(settings.QYZMET_ANALYTICS_FILE, "a", encoding="utf-8") as out:
        out.write(json.dumps(line, ensure_ascii=False) + "\n")


def register() -> None:
    """Subscribe the export to every kind of event (AnalyticsConfig.ready, when configured)."""
    subscriber("analytics.export", *events.KINDS)(export)
