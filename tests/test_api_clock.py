"""Pausing and resuming the legal clock through the API: due moments move by the stopped time."""

import datetime as dt

import pytest

from qyzmet.calendar.workcal import ALMATY

from .api_helpers import MONDAY, bearer, freeze, new_application, provider, staff_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(monkeypatch):
    a, b = provider("dept-almaty"), provider("dept-astana")
    app = new_application(a)
    freeze(monkeypatch, MONDAY + dt.timedelta(hours=1))
    return {
        "app": app,
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
    paused = post(client, clerk, app, "pause", {"reason": "documents_requested", "note": "licence copy"})
    assert paused.status_code == 200
    assert paused.json()["status"] == "paused"
    assert paused.json()["pauses"][0]["reason"] == "documents_requested"

    freeze(
        monkeypatch, dt.datetime(2018, 6, 6, 11, tzinfo=ALMATY)
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
    post(client, world["clerk"], app, "pause", {"reason": "documents_requested"})
    run = app.steps.get()
    response = client.post(
        f"/api/v1/applications/{app.number}/steps/{run.pk}/complete",
        {},
        content_type="application/json",
        headers=bearer(world["clerk"]),
    )
    assert response.status_code == 409 and "paused" in response.json()["detail"]
    again = post(client, world["clerk"], app, "pause", {"reason": "documents_requested"})
    assert again.status_code == 409


def test_resuming_a_running_clock_is_409(client, world):
    response = post(client, world["clerk"], world["app"], "resume")
    assert response.status_code == 409 and response.json()["detail"]


def test_only_who_handles_a_current_step_may_pause(client, world):
    app = world["app"]
    assert post(client, world["executor"], app, "pause", {"reason": "documents_requested"}).status_code == 403
    assert post(client, world["outsider"], app, "pause", {"reason": "documents_requested"}).status_code == 404
    app.refresh_from_db()
    assert app.status == "in_progress"


def test_an_unknown_reason_is_422(client, world):
    response = post(client, world["clerk"], world["app"], "pause", {"reason": "lunch"})
    assert response.status_code == 422 and response.json()["detail"][0]["loc"][-1] == "reason"
