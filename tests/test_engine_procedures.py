"""Every regulation's internal procedure, driven through every branch to each of its ends.

For each end step of each procedure, an application is filed under the regulation in force, and
staff holding each step's role complete the steps along the path to that end. Every step's due
moment is checked against its norm on the provider's calendar (or the law's bound on it), and the
application ends with the result or refusal that end names.
"""

import datetime as dt

import pytest

from qyzmet.calendar.workcal import ALMATY
from qyzmet.engine import paths, services
from qyzmet.engine.law import rules_for
from qyzmet.engine.models import ConclusionRequest, Status, StepRun
from qyzmet.identity.numbers import generate_iin
from qyzmet.regulations.loader import catalogue
from qyzmet.regulations.models import Regulation

from .engine_helpers import applicant_for, filing_moment, protocol_for, provider_for, staff_for

pytestmark = pytest.mark.django_db


def _cases():
    for reg in catalogue().values():
        for proc in reg.procedures:
            for end in [s for s in proc.steps if s.end]:
                yield pytest.param(reg.id, proc.code, end.id, id=f"{reg.id}:{proc.code}:{end.id}")


@pytest.fixture
def loaded(db):
    """The whole catalogue, which conftest loads into the test database once per run."""


def _file_certificate(reg, provider, filed_at):
    """A specialist-certificate application filed through the portal (the short procedure)."""
    return services.file_application(
        service=reg.service,
        provider=provider,
        variant="issue",
        channel="egov_portal",
        applicant=generate_iin(),
        filed_at=filed_at,
    )


@pytest.mark.parametrize("reg_id,proc_code,end_id", list(_cases()))
def test_procedure_runs_to_each_end_with_due_moments_from_its_norms(loaded, reg_id, proc_code, end_id):
    reg = catalogue()[reg_id]
    proc = reg.procedure(proc_code)
    variant = proc.variants[0] if proc.variants else reg.variants[0].code
    provider = provider_for(reg)
    calendar = provider.calendar()
    filed = filing_moment(reg)
    app = services.file_application(
        service=reg.service,
        provider=provider,
        variant=variant,
        channel="provider_office",
        applicant=applicant_for(reg),
        filed_at=filed,
    )
    assert app.regulation_id == reg.id and app.procedure == proc.code
    term = reg.variant(variant).term
    if term is not None:
        assert app.due_at == calendar.due(filed, term)

    choices = proc.path_to(end_id)
    rules = rules_for(reg, filed.date())
    run = app.steps.get()
    moment = filed
    item_due = {}  # the due moment of each item (step with a norm) run so far
    for _ in range(len(proc.steps) + 1):
        step = proc.step(run.step_id)
        # the step's due moment: its norm on the provider's calendar, or the due of the item the
        # regulation places it in, bounded by the law and by the application's term
        expected = (
            calendar.due(run.started_at, step.norm, paths.is_continuous(reg, step))
            if step.norm
            else item_due.get(step.within)
        )
        # the check of completeness and the refusal of further consideration it leads to
        if (
            step.check == "documents_complete" or step.refusal == "consideration"
        ) and "completeness-check" in rules:
            limit = calendar.due(app.registered_at, rules["completeness-check"].term)
            expected = limit if expected is None else min(expected, limit)
        if step.requests_conclusion_from and expected is None and "conclusions-answer" in rules:
            expected = calendar.due(run.started_at, rules["conclusions-answer"].term)
        if expected is not None and app.due_at is not None and run.started_at < app.due_at:
            expected = min(expected, app.due_at)  # no step begun within the term falls due after it
        assert run.due_at == expected, (step.id, run.due_at, expected)
        if step.norm:
            item_due[step.id] = run.due_at
        assert run.role == step.actor

        outcome = choices.get(step.id)
        for req in run.conclusions.all():
            answer = "negative" if outcome in ("negative", "no", "refuse") else "positive"
            services.answer_conclusion(req.pk, answer, by="body", at=moment)
        user = staff_for(provider, step.actor)
        moment = run.started_at + dt.timedelta(minutes=1)
        kwargs = {}
        if outcome in paths.REFUSING:
            kwargs = {
                "grounds": [g.code for g in reg.refusal_grounds[:1]],
                "note": "documents do not meet the Standard",
            }
        kwargs.update(protocol_for(reg, run, moment))
        nxt = services.complete_step(run.pk, user, outcome, at=moment, **kwargs)
        run.refresh_from_db()
        assert run.completed_at == moment and run.outcome == (outcome or "done")
        if nxt is None:
            break
        run = nxt
    app.refresh_from_db()
    assert run.step_id == end_id
    assert app.status == (Status.REFUSED if proc.step(end_id).end == "refusal" else Status.ISSUED)
    assert app.closed_at == moment
    done = list(app.steps.values_list("step_id", flat=True))
    assert done[0] == proc.start and done[-1] == end_id


def test_concurrent_completion_only_one_wins(loaded):
    reg = catalogue()["mhsd-2015-401/specialist-certificate"]
    provider = provider_for(reg)
    app = _file_certificate(reg, provider, filing_moment(reg))
    run = app.steps.get()
    clerk, other = staff_for(provider, "office-clerk"), staff_for(provider, "head")
    services.complete_step(run.pk, clerk, at=run.started_at + dt.timedelta(minutes=5))
    with pytest.raises(services.StepAlreadyCompleted) as exc:
        services.complete_step(run.pk, other, at=run.started_at + dt.timedelta(minutes=6))
    assert "already completed by" in str(exc.value)
    assert StepRun.objects.filter(application=app).count() == 2  # nothing half-done by the loser


def test_only_the_regulations_outcomes_are_allowed(loaded):
    reg = catalogue()["mhsd-2015-401/specialist-certificate"]
    provider = provider_for(reg)
    app = _file_certificate(reg, provider, filing_moment(reg))
    run = app.steps.get()
    nxt = services.complete_step(run.pk, staff_for(provider, "office-clerk"), at=run.started_at)
    with pytest.raises(services.InvalidTransition):
        services.complete_step(nxt.pk, staff_for(provider, "executor"), "approve")
    with pytest.raises(services.InvalidTransition, match="ground"):
        services.complete_step(nxt.pk, staff_for(provider, "executor"), "incomplete", note="x")
    with pytest.raises(services.NotPermitted):
        services.complete_step(nxt.pk, staff_for(provider, "office-clerk"), "complete")


def test_no_regulation_in_force_refuses_filing(loaded):
    reg = catalogue()["mhsd-2015-401/specialist-certificate"]
    provider = provider_for(reg)
    with pytest.raises(services.NoRegulationInForce):
        services.file_application(
            service=reg.service,
            provider=provider,
            variant="issue",
            channel="egov_portal",
            applicant=generate_iin(),
            filed_at=dt.datetime(2012, 1, 10, 10, tzinfo=ALMATY),
        )


def test_a_version_the_caller_found_is_not_trusted_for_a_day_it_was_not_in_force(loaded):
    reg = catalogue()["mhsd-2015-401/specialist-certificate"]
    provider = provider_for(reg)
    row = Regulation.objects.get(pk=reg.id)
    with pytest.raises(services.NoRegulationInForce):  # looked up again, and none was in force
        services.file_application(
            service=reg.service,
            provider=provider,
            variant="issue",
            channel="egov_portal",
            applicant=generate_iin(),
            filed_at=dt.datetime(2012, 1, 10, 10, tzinfo=ALMATY),
            regulation=row,
        )
    day = reg.in_force.from_ + dt.timedelta(days=10)
    app = services.file_application(
        service=reg.service,
        provider=provider,
        variant="issue",
        channel="egov_portal",
        applicant=generate_iin(),
        filed_at=dt.datetime(day.year, day.month, day.day, 10, tzinfo=ALMATY),
        regulation=row,
    )
    assert app.regulation_id == reg.id


def test_conclusions_silence_counts_as_consent_and_term_expiry_means_deemed_issued(loaded):
    reg = catalogue()["almaty-2015-2-279/medical-licence"]
    provider = provider_for(reg)
    filed = dt.datetime(2015, 7, 1, 10, tzinfo=ALMATY)
    app = services.file_application(
        service=reg.service,
        provider=provider,
        variant="issue",
        channel="provider_office",
        applicant=generate_iin(),
        filed_at=filed,
    )
    proc = reg.procedure(app.procedure)
    run = app.steps.get()
    while not proc.step(run.step_id).requests_conclusion_from:
        step = proc.step(run.step_id)
        outcome = paths.choose(step, "issue") if step.branches else None
        run = services.complete_step(
            run.pk,
            staff_for(provider, step.actor),
            outcome,
            at=run.started_at,
            **protocol_for(reg, run, run.started_at),
        )
    assert run.conclusions.count() == len(proc.step(run.step_id).requests_conclusion_from)
    req_due = run.conclusions.first().due_at
    assert req_due == provider.calendar().due(run.started_at, {"value": 10, "unit": "working_days"})
    counts = services.tick(now=req_due + dt.timedelta(minutes=1))
    assert counts["silence_consent"] == run.conclusions.count()
    assert set(run.conclusions.values_list("answer", flat=True)) == {ConclusionRequest.Answer.DEEMED_POSITIVE}
    counts = services.tick(now=app.due_at + dt.timedelta(minutes=1))
    app.refresh_from_db()
    assert counts["deemed_issued"] == 1 and app.status == Status.DEEMED_ISSUED
    assert app.result == "licence" or app.result


def test_pause_moves_the_due_moments(loaded):
    reg = catalogue()["mhsd-2015-401/specialist-certificate"]
    provider = provider_for(reg)
    filed = dt.datetime(2018, 6, 4, 10, tzinfo=ALMATY)  # Monday
    app = _file_certificate(reg, provider, filed)
    run = app.steps.get()
    due_before = run.due_at
    app_due_before = app.due_at
    services.pause(
        app.pk, "state_database_unavailable", by="gateway", at=dt.datetime(2018, 6, 4, 11, tzinfo=ALMATY)
    )
    with pytest.raises(services.InvalidTransition, match="paused"):
        services.complete_step(run.pk, staff_for(provider, "office-clerk"))
    services.resume(app.pk, by="executor", at=dt.datetime(2018, 6, 6, 11, tzinfo=ALMATY))  # Wednesday
    run.refresh_from_db()
    app.refresh_from_db()
    cal = provider.calendar()
    assert run.due_at == cal.add_working_days(due_before, 2)  # stopped on Tuesday and Wednesday
    assert app.due_at == cal.add_working_days(app_due_before, 2)
    assert app.pauses.get().ended_at is not None


def test_overdue_steps_are_marked_and_escalated(loaded):
    reg = catalogue()["mhsd-2015-401/specialist-certificate"]
    provider = provider_for(reg)
    app = _file_certificate(reg, provider, dt.datetime(2018, 6, 4, 10, tzinfo=ALMATY))
    run = app.steps.get()
    assert services.tick(now=run.due_at - dt.timedelta(minutes=1))["steps_overdue"] == 0
    assert services.tick(now=run.due_at + dt.timedelta(minutes=1))["steps_overdue"] == 1
    assert services.tick(now=run.due_at + dt.timedelta(minutes=2))["steps_overdue"] == 0  # idempotent
    run.refresh_from_db()
    assert run.overdue_since == run.due_at and run.escalated_at is not None
    late = services.complete_step(
        run.pk, staff_for(provider, "office-clerk"), at=run.due_at + dt.timedelta(hours=1)
    )
    run.refresh_from_db()
    assert run.kept is False and late is not None


def _channel_cases():
    """Regulations that write no internal procedure: the provider performs the channel's own check."""
    for reg in catalogue().values():
        if reg.procedures:
            continue
        for channel in reg.channels:
            handover = next(
                (s for s in channel.steps if s.kind == "condition" and s.check in ("grounds", "conclusion")),
                None,
            )
            if handover is None:
                continue
            for end in [s for s in channel.steps if s.end]:
                try:
                    channel.path_to(end.id, start=handover.id)
                except ValueError:
                    continue  # an end before the hand-over (log-in, EDS): the portal tests walk those
                yield pytest.param(
                    reg.id, channel.code, handover.id, end.id, id=f"{reg.id}:{channel.code}:{end.id}"
                )


@pytest.mark.parametrize("reg_id,channel,handover,end_id", list(_channel_cases()))
def test_provider_check_of_a_channel_runs_to_each_end(loaded, reg_id, channel, handover, end_id):
    reg = catalogue()[reg_id]
    flow = reg.channel(channel)
    provider = provider_for(reg)
    app = services.file_application(
        service=reg.service,
        provider=provider,
        variant=reg.variants[0].code,
        channel=channel,
        applicant=applicant_for(reg),
        filed_at=filing_moment(reg),
        channel_step=handover,
    )
    assert app.procedure == channel
    choices = flow.path_to(end_id, start=handover)
    run = app.steps.get()
    for _ in range(len(flow.steps)):
        step = flow.step(run.step_id)
        outcome = choices.get(step.id)
        kwargs = {}
        if outcome in paths.REFUSING:
            kwargs = {
                "grounds": [g.code for g in reg.refusal_grounds[:1]],
                "note": "does not meet the requirements",
            }
        kwargs.update(protocol_for(reg, run, run.started_at))
        nxt = services.complete_step(
            run.pk, staff_for(provider, step.actor), outcome, at=run.started_at, **kwargs
        )
        if nxt is None:
            break
        run = nxt
    app.refresh_from_db()
    assert run.step_id == end_id
    assert app.status == (Status.REFUSED if flow.step(end_id).end == "refusal" else Status.ISSUED)
