"""GET /providers/{code}/dashboard: counts by status, what falls due today, what is overdue."""

import datetime as dt

import pytest

from qyzmet.engine import services

from .api_helpers import MONDAY, bearer, freeze, new_application, provider, staff_for
from .engine_helpers import complete_as_staff

pytestmark = pytest.mark.django_db
TUESDAY = MONDAY + dt.timedelta(days=1)


def refuse(app):
    """Drive an application down the refusal path (S1 -> S2 incomplete -> S4-refusal -> S5-refusal)."""
    reg = app.regulation.parsed
    run = app.steps.get()
    moment = app.filed_at
    for outcome in (None, "incomplete", None, None):
        moment += dt.timedelta(minutes=10)
        run = complete_as_staff(reg, app.provider, run, outcome, moment, note="incomplete")
    assert run is None


@pytest.fixture
def world(monkeypatch):
    a, b = provider("dept-almaty"), provider("dept-astana")
    early = new_application(a)  # term ends the day before "now"
    today = new_application(a, filed_at=TUESDAY)  # term ends this evening
    paused = new_application(a, filed_at=TUESDAY)
    services.pause(paused.pk, "state_database_unavailable", by="test", at=TUESDAY + dt.timedelta(hours=1))
    refuse(new_application(a))
    new_application(b)
    now = today.due_at - dt.timedelta(hours=8)
    assert early.due_at < now and now.date() == today.due_at.date()
    freeze(monkeypatch, now)
    return {"now": now, "head": staff_for(a, "head"), "outsider": staff_for(b, "head")}


def test_figures_of_my_provider(client, world):
    response = client.get("/api/v1/providers/dept-almaty/dashboard", headers=bearer(world["head"]))
    assert response.status_code == 200
    body = response.json()
    assert dt.datetime.fromisoformat(body["at"]) == world["now"]
    assert body["applications_by_status"] == {
        "in_progress": 2,
        "paused": 1,
        "issued": 0,
        "refused": 1,
        "deemed_issued": 0,
    }
    # the paused application is open, but its clock stands still: neither due today nor overdue
    assert body["applications"] == {"open": 3, "due_today": 1, "overdue": 1}
    # first steps (1 working day) of the two running applications are both late by now
    assert body["steps"] == {"open": 3, "due_today": 0, "overdue": 2}


def test_another_providers_dashboard_is_404(client, world):
    response = client.get("/api/v1/providers/dept-almaty/dashboard", headers=bearer(world["outsider"]))
    assert response.status_code == 404
    assert client.get("/api/v1/providers/nowhere/dashboard", headers=bearer(world["head"])).status_code == 404
