"""One write path per state change: the same scenario leaves the same rows on every backend.

On PostgreSQL each change is one statement (engine/store.py, registry/store.py); on SQLite the
same writes are separate statements in a transaction. This scenario runs every state change
(file, advance, a body's answer, pause, resume, close with a result and with a refusal, the
register entry, the audit entries, the outbox events and their deliveries) and compares what the
database holds afterwards, normalized (ids as ordinals, hashes and wall-clock times left out), with
one expected snapshot, tests/data/engine_scenario.json. The SQLite and the PostgreSQL CI passes
both run it against that one file, so both backends leave the same rows.

After a deliberate change of what is written: QYZMET_UPDATE_SNAPSHOT=1 pytest tests/test_engine_backends.py
rewrites the file; review its diff.
"""

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from qyzmet.audit.log import verify as verify_audit
from qyzmet.audit.models import AuditEntry
from qyzmet.engine import services
from qyzmet.engine.models import Application, ConclusionRequest, Pause, StepRun
from qyzmet.notifications.models import Notification
from qyzmet.outbox.models import Delivery, Event
from qyzmet.registry import chain
from qyzmet.registry.models import RegisterEntry, RegisterEvent
from qyzmet.regulations.loader import catalogue

from .engine_helpers import filing_moment, staff_for
from .registry_helpers import LICENCE, make_provider

pytestmark = pytest.mark.django_db

SNAPSHOT = Path(__file__).parent / "data" / "engine_scenario.json"
APPLICANTS = ("870412300129", "900101300156")


def _scenario():
    """Two licence applications: one issued (with a pause of the clock on the way), one refused
    on a body's negative conclusion. Every moment is fixed, so every row is determined."""
    reg = catalogue()[LICENCE]
    provider = make_provider(LICENCE)
    staff = {role: staff_for(provider, role) for role in ("office-clerk", "licensing-department", "head")}
    filed = filing_moment(reg)
    apps = []
    for n, (applicant, path) in enumerate(
        zip(
            APPLICANTS,
            [
                {"S2": "issue", "S4": "positive"},
                {"S2": "issue", "S4": "negative"},
            ],
            strict=True,
        )
    ):
        at = filed + dt.timedelta(hours=n)
        app = services.file_application(
            service=reg.service,
            provider=provider,
            variant="issue",
            channel="provider_office",
            applicant=applicant,
            applicant_name="ТОО «Шипагер»",
            filed_at=at,
            actor="reception",
            data={"contacts": {"email": f"holder{n}@example.kz"}, "language": "en"},
        )
        run = app.steps.get()
        while run is not None:
            at += dt.timedelta(minutes=30)
            if run.step_id == "S2" and n == 0:  # the clock stands still for a day
                services.pause(
                    app.pk, "state_database_unavailable", "gateway", note="the database is down", at=at
                )
                at += dt.timedelta(days=1)
                services.resume(app.pk, staff["head"], at=at)
                run.refresh_from_db()
            for i, request in enumerate(run.conclusions.order_by("body")):
                answer = "negative" if path["S4"] == "negative" and i == 0 else "positive"
                services.answer_conclusion(request.pk, answer, by=request.body, note="checked", at=at)
            outcome = path.get(run.step_id)
            extra = {}
            if outcome == "negative":
                extra = {"grounds": [reg.refusal_grounds[0].code], "note": "Нет справки / Анықтама жоқ"}
            run = services.complete_step(run.pk, staff[run.role], outcome, at=at, **extra)
        apps.append(Application.objects.get(pk=app.pk))
    return provider, apps


def _ordinals(rows, key="id"):
    return {row[key]: i + 1 for i, row in enumerate(sorted(rows, key=lambda r: str(r[key])))}


def _snapshot(provider, apps) -> dict:
    """What the database holds after the scenario, with what differs between backends but
    carries no meaning left out or renamed: ids become ordinals; hashes (which cover the ids) and
    wall-clock times (not the platform's clock) are dropped; the chains are verified instead."""
    app_ids = [a.pk for a in apps]
    users = {u.pk: u.username.split(".", 1)[1] for u in get_user_model().objects.all() if "." in u.username}
    application = list(Application.objects.filter(pk__in=app_ids).order_by("id").values())
    app_no = {row["id"]: i + 1 for i, row in enumerate(application)}
    runs = list(
        StepRun.objects.filter(application_id__in=app_ids)
        .order_by("application_id", "started_at", "id")
        .values()
    )
    run_no = {row["id"]: i + 1 for i, row in enumerate(runs)}
    requests = list(
        ConclusionRequest.objects.filter(application_id__in=app_ids).order_by("step_run_id", "body").values()
    )
    pause_no = {
        pk: i + 1
        for i, pk in enumerate(
            Pause.objects.filter(application_id__in=app_ids)
            .order_by("started_at", "id")
            .values_list("pk", flat=True)
        )
    }

    def with_pause(data: dict) -> dict:
        # an event or audit entry about a pause names its row: an ordinal here, as every other id
        return data | {"pause": pause_no[data["pause"]]} if "pause" in data else data

    events = sorted(
        (e | {"data": with_pause(e["data"])} for e in Event.objects.filter(subject_id__in=app_ids).values()),
        key=lambda e: (app_no[e["subject_id"]], e["at"], e["kind"], json.dumps(e["data"], sort_keys=True)),
    )
    event_no = {row["id"]: i + 1 for i, row in enumerate(events)}
    entries = list(RegisterEntry.objects.order_by("number").values())
    entry_no = {row["id"]: i + 1 for i, row in enumerate(entries)}

    def without(row, *fields):
        return {k: v for k, v in row.items() if k not in fields}

    snapshot = {
        "applications": [
            without(row, "id", "provider_id") | {"id": app_no[row["id"]]} for row in application
        ],
        "step_runs": [
            without(row, "id", "application_id", "completed_by_id", "assignee_id")
            | {
                "application": app_no[row["application_id"]],
                "completed_by": users.get(row["completed_by_id"]),
                "assignee": users.get(row["assignee_id"]),
            }
            for row in runs
        ],
        "conclusion_requests": [
            without(row, "id", "application_id", "step_run_id")
            | {"application": app_no[row["application_id"]], "step_run": run_no[row["step_run_id"]]}
            for row in requests
        ],
        "pauses": [
            without(row, "id", "application_id") | {"application": app_no[row["application_id"]]}
            for row in Pause.objects.filter(application_id__in=app_ids).order_by("started_at").values()
        ],
        "audit": [
            without(row, "id", "chain", "prev_hash", "hash", "subject_id", "data")
            | {"subject": app_no[int(row["subject_id"])], "data": with_pause(row["data"])}
            for row in AuditEntry.objects.order_by("at", "id").values()
        ],
        "register_entries": [
            without(row, "id", "application_id", "provider_id", "prev_hash", "hash", "original_id")
            | {"application": app_no[row["application_id"]]}
            for row in entries
        ],
        "register_events": [
            without(row, "id", "entry_id", "prev_hash", "hash") | {"entry": entry_no[row["entry_id"]]}
            for row in RegisterEvent.objects.order_by("seq").values()
        ],
        "events": [
            without(row, "id", "subject_id", "recorded_at") | {"application": app_no[row["subject_id"]]}
            for row in events
        ],
        "deliveries": sorted(
            (
                without(row, "id", "event_id", "last_attempt_at", "delivered_at")
                | {"event": event_no[row["event_id"]]}
                for row in Delivery.objects.values()
            ),
            key=lambda d: (d["event"], d["subscriber"]),
        ),
        "notifications": [
            without(row, "id", "application_id", "sent_at") | {"application": app_no[row["application_id"]]}
            for row in Notification.objects.order_by("application_id", "event", "channel").values()
        ],
    }
    text = json.dumps(snapshot, sort_keys=True, default=str, ensure_ascii=False, indent=1)
    # numbers and logins carry the ids: the application's number ends in its id, staff logins
    # begin with the provider's
    for pk, n in app_no.items():
        text = text.replace(f"-{pk:06d}", f"-<application {n}>")
    text = text.replace(f'"{provider.pk}.', '"<provider>.')
    return json.loads(text)


def test_every_state_change_leaves_the_same_rows_on_every_backend():
    provider, apps = _scenario()
    assert [a.status for a in apps] == ["issued", "refused"]
    assert verify_audit()[1] is None and chain.verify().intact
    got = _snapshot(provider, apps)
    if os.environ.get("QYZMET_UPDATE_SNAPSHOT"):
        SNAPSHOT.write_text(
            json.dumps(got, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
        )
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    for table in expected:
        assert got[table] == expected[table], table
    assert got.keys() == expected.keys()
