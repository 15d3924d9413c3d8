"""Completing and assigning steps through the API: the engine's answers as HTTP statuses.

The specialist certificate's procedure: S1 (office clerk, done) -> S2 (executor: complete, or
incomplete = refusal with grounds) -> S3 ... Provider B runs the same regulation; its staff must
not reach provider A's applications at all.
"""

import datetime as dt

import pytest

from qyzmet.calendar.workcal import ALMATY
from qyzmet.engine import services
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


def test_the_heads_signing_step_is_not_completed_by_a_token_alone(client, world):
    """The head signs the certificate with her own EDS in the back office (issue 13, item 1)."""
    app, run = world["app"], world["run"]
    run = services.complete_step(run.pk, world["clerk"])
    run = services.complete_step(run.pk, world["executor"], "complete")
    run = services.complete_step(run.pk, world["executor"], "approve")
    run = services.complete_step(run.pk, world["executor"])
    assert run.step_id == "S5"
    response = complete(client, world["head"], app, run.pk)
    assert response.status_code == 409 and "EDS signature on the decision" in response.json()["detail"]
    run.refresh_from_db()
    assert run.completed_at is None


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


ASSESSMENT_BODY = (
    "mhsd-2015-401/qualification-assessment-body-accreditation"  # S3: the Joint Commission meets
)
FILED_QAB = dt.datetime(2018, 8, 6, 10, 0, tzinfo=ALMATY)


def test_api_completes_a_collegial_step_with_its_protocol(client, monkeypatch):
    a = provider("ministry-qab", ASSESSMENT_BODY)
    app = new_application(a, FILED_QAB, ASSESSMENT_BODY, channel="provider_office")
    run = services.complete_step(app.steps.get().pk, staff_for(a, "office-clerk"), at=FILED_QAB)
    run = services.complete_step(run.pk, staff_for(a, "executor"), "complete", at=FILED_QAB)
    freeze(monkeypatch, FILED_QAB + dt.timedelta(days=2))
    secretary = staff_for(a, "commission-secretary")
    detail = client.get(f"/api/v1/applications/{app.number}", headers=bearer(secretary)).json()
    [current] = detail["current_steps"]
    assert current["step"] == "S3" and current["collegial"] is True

    missing = complete(client, secretary, app, run.pk)
    assert missing.status_code == 409 and "needs its meeting's protocol" in missing.json()["detail"]
    early = {"number": "No. 4", "meeting_at": "2018-08-06T09:00:00+06:00", "members": ["Омарова Г. Б."]}
    too_early = complete(client, secretary, app, run.pk, protocol=early)
    assert too_early.status_code == 409 and "before step S3 started" in too_early.json()["detail"]
    no_members = complete(client, secretary, app, run.pk, protocol={"number": "No. 4", "meeting_at": "x"})
    assert no_members.status_code == 422

    protocol = {
        "number": "No. 4",
        "meeting_at": "2018-08-07T15:30:00+06:00",
        "chair": "Ахметов Н. С.",
        "members": ["Омарова Г. Б.", "Қасымов А. Қ."],
        "secretary": "Жұмабаева А. С.",
        "reasoning": "The body meets the accreditation standards.",
    }
    response = complete(client, secretary, app, run.pk, protocol=protocol)
    assert response.status_code == 200
    body = response.json()
    assert body["current_steps"][0]["step"] == "S4" and body["current_steps"][0]["collegial"] is False
    [s3] = [s for s in body["steps"] if s["step"] == "S3"]
    recorded = s3["protocol"]
    assert recorded["number"] == "No. 4" and recorded["decision"] == "done"
    assert recorded["chair"] == "Ахметов Н. С."
    assert recorded["members"] == ["Ахметов Н. С.", "Омарова Г. Б.", "Қасымов А. Қ."]
    assert dt.datetime.fromisoformat(recorded["meeting_at"]) == dt.datetime(2018, 8, 7, 15, 30, tzinfo=ALMATY)
    assert all(s["protocol"] is None for s in body["steps"] if s["step"] != "S3")
    [entry] = [h for h in body["history"] if h["action"] == "step_completed" and h["data"]["step"] == "S3"]
    assert entry["data"]["protocol"]["number"] == "No. 4"
    assert entry["data"]["protocol"]["members"] == recorded["members"]


def test_api_refuses_a_protocol_for_a_step_not_decided_at_a_meeting(client, world):
    protocol = {"number": "No. 1", "meeting_at": "2018-06-04T10:30:00+06:00", "members": ["Омарова Г. Б."]}
    response = complete(client, world["clerk"], world["app"], world["run"].pk, protocol=protocol)
    assert response.status_code == 409 and "takes no protocol" in response.json()["detail"]
    world["run"].refresh_from_db()
    assert world["run"].completed_at is None
