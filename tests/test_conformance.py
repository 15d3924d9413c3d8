"""Conformance replay: cases the engine ran conform; deviations written past it are each found."""

import datetime as dt
import json

import pytest

from qyzmet.analytics.conformance import KINDS, replay
from qyzmet.cli import main
from qyzmet.engine.models import Status, StepRun

from . import cast
from .registry_helpers import LICENCE, drive, make_provider

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider():
    return make_provider(LICENCE)


def _runs(app):
    return list(app.steps.order_by("started_at", "id"))


def _kinds(report, app) -> list[tuple[str, str]]:
    return [(f.kind, f.step) for f in report.findings if f.application == app.number]


def test_cases_the_engine_ran_to_a_licence_and_to_a_refusal_conform(provider):
    issued = drive(provider, LICENCE, "S6")
    refused = drive(provider, LICENCE, "S6-refusal", applicant="900101300156")
    report = replay()
    assert (report.cases, report.conformant, report.deviations) == (2, 2, 0)
    assert issued.status == Status.ISSUED and refused.status == Status.REFUSED


def test_a_step_without_a_run_is_reported_as_skipped(provider):
    app = drive(provider, LICENCE, "S6")
    second = _runs(app)[1]
    StepRun.objects.filter(pk=second.pk).delete()
    assert _kinds(replay(), app) == [("skipped_step", second.step_id)]


def test_a_step_run_twice_is_reported_as_repeated(provider):
    app = drive(provider, LICENCE, "S6")
    first, second = _runs(app)[:2]
    again = StepRun.objects.get(pk=first.pk)
    again.pk = None
    again.started_at = second.started_at + dt.timedelta(seconds=1)
    again.completed_at = again.started_at + dt.timedelta(seconds=1)
    again.save()
    kinds = _kinds(replay(), app)
    assert ("repeated_step", first.step_id) in kinds


def test_steps_in_the_wrong_order_are_reported(provider):
    app = drive(provider, LICENCE, "S6")
    runs = _runs(app)
    # the last step (the head's signature) recorded as if it came first
    StepRun.objects.filter(pk=runs[-1].pk).update(started_at=runs[0].started_at - dt.timedelta(hours=1))
    kinds = [kind for kind, _ in _kinds(replay(), app)]
    assert "wrong_order" in kinds


def test_a_step_completed_by_someone_without_its_role_is_reported(provider):
    app = drive(provider, LICENCE, "S6")
    run = _runs(app)[0]
    outsider = cast.staff_for(provider, "licensing-department")  # holds a role, not the clerk's
    StepRun.objects.filter(pk=run.pk).update(completed_by=outsider, assignee=None)
    assert _kinds(replay(), app) == [("wrong_role", run.step_id)]


def test_the_head_may_complete_any_step_as_the_access_rule_says(provider):
    app = drive(provider, LICENCE, "S6")
    run = _runs(app)[0]
    StepRun.objects.filter(pk=run.pk).update(completed_by=cast.staff_for(provider, "head"))
    assert _kinds(replay(), app) == []


def test_a_step_completed_after_its_due_moment_and_a_late_decision_are_reported(provider):
    app = drive(provider, LICENCE, "S6")
    run = next(r for r in _runs(app) if r.due_at is not None)
    StepRun.objects.filter(pk=run.pk).update(due_at=run.completed_at - dt.timedelta(hours=2))
    type(app).objects.filter(pk=app.pk).update(due_at=app.closed_at - dt.timedelta(days=1))
    found = [f for f in replay().findings if f.application == app.number]
    assert {(f.kind, f.step) for f in found} == {("late_step", run.step_id), ("late_decision", "")}
    assert next(f for f in found if f.kind == "late_step").detail.startswith("2.0 h")


def test_an_action_after_closing_is_reported(provider):
    app = drive(provider, LICENCE, "S6")
    last = _runs(app)[-1]
    StepRun.objects.filter(pk=last.pk).update(completed_at=app.closed_at + dt.timedelta(days=3))
    assert ("after_closing", last.step_id) in _kinds(replay(), app)


def test_a_case_closed_before_an_end_and_a_result_against_its_end_are_reported(provider):
    short = drive(provider, LICENCE, "S6")
    StepRun.objects.filter(pk=_runs(short)[-1].pk).delete()
    wrong = drive(provider, LICENCE, "S6-refusal", applicant="900101300156")
    type(wrong).objects.filter(pk=wrong.pk).update(status=Status.ISSUED)
    report = replay()
    assert [k for k, _ in _kinds(report, short)] == ["not_ended"]
    assert _kinds(report, wrong) == [("wrong_result", "S6-refusal")]


def test_a_refusal_on_a_ground_the_regulation_does_not_list_is_reported(provider):
    app = drive(provider, LICENCE, "S6-refusal")
    type(app).objects.filter(pk=app.pk).update(refusal_grounds=["standard-clause-10", "looked-unreliable"])
    found = [f for f in replay().findings if f.application == app.number]
    assert [(f.kind, f.detail) for f in found] == [("ground_outside_list", "ground 'looked-unreliable'")]


def test_the_command_prints_findings_as_json_and_csv_with_a_summary_line(provider, capsys):
    clean = drive(provider, LICENCE, "S6")
    bad = drive(provider, LICENCE, "S6", applicant="900101300156")
    StepRun.objects.filter(pk=_runs(bad)[1].pk).delete()
    assert main(["conformance", "--format", "json", "--provider", provider.code]) == 0
    out, err = capsys.readouterr()
    data = json.loads(out)
    assert (data["cases"], data["conformant"], data["deviations"]) == (2, 1, 1)
    assert data["findings"][0]["application"] == bad.number
    assert set(data["by_kind"]) == set(KINDS)
    assert err.startswith("cases=2 conformant=1 deviations=1 skipped_step=1 ")
    assert main(["conformance", "--format", "csv", "--since", "2999-01-01"]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == ["application,provider,kind,step,detail"]
    assert err.startswith("cases=0 conformant=0 deviations=0")
    assert clean.number not in out
