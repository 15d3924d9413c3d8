"""GET /applications/{number}: what a handler sees, and what nobody outside the provider sees."""

import datetime as dt

import pytest

from .api_helpers import MONDAY, bearer, freeze, new_application, provider, staff_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(monkeypatch):
    freeze(monkeypatch, MONDAY + dt.timedelta(hours=1))
    a, b = provider("dept-almaty"), provider("dept-astana")
    return {
        "app": new_application(a, applicant_name="Aigerim"),
        "clerk": staff_for(a, "office-clerk"),
        "outsider": staff_for(b, "office-clerk"),
    }


def test_the_application_with_its_current_step_due_moments_and_history(client, world):
    app = world["app"]
    response = client.get(f"/api/v1/applications/{app.number}", headers=bearer(world["clerk"]))
    assert response.status_code == 200
    body = response.json()
    assert body["number"] == app.number and body["status"] == "in_progress"
    assert body["provider"] == "dept-almaty" and body["applicant_name"] == "Aigerim"
    assert dt.datetime.fromisoformat(body["due_at"]) == app.due_at
    [current] = body["current_steps"]
    run = app.steps.get()
    assert current["run_id"] == run.pk and current["step"] == "S1"
    assert current["allowed_outcomes"] == ["done"] and current["may_act"] is True
    assert dt.datetime.fromisoformat(current["due_at"]) == run.due_at
    assert current["action"]  # the regulation's wording, in the request's language
    assert body["history"][0]["action"] == "application_filed"
    assert body["history"][0]["data"]["number"] == app.number
    assert {g["code"] for g in body["grounds_available"]}
    assert body["conclusions"] == [] and body["pauses"] == []


def test_texts_follow_accept_language(client, world):
    url = f"/api/v1/applications/{world['app'].number}"
    ru = client.get(url, headers={**bearer(world["clerk"]), "Accept-Language": "ru"}).json()
    en = client.get(url, headers={**bearer(world["clerk"]), "Accept-Language": "en"}).json()
    assert ru["current_steps"][0]["action"] != en["current_steps"][0]["action"]


def test_another_providers_application_looks_like_no_application(client, world):
    seen = client.get(f"/api/v1/applications/{world['app'].number}", headers=bearer(world["outsider"]))
    missing = client.get("/api/v1/applications/QZ-000000-000000", headers=bearer(world["outsider"]))
    assert seen.status_code == missing.status_code == 404
    assert world["app"].number in seen.json()["detail"]  # echoes the caller's input, adds nothing
