"""Planned and judged terms: a statutory limit bounds the moment it names and never adds to the
regulation's own sequence; the applicant's own portal steps run when the applicant does them."""

import datetime as dt

import pytest

from qyzmet.calendar.workcal import ALMATY, calendar_for
from qyzmet.cli import main
from qyzmet.engine import paths, services
from qyzmet.engine.law import rules_for
from qyzmet.gateway.testing import entity_bin
from qyzmet.regulations.loader import catalogue
from qyzmet.regulations.schema import FixedNorm

from .engine_helpers import provider_for

STEM_CELLS = "mhsd-2015-401/stem-cells-import-export-conclusion"
MANGYSTAU = "mangystau-2013-3/medical-licence"
COTTON = "almaty-2015-2-279/cotton-warehouse-licence"


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=ALMATY)


def _ways(reg, variant):
    ways = [None] if reg.procedure_for(variant.code) else []
    return ways + [c.code for c in reg.channels if not c.variants or variant.code in c.variants]


def test_every_variant_and_channel_of_all_22_regulations_is_planned_within_its_term():
    regulations = catalogue()
    assert len(regulations) == 22
    checked = 0
    for reg in regulations.values():
        calendar = calendar_for(reg.provider.code)
        day = reg.in_force.from_
        while not calendar.is_working_day(day):
            day += dt.timedelta(days=1)
        filed = at(day.year, day.month, day.day, 10, 0)
        rules = rules_for(reg, day)
        for variant in reg.variants:
            term_due = calendar.due(filed, variant.term) if variant.term else None
            for way in _ways(reg, variant):
                for branch in ("approve", "refuse"):
                    planned = paths.plan(reg, variant.code, filed, calendar, channel=way, branch=branch)
                    for p in planned:
                        where = (reg.id, variant.code, way, branch, p.step.id)
                        if p.due is None:
                            continue
                        checked += 1
                        assert term_due is None or p.due <= term_due, where
                        # every due moment has its source: the step's norm (its seed lines), the item
                        # the regulation places it in, a law rule in force, or the variant's term
                        if p.basis == "norm":
                            assert p.step.norm is not None and p.step.source, where
                        elif p.basis == "item":
                            assert p.step.within and p.step.norm is None, where
                        elif p.basis.startswith("law:"):
                            assert rules[p.basis.removeprefix("law:")].source, where
                        else:
                            assert p.basis == "term" and variant.term_source, where
        assert paths.planning_problems(reg, calendar) == [], reg.id
    assert checked > 1500


def test_stem_cells_conclusion_takes_the_three_working_days_of_its_regulation():
    """Items 1-3 of clause 5 (seed 003 lines 1282-1299) take 1 + 1 + 1 working days; the completeness
    check clause 6 adds (lines 1327-1328) is done within item 1, not after it."""
    reg = catalogue()[STEM_CELLS]
    calendar = calendar_for(reg.provider.code)
    filed = at(2018, 1, 15, 10, 0)  # Monday
    planned = {p.step.id: p for p in paths.plan(reg, "issue", filed, calendar)}
    assert planned["S1"].due == at(2018, 1, 16, 18, 30)
    assert planned["S1-complete"].due == planned["S1"].due and planned["S1-complete"].basis == "item"
    assert planned["S1-grounds"].due == planned["S1"].due
    assert planned["S2"].due == at(2018, 1, 17, 18, 30)
    assert planned["S3"].due == at(2018, 1, 18, 18, 30)
    assert paths.application_term_due(reg, "issue", filed, calendar) == at(2018, 1, 18, 18, 30)


def test_law_completeness_limit_bounds_the_check_without_delaying_the_review():
    """Mangystau's licence: the seed gives the completeness check no norm; the Law's 2 working days
    bound it, the review is not planned after them, and the 15 working days of the result (Annex 1,
    lines 1127-1129) count from registration, so the portal's plan ends on the issue term."""
    reg = catalogue()[MANGYSTAU]
    calendar = calendar_for(reg.provider.code)
    filed = at(2013, 3, 4, 10, 0)  # Monday
    planned = {p.step.id: p for p in paths.plan(reg, "issue", filed, calendar, channel="egov_portal")}
    assert planned["S1"].basis == "law:completeness-check"
    assert planned["S1"].due == calendar.add_working_days(planned["S1"].starts, 2)
    assert planned["S2"].starts == planned["S1"].starts
    term_due = paths.application_term_due(reg, "issue", filed, calendar)
    assert planned["P11-issue"].due == term_due == calendar.add_working_days(filed, 15)


def test_applicant_fills_in_the_portal_form_on_the_saturday_of_the_request():
    reg = catalogue()[COTTON]
    calendar = calendar_for(reg.provider.code)
    saturday = at(2015, 6, 20, 10, 0)
    planned = paths.plan(reg, "issue", saturday, calendar, channel="egov_portal")
    by_id = {p.step.id: p for p in planned}
    form = by_id["P3"]  # the applicant fills in the request form: 1.5 minutes
    assert form.starts.date() == saturday.date() and form.due == form.starts + dt.timedelta(minutes=1.5)
    assert by_id["P8"].due.date() == saturday.date()  # the applicant signs it the same day
    # the provider registers it on Monday at opening and works from there
    assert by_id["S1"].starts == at(2015, 6, 22, 9, 0)
    assert by_id["S1"].due == at(2015, 6, 22, 9, 5)
    assert by_id["P11"].due == calendar.add_working_days(at(2015, 6, 22, 9, 0), 15)


@pytest.mark.parametrize(
    "received,registered",
    [
        (at(2015, 6, 20, 10, 0), at(2015, 6, 22, 9, 0)),  # Saturday: Monday at opening
        (at(2015, 6, 19, 19, 0), at(2015, 6, 22, 9, 0)),  # Friday after closing: Monday
        (at(2015, 6, 22, 7, 30), at(2015, 6, 22, 9, 0)),  # Monday before opening: at opening
        (at(2015, 6, 22, 10, 0), at(2015, 6, 22, 10, 0)),  # in working hours: on receipt
    ],
)
def test_application_received_after_hours_is_registered_the_next_working_day(received, registered):
    calendar = calendar_for(catalogue()[COTTON].provider.code)
    assert paths.registration(received, calendar) == registered


@pytest.mark.django_db
def test_engine_registers_a_saturday_filing_on_monday_and_counts_the_term_from_there():
    reg = catalogue()[COTTON]
    provider = provider_for(reg)
    calendar = provider.calendar()
    saturday = at(2015, 6, 20, 10, 0)
    app = services.file_application(
        service=reg.service,
        provider=provider,
        variant="issue",
        channel="provider_office",
        applicant=entity_bin(),  # the cotton warehouse licence is for legal entities (seed 004 line 6178)
        filed_at=saturday,
    )
    monday = at(2015, 6, 22, 9, 0)
    assert app.filed_at == saturday and app.registered_at == monday
    assert app.due_at == calendar.add_working_days(monday, 15)
    run = app.steps.get()
    assert run.started_at == monday and run.due_at == at(2015, 6, 22, 9, 5)


def test_timeline_of_a_saturday_request_shows_the_applicant_on_saturday(capsys):
    assert (
        main(
            [
                "timeline",
                COTTON,
                "--variant",
                "issue",
                "--filed",
                "2015-06-20T10:00",
                "--channel",
                "egov_portal",
            ]
        )
        == 0
    )
    lines = capsys.readouterr().out.strip().splitlines()
    form = next(line for line in lines if line.startswith("egov_portal:P3\t"))
    assert form.endswith("2015-06-20T10:01:45+06:00")
    assert lines[-1].endswith(calendar_for(None).add_working_days(at(2015, 6, 22, 9, 0), 15).isoformat())


def test_a_regulation_whose_own_steps_overrun_its_term_is_reported():
    """The stem cells conclusion's three working days do not fit a term of two: the check says which
    step's own norm runs past it, although the engine cuts that due to the term."""
    reg = catalogue()[STEM_CELLS].model_copy(deep=True)
    issue = reg.variant("issue")
    issue.term = FixedNorm(value=2, unit="working_days")
    problems = paths.planning_problems(reg, calendar_for(reg.provider.code))
    assert any("variants.issue via procedure (approve): examination.S3: its own norm" in p for p in problems)


def test_regulations_validate_runs_the_check_of_planned_terms(capsys):
    from qyzmet.regulations import validate

    assert main(["regulations", "validate"]) == 0
    assert capsys.readouterr().out.startswith("22 regulations valid")
    assert any(check.__name__ == "_planned_terms" for check in validate.CATALOGUE_CHECKS)


def test_a_reissue_waits_for_conclusions_no_longer_than_its_three_working_days():
    """Cotton warehouse reissue: the Law's 10 working days for a body's answer bound the answer, but
    the reissue's own term (3 working days, Law 202-V Art. 33 p.8) bounds the step begun within it;
    a step begun after the term has passed keeps the law's moment (it cannot fall due before it began)."""
    reg = catalogue()[COTTON]
    calendar = calendar_for(reg.provider.code)
    registered = at(2015, 6, 15, 10, 0)
    term_due = paths.application_term_due(reg, "reissue", registered, calendar)
    assert term_due == at(2015, 6, 18, 18, 30)
    step = reg.step("licensing", "S2")
    rules = rules_for(reg, registered.date())
    within = paths.due(reg, step, registered, registered, calendar, rules, term_due=term_due)
    assert (within.at, within.basis) == (term_due, "term")
    late = at(2015, 6, 19, 10, 0)
    after = paths.due(reg, step, late, registered, calendar, rules, term_due=term_due)
    assert (after.at, after.basis) == (calendar.add_working_days(late, 10), "law:conclusions-answer")
