"""Completing and assigning steps through the API: the engine's answers as HTTP statuses.

The specialist certificate's procedure: S1 (office clerk, done) -> S2 (executor: complete, or
incomplete = refusal with grounds) -> S3 ... Provider B runs the same regulation; its staff must
not reach provider A's applications at all.
"""

import datetime as dt

import pytest

from qyzmet.engine.models import Status

from .api_helpers import MONDAY, bearer, freeze, new_application, provider, staff_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(monkeypatch):
    freeze(monkeypatch, MONDAY + dt.timedelta(hours=1))
    a, b = provider("dept-almaty"), provider("dept-astana")
    app = new_application(a, applicant="870412300129")
    return {
        "app": app,
        "run": app.steps.get(),
        "clerk": staff_for(a, "office-clerk"),
        "executor": staff_for(a, "executor"),
        "head": staff_for(a, "head"),
        "outsider": staff_for(b, "head"),
    }


def complete(client, user, app, run_id, **body):
    return client.post(
        f"/api/v1/applications/{app.number}/steps/{run_id}/complete",
        body,
        content_type="application/json",
        headers=bearer(user),
    )


def test_completing_a_step_starts_the_next_and_returns_the_application(client, world):
    response = complete(client, world["clerk"], world["app"], world["run"].pk, note="registered")
    assert response.status_code == 200
    body = response.json()
    [current] = body["current_steps"]
    assert current["step"] == "S2" and current["role"] == "executor"
    assert current["allowed_outcomes"] == ["complete", "incomplete"]
    assert current["may_act"] is False  # the clerk does not hold the executor's role
    assert body["steps"][0]["completed_by"] == world["clerk"].username
    assert "step_completed" in [h["action"] for h in body["history"]]


def test_completing_a_step_twice_is_409_saying_who_completed_it(client, world):
    assert complete(client, world["clerk"], world["app"], world["run"].pk).status_code == 200
    again = complete(client, world["head"], world["app"], world["run"].pk)
    assert again.status_code == 409
    detail = again.json()["detail"]
    assert "already completed by" in detail and world["clerk"].username in detail


def test_refusal_without_grounds_is_409_and_changes_nothing(client, world):
    nxt = complete(client, world["clerk"], world["app"], world["run"].pk).json()["current_steps"][0]
    refused = complete(client, world["executor"], world["app"], nxt["run_id"], outcome="incomplete", note="x")
    assert refused.status_code == 409 and "ground" in refused.json()["detail"]
    unknown = complete(
        client,
        world["executor"],
        world["app"],
        nxt["run_id"],
        outcome="incomplete",
        note="x",
        grounds=["nope"],
    )
    assert unknown.status_code == 409 and "nope" in unknown.json()["detail"]
    world["app"].refresh_from_db()
    assert world["app"].status == Status.IN_PROGRESS
    assert world["app"].steps.get(pk=nxt["run_id"]).completed_at is None


def test_an_outcome_the_regulation_does_not_allow_is_409(client, world):
    nxt = complete(client, world["clerk"], world["app"], world["run"].pk).json()["current_steps"][0]
    response = complete(client, world["executor"], world["app"], nxt["run_id"], outcome="approve")
    assert response.status_code == 409 and "complete, incomplete" in response.json()["detail"]


def test_a_step_of_another_role_is_403(client, world):
    response = complete(client, world["executor"], world["app"], world["run"].pk)
    assert response.status_code == 403 and "office-clerk" in response.json()["detail"]


def test_another_providers_application_is_404_and_untouched(client, world):
    response = complete(client, world["outsider"], world["app"], world["run"].pk)
    assert response.status_code == 404
    world["run"].refresh_from_db()
    assert world["run"].completed_at is None


def test_a_run_of_another_application_is_404(client, world):
    other = new_application(world["app"].provider)
    assert complete(client, world["clerk"], other, world["run"].pk).status_code == 404


def test_malformed_body_is_422_naming_the_field(client, world):
    response = complete(client, world["clerk"], world["app"], world["run"].pk, grounds="not-a-list")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "grounds"


def assign(client, user, app, run_id, username):
    return client.post(
        f"/api/v1/applications/{app.number}/steps/{run_id}/assign",
        {"username": username},
        content_type="application/json",
        headers=bearer(user),
    )


def test_the_head_assigns_a_step_to_someone_holding_its_role(client, world):
    nxt = complete(client, world["clerk"], world["app"], world["run"].pk).json()["current_steps"][0]
    response = assign(client, world["head"], world["app"], nxt["run_id"], world["executor"].username)
    assert response.status_code == 200
    assert response.json()["current_steps"][0]["assignee"] == world["executor"].username


def test_assigning_to_someone_without_the_role_is_409_and_to_nobody_422(client, world):
    run_id = world["run"].pk
    wrong = assign(client, world["head"], world["app"], run_id, world["executor"].username)
    assert wrong.status_code == 409 and "office-clerk" in wrong.json()["detail"]
    nobody = assign(client, world["head"], world["app"], run_id, "no-such-user")
    assert nobody.status_code == 422 and nobody.json()["detail"][0]["loc"][-1] == "username"
    assert assign(client, world["outsider"], world["app"], run_id, world["clerk"].username).status_code == 404
