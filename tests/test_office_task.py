"""The task page: one application with its path and history, and the actions its current step allows."""

import pytest

from qyzmet.audit.models import AuditEntry
from qyzmet.engine import services
from qyzmet.engine.models import ConclusionRequest, Status, StepRun
from qyzmet.gateway.testing import entity_bin
from qyzmet.office.testing import FILED, load_regulations, make_cast, provider_for, staff

from .pause_helpers import export_control_application

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def cast():
    return make_cast()


@pytest.fixture
def app(cast):
    return cast.file()


def _page(client, user, app):
    client.force_login(user)
    response = client.get(f"/office/applications/{app.number}/", **EN)
    assert response.status_code == 200
    return response


def _post(client, user, app, action, data):
    client.force_login(user)
    return client.post(f"/office/applications/{app.number}/{action}/", data, **EN)


def _history(app):
    return AuditEntry.objects.filter(subject_type="application", subject_id=str(app.pk)).count()


def test_staff_of_another_provider_get_404_for_the_page_and_its_actions(client, cast, app):
    client.force_login(cast.clerk_b)
    assert client.get(f"/office/applications/{app.number}/").status_code == 404
    run = app.steps.get()
    assert _post(client, cast.clerk_b, app, "complete", {"run": run.pk, "outcome": "done"}).status_code == 404
    assert (
        _post(client, cast.clerk_b, app, "pause", {"reason": "end-user-certificate", "note": "x"}).status_code
        == 404
    )
    run.refresh_from_db()
    assert run.is_open


def test_a_step_of_another_application_is_404(client, cast, app):
    other = cast.file()
    response = _post(client, cast.clerk, app, "complete", {"run": other.steps.get().pk, "outcome": "done"})
    assert response.status_code == 404


def test_it_shows_the_application_its_path_and_history(client, cast, app):
    html = _page(client, cast.clerk, app).content.decode()
    history = html[html.index('<section class="history">') :]
    assert "application filed" in history and "step completed" not in history
    assert "/regulations/mhsd-2015-401/specialist-certificate/" in html
    assert "Issue of the certificate" in html  # the variant
    assert "Through the e-government portal" in html  # the channel
    assert app.applicant in html
    assert "12.03.2018 10:00" in html  # filed and registered
    assert "20.03.2018 18:30" in html  # the application's due moment
    assert "application form" in html and "diploma copy" in html  # its documents
    for step in ("S1", "S2", "S3", "S4", "S5"):  # the expected path
        assert f"<b>{step}</b>" in html
    assert "1 working day" in html  # the current step's norm
    assert f'action="/office/applications/{app.number}/complete/"' in html


def test_it_offers_no_action_to_someone_without_the_steps_role(client, cast, app):
    html = _page(client, cast.executor, app).content.decode()
    assert "/complete/" not in html and "/assign/" not in html
    assert "This step waits for the role office-clerk" in html


def test_completing_a_step_moves_on_and_redirects_back(client, cast, app):
    run = app.steps.get()
    response = _post(client, cast.clerk, app, "complete", {"run": run.pk, "outcome": "done"})
    assert response.status_code == 302 and response["Location"] == f"/office/applications/{app.number}/"
    run.refresh_from_db()
    assert run.completed_by == cast.clerk and run.outcome == "done"
    assert app.steps.get(completed_at__isnull=True).step_id == "S2"
    html = client.get(response["Location"], **EN).content.decode()
    assert "Step S1 completed" in html
    history = html[html.index('<section class="history">') :]
    assert history.index("application filed") < history.index("step completed")
    assert "a.clerk" in history


def test_completing_twice_shows_the_message_and_changes_nothing(client, cast, app):
    run = app.steps.get()
    _post(client, cast.clerk, app, "complete", {"run": run.pk, "outcome": "done"})
    runs, entries = StepRun.objects.count(), _history(app)
    response = _post(client, cast.head, app, "complete", {"run": run.pk, "outcome": "done"})
    assert response.status_code == 409
    assert "Step S1 was already completed by a.clerk" in response.content.decode()
    assert "nothing was changed" in response.content.decode()
    assert StepRun.objects.count() == runs and _history(app) == entries


def test_a_refusal_needs_a_ground_and_an_explanation(client, cast, app):
    services.complete_step(app.steps.get().pk, cast.clerk)
    run = app.steps.get(step_id="S2")
    html = _page(client, cast.executor, app).content.decode()
    assert "The set of documents is incomplete" in html  # grounds from the regulation
    response = _post(
        client, cast.executor, app, "complete", {"run": run.pk, "outcome": "incomplete", "note": ""}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose at least one ground from the regulation." in html
    assert "Explain the refusal in your own words." in html
    run.refresh_from_db()
    assert run.is_open

    response = _post(
        client,
        cast.executor,
        app,
        "complete",
        {
            "run": run.pk,
            "outcome": "incomplete",
            "grounds": ["documents-incomplete"],
            "note": "No diploma copy.",
        },
    )
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.refusal_grounds == ["documents-incomplete"] and app.refusal_text == "No diploma copy."
    # an incomplete set is refused further consideration (seed 003 lines 196-197, 221-224)
    assert app.steps.get(completed_at__isnull=True).step_id == "S2-not-considered"


def test_only_the_regulations_outcomes_are_accepted(client, cast, app):
    services.complete_step(app.steps.get().pk, cast.clerk)
    run = app.steps.get(step_id="S2")
    response = _post(client, cast.executor, app, "complete", {"run": run.pk, "outcome": "approve"})
    assert response.status_code == 400
    run.refresh_from_db()
    assert run.is_open


def test_a_refused_application_shows_its_status_and_grounds(client, cast, app):
    services.complete_step(app.steps.get().pk, cast.clerk)
    run = services.complete_step(app.steps.get(step_id="S2").pk, cast.executor, "complete")
    run = services.complete_step(
        run.pk, cast.executor, "refuse", grounds=["documents-not-compliant"], note="Diploma not recognised."
    )
    run = services.complete_step(run.pk, cast.executor)
    services.complete_step(run.pk, cast.head)
    html = _page(client, cast.clerk, app).content.decode()
    assert "refused" in html
    assert "The documents do not meet Standard clause 9" in html and "Diploma not recognised." in html
    assert "No step is open" in html and "/complete/" not in html


def test_assigning_to_a_colleague_who_holds_the_role(client, cast, app):
    run = services.complete_step(app.steps.get().pk, cast.clerk)
    response = _post(client, cast.executor, app, "assign", {"run": run.pk, "assignee": cast.executor2.pk})
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.assignee == cast.executor2
    # the clerk does not hold the executor's role: not offered, and refused if sent anyway
    response = _post(client, cast.executor, app, "assign", {"run": run.pk, "assignee": cast.clerk.pk})
    assert response.status_code == 400
    run.refresh_from_db()
    assert run.assignee == cast.executor2


def test_pausing_and_resuming_the_legal_clock(client, cast):
    app = export_control_application(cast.provider_a)  # the law lets its clock stop (Art. 37 p.2)
    run = app.steps.get()
    response = _post(
        client, cast.clerk, app, "pause", {"reason": "end-user-certificate", "note": "Diploma copy."}
    )
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == Status.PAUSED
    html = _page(client, cast.clerk, app).content.decode()
    assert "/resume/" in html and "/complete/" not in html and "Diploma copy." in html

    response = _post(client, cast.clerk, app, "complete", {"run": run.pk, "outcome": "done"})
    assert response.status_code == 409 and "The application is paused" in response.content.decode()
    run.refresh_from_db()
    assert run.is_open

    assert _post(client, cast.clerk, app, "resume", {}).status_code == 302
    app.refresh_from_db()
    assert app.status == Status.IN_PROGRESS and app.pauses.get().ended_at is not None
    assert _post(client, cast.clerk, app, "resume", {}).status_code == 409  # not paused any more


def test_a_pause_needs_a_ground_of_the_law_and_a_role_on_the_application(client, cast):
    app = export_control_application(cast.provider_a)
    assert (
        _post(client, cast.clerk, app, "pause", {"reason": "documents_requested", "note": "x"}).status_code
        == 400
    )
    assert (
        _post(
            client, cast.executor, app, "pause", {"reason": "end-user-certificate", "note": "x"}
        ).status_code
        == 403
    )
    app.refresh_from_db()
    assert app.status == Status.IN_PROGRESS


def test_actions_only_by_post(client, cast, app):
    client.force_login(cast.clerk)
    assert client.get(f"/office/applications/{app.number}/complete/").status_code == 405


def test_conclusions_and_the_law_rule_that_set_the_due_moment(client):
    load_regulations("almaty-2015-2-279/cotton-warehouse-licence")
    provider = provider_for("almaty-2015-2-279/cotton-warehouse-licence", "almaty-licensing")
    clerk = staff(provider, "l.clerk", "office-clerk")
    division = staff(provider, "l.division", "licensing-department")
    app = services.file_application(
        service="cotton-warehouse-licence",
        provider=provider,
        variant="issue",
        channel="provider_office",
        applicant=entity_bin(),  # the cotton warehouse licence is for legal entities (seed 004 line 6178)
        filed_at=FILED.replace(year=2015, month=9, day=14),
    )
    run = services.complete_step(app.steps.get().pk, clerk)
    assert run.due_rule == "conclusions-answer"
    html = _page(client, division, app).content.decode()
    assert "Answer of an approving body; silence means consent" in html
    assert "Art. 25 p.2-3" in html  # the legal source in force on the filing day
    assert "awaiting the answer" in html

    response = _post(client, division, app, "complete", {"run": run.pk, "outcome": "positive"})
    assert (
        response.status_code == 409
        and "Conclusions of other bodies are still awaited." in response.content.decode()
    )

    request = run.conclusions.get()
    response = _post(
        client, division, app, "conclusion", {"request": request.pk, "answer": "positive", "note": "No. 12"}
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.answer == ConclusionRequest.Answer.POSITIVE and request.note == "No. 12"
    assert _post(client, division, app, "complete", {"run": run.pk, "outcome": "positive"}).status_code == 302


def test_acting_without_the_steps_role_is_refused_with_the_engines_reason(client, cast, app):
    run = app.steps.get()
    response = _post(client, cast.executor, app, "complete", {"run": run.pk, "outcome": "done"})
    assert response.status_code == 403  # a refusal by `access`, as in the API (it was 409)
    assert "You do not hold the role office-clerk at this provider." in response.content.decode()
    run.refresh_from_db()
    assert run.is_open


@pytest.mark.parametrize(
    "lang,title", [("kk", "маман сертификатын беру"), ("ru", "Выдача сертификата специалиста")]
)
def test_the_page_speaks_the_visitors_language(client, cast, app, lang, title):
    client.force_login(cast.clerk)
    response = client.get(f"/office/applications/{app.number}/", HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200 and title in response.content.decode()


ASSESSMENT_BODY = (
    "mhsd-2015-401/qualification-assessment-body-accreditation"  # S3: the Joint Commission meets
)


@pytest.fixture
def at_the_commission():
    """An accreditation application of a qualification assessment body waiting at S3, where the
    Joint Commission's secretary brings it before the commission's meeting and minutes it."""
    load_regulations(ASSESSMENT_BODY)
    provider = provider_for(ASSESSMENT_BODY, "ministry-qab")
    people = {
        "clerk": staff(provider, "q.clerk", "office-clerk"),
        "executor": staff(provider, "q.executor", "executor"),
        "secretary": staff(provider, "q.secretary", "commission-secretary"),
    }
    app = services.file_application(
        service="qualification-assessment-body-accreditation",
        provider=provider,
        variant="issue",
        channel="provider_office",
        applicant="870412300129",
        filed_at=FILED.replace(year=2018, month=8, day=6),
    )
    run = services.complete_step(app.steps.get().pk, people["clerk"], at=app.filed_at)
    run = services.complete_step(run.pk, people["executor"], "complete", at=app.filed_at)
    assert run.step_id == "S3"
    return app, run, people


def test_protocol_is_shown_on_the_task_page(client, at_the_commission):
    app, run, people = at_the_commission
    html = _page(client, people["secretary"], app).content.decode()
    assert "at a meeting of the commission or council" in html
    assert "Protocol of the meeting" in html and 'name="protocol_number"' in html
    assert 'type="datetime-local"' in html and "Other members present, one per line" in html

    # the form asks for the protocol before the engine is even asked
    response = _post(client, people["secretary"], app, "complete", {"run": run.pk, "outcome": "done"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Give the protocol&#x27;s number." in html and "Name the chair of the meeting." in html
    assert "Give the date and time of the meeting." in html
    # the engine's own check: the meeting was held while the step ran
    protocol = {
        "run": run.pk,
        "outcome": "done",
        "protocol_number": "No. 4",
        "meeting_at": "2018-08-06T09:00",
        "chair": "Ахметов Н. С.",
        "members": "Омарова Г. Б.\r\n\r\nҚасымов А. Қ.\r\n",
        "secretary": "Жұмабаева А. С.",
        "reasoning": "The body meets the accreditation standards.",
    }
    response = _post(client, people["secretary"], app, "complete", protocol)
    assert response.status_code == 409 and "cannot be before step S3 started" in response.content.decode()
    run.refresh_from_db()
    assert run.is_open and not app.protocols.exists()

    response = _post(
        client, people["secretary"], app, "complete", {**protocol, "meeting_at": "2018-08-07T15:30"}
    )
    assert response.status_code == 302
    recorded = app.protocols.get()
    assert recorded.members == ["Ахметов Н. С.", "Омарова Г. Б.", "Қасымов А. Қ."]
    assert recorded.chair == "Ахметов Н. С." and recorded.decision == "done"
    html = client.get(response["Location"], **EN).content.decode()
    assert f'id="protocol-{recorded.pk}"' in html
    assert "Protocol No. 4 of the meeting held 07.08.2018 15:30" in html
    assert "Ахметов Н. С., Омарова Г. Б., Қасымов А. Қ." in html and "Жұмабаева А. С." in html
    assert "The body meets the accreditation standards." in html
    history = html[html.index('<section class="history">') :]
    # the completion's audit entry carries the protocol, read out in words on the timeline
    assert "Protocol No. 4; chair: Ахметов Н. С.; present: Ахметов Н. С., Омарова Г. Б." in history


def test_a_step_not_decided_at_a_meeting_has_no_protocol_fields(client, cast, app):
    html = _page(client, cast.clerk, app).content.decode()
    assert 'name="protocol_number"' not in html and "Protocol of the meeting" not in html
