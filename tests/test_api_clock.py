"""Pausing and resuming the legal clock through the API: due moments move by the stopped time.

The clock stops only on a ground the law gives for the application (`law_rules.yaml`): here an
export-control licence (tests/pause_helpers.py); a specialist certificate has none."""

import datetime as dt

import pytest

from qyzmet.calendar.workcal import ALMATY

from .api_helpers import bearer, freeze, new_application, provider, staff_for
from .pause_helpers import RULE, export_control_application

EXPORT_MONDAY = dt.datetime(2015, 6, 22, 10, 0, tzinfo=ALMATY)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(monkeypatch):
    a, b = provider("dept-almaty"), provider("dept-astana")
    app = export_control_application(a, filed_at=EXPORT_MONDAY)
    freeze(monkeypatch, EXPORT_MONDAY + dt.timedelta(hours=1))
    return {
        "app": app,
        "certificate": new_application(a),
        "clerk": staff_for(a, "office-clerk"),
        "executor": staff_for(a, "executor"),
        "outsider": staff_for(b, "head"),
    }


def post(client, user, app, action, body=None):
    return client.post(
        f"/api/v1/applications/{app.number}/{action}",
        body or {},
        content_type="application/json",
        headers=bearer(user),
    )


def test_pause_then_resume_moves_the_due_moments(client, monkeypatch, world):
    app, clerk = world["app"], world["clerk"]
    run = app.steps.get()
    paused = post(client, clerk, app, "pause", {"reason": RULE, "note": "certificate No. 17-04"})
    assert paused.status_code == 200
    assert paused.json()["status"] == "paused"
    record = paused.json()["pauses"][0]
    assert record["reason"] == RULE and "Art. 37 p.2" in record["law"] and "No. 17-04" in record["asked"]

    freeze(
        monkeypatch, dt.datetime(2015, 6, 24, 11, tzinfo=ALMATY)
    )  # Wednesday: Tuesday and Wednesday stood still
    resumed = post(client, clerk, app, "resume")
    assert resumed.status_code == 200
    body = resumed.json()
    calendar = app.provider.calendar()
    assert body["status"] == "in_progress"
    assert dt.datetime.fromisoformat(body["due_at"]) == calendar.add_working_days(app.due_at, 2)
    assert dt.datetime.fromisoformat(body["current_steps"][0]["due_at"]) == calendar.add_working_days(
        run.due_at, 2
    )
    assert [h["action"] for h in body["history"]][-2:] == ["clock_paused", "clock_resumed"]


def test_a_paused_application_cannot_move_on(client, world):
    app = world["app"]
    post(client, world["clerk"], app, "pause", {"reason": RULE})
    run = app.steps.get()
    response = client.post(
        f"/api/v1/applications/{app.number}/steps/{run.pk}/complete",
        {},
        content_type="application/json",
        headers=bearer(world["clerk"]),
    )
    assert response.status_code == 409 and "paused" in response.json()["detail"]
    again = post(client, world["clerk"], app, "pause", {"reason": RULE})
    assert again.status_code == 409


def test_resuming_a_running_clock_is_409(client, world):
    response = post(client, world["clerk"], world["app"], "resume")
    assert response.status_code == 409 and response.json()["detail"]


def test_only_who_handles_a_current_step_may_pause(client, world):
    app = world["app"]
    assert post(client, world["executor"], app, "pause", {"reason": RULE}).status_code == 403
    assert post(client, world["outsider"], app, "pause", {"reason": RULE}).status_code == 404
    app.refresh_from_db()
    assert app.status == "in_progress"


def test_a_reason_the_law_does_not_give_is_409(client, world):
    response = post(client, world["clerk"], world["app"], "pause", {"reason": "documents_requested"})
    assert response.status_code == 409 and "no ground" in response.json()["detail"]
    response = post(client, world["clerk"], world["certificate"], "pause", {"reason": RULE})
    assert response.status_code == 409 and "no ground" in response.json()["detail"]
    assert post(client, world["clerk"], world["app"], "pause", {}).status_code == 422
