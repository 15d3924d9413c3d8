"""The analytics hook point: with QYZMET_ANALYTICS_FILE set, every engine event is exported once."""

import json

import pytest

from qyzmet.analytics.subscribers import register
from qyzmet.engine import events
from qyzmet.outbox import subscribers
from qyzmet.outbox.models import Event

from .registry_helpers import LICENCE, drive, make_provider

pytestmark = pytest.mark.django_db


def test_every_event_of_an_issued_application_is_exported_as_a_json_line(settings, tmp_path, monkeypatch):
    settings.QYZMET_ANALYTICS_FILE = tmp_path / "events.jsonl"
    monkeypatch.setattr(subscribers, "_subscribers", dict(subscribers._subscribers))
    register()  # as AnalyticsConfig.ready does when the file is configured
    app = drive(make_provider(LICENCE), LICENCE, "S6")
    lines = [json.loads(line) for line in settings.QYZMET_ANALYTICS_FILE.read_text().splitlines()]
    stored = Event.objects.filter(subject_id=app.pk)
    assert sorted(line["id"] for line in lines) == sorted(str(e.id) for e in stored)
    assert {line["kind"] for line in lines} == {
        events.FILED,
        events.STEP_COMPLETED,
        events.CONCLUSION_ANSWERED,
        events.CLOSED,
    }
    assert all(line["application"] == app.pk for line in lines)
