"""Recording the conclusions other bodies send (the medical licence asks for them)."""

import datetime as dt

import pytest

from qyzmet.calendar.workcal import ALMATY
from qyzmet.engine import paths, services

from .api_helpers import MEDICAL_LICENCE, bearer, freeze, new_application, provider, staff_for
from .engine_helpers import protocol_for

pytestmark = pytest.mark.django_db

FILED = dt.datetime(2015, 7, 1, 10, tzinfo=ALMATY)


@pytest.fixture
def world(monkeypatch):
    a = provider("almaty-health", MEDICAL_LICENCE)
    app = new_application(a, FILED, MEDICAL_LICENCE, channel="provider_office")
    proc = app.regulation.parsed.procedure(app.procedure)
    run = app.steps.get()
    while not proc.step(run.step_id).requests_conclusion_from:  # drive it to the step that asks
        step = proc.step(run.step_id)
        outcome = paths.choose(step, "issue") if step.branches else None
        run = services.complete_step(
            run.pk,
            staff_for(a, step.actor),
            outcome,
            at=run.started_at,
            **protocol_for(app.regulation.parsed, run, run.started_at),
        )
    freeze(monkeypatch, run.started_at + dt.timedelta(hours=1))
    return {
        "app": app,
        "run": run,
        "handler": staff_for(a, run.role),
        "outsider": staff_for(provider("elsewhere", MEDICAL_LICENCE), "head"),
    }


def answer(client, user, app, conclusion_id, **body):
    return client.post(
        f"/api/v1/applications/{app.number}/conclusions/{conclusion_id}",
        body,
        content_type="application/json",
        headers=bearer(user),
    )


def test_answers_are_recorded_once(client, world):
    app, req = world["app"], world["run"].conclusions.first()
    response = answer(client, world["handler"], app, req.pk, answer="positive", note="no objections")
    assert response.status_code == 200
    [recorded] = [c for c in response.json()["conclusions"] if c["id"] == req.pk]
    assert recorded["answer"] == "positive" and recorded["note"] == "no objections"
    again = answer(client, world["handler"], app, req.pk, answer="negative")
    assert again.status_code == 409 and again.json()["detail"]


def test_the_step_waits_for_every_answer(client, world):
    app, run = world["app"], world["run"]
    first, *others = run.conclusions.all()
    assert others, "the medical licence asks more than one body"
    body = answer(client, world["handler"], app, first.pk, answer="positive").json()
    outcome = body["current_steps"][0]["allowed_outcomes"][0]
    waiting = client.post(
        f"/api/v1/applications/{app.number}/steps/{run.pk}/complete",
        {"outcome": outcome},
        content_type="application/json",
        headers=bearer(world["handler"]),
    )
    assert waiting.status_code == 409 and "awaited" in waiting.json()["detail"]


def test_outsiders_do_not_see_it_and_answers_are_positive_or_negative(client, world):
    app, req = world["app"], world["run"].conclusions.first()
    assert answer(client, world["outsider"], app, req.pk, answer="positive").status_code == 404
    bad = answer(client, world["handler"], app, req.pk, answer="maybe")
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "answer"
    assert answer(client, world["handler"], app, 999999, answer="positive").status_code == 404
