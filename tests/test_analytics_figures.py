"""Compliance figures per service, provider, step, officer and period, against figures computed by hand."""

import pytest

from qyzmet.analytics import figures
from qyzmet.analytics.aggregates import percentile_cont
from qyzmet.analytics.models import QuestionnaireAnswer
from qyzmet.engine.models import Application
from qyzmet.office.testing import CERTIFICATE, make_cast

from .analytics_helpers import application, day, run

pytestmark = pytest.mark.django_db
NOW = day(4, 20)


@pytest.fixture
def world():
    cast = make_cast()
    a, b = cast.provider_a, cast.provider_b
    apps = {
        "in_term": application(a, status="issued", channel="egov_portal", due=day(3, 20), closed=day(3, 15)),
        "late": application(
            a, status="refused", channel="provider_office", due=day(3, 20), closed=day(3, 25)
        ),
        "deemed": application(a, status="deemed_issued", channel="psc", due=day(3, 20), closed=day(3, 20)),
        "overdue": application(a, filed=day(4, 2), due=day(4, 10)),
        "paused": application(a, status="paused", filed=day(4, 2), due=day(4, 30)),
        "b": application(b, status="issued", due=day(3, 20), closed=day(3, 19)),
    }
    # A's completed steps took 60, 120, 180, 240 and 600 working minutes; three kept their norm.
    for minutes, kept, by in (
        (60, True, cast.clerk),
        (120, True, cast.executor),
        (180, True, cast.executor),
        (240, False, cast.executor),
        (600, False, cast.executor2),
    ):
        run(apps["in_term"], by=by, minutes=minutes, kept=kept)
    run(apps["deemed"], by=None, minutes=900, kept=False, outcome="superseded")  # no one's work
    run(apps["overdue"])  # still open
    run(apps["b"], by=cast.clerk_b, minutes=30, kept=True)
    QuestionnaireAnswer.objects.create(
        application=apps["in_term"],
        regulation_id=CERTIFICATE,
        answers={"q1": "satisfied", "q2": "partly_satisfied"},
        answered_at=day(3, 16),
    )
    QuestionnaireAnswer.objects.create(
        application=apps["late"],
        regulation_id=CERTIFICATE,
        answers={"q1": "not_satisfied"},
        answered_at=day(3, 26),
    )
    return cast, apps


def test_the_90th_percentile_interpolates_between_ranks_as_postgresql_does():
    # rank 0.9 * (5 - 1) = 3.6: 240 + 0.6 * (600 - 240)
    assert percentile_cont([600, 60, 240, 120, 180], 0.9) == pytest.approx(456)
    assert percentile_cont([5], 0.9) == 5 and percentile_cont([], 0.9) is None


def test_figures_per_provider_count_terms_deemed_issues_openness_channels_steps_and_satisfaction(world):
    cast, _apps = world
    a, b = figures.compliance(Application.objects.all(), by=("provider",), now=NOW)
    assert a.key == {"provider": "health-a"} and b.key == {"provider": "health-b"}
    assert (a.applications, a.decided, a.with_term, a.in_term) == (5, 3, 3, 1)
    # deemed issued closed on its due moment, but no decision was taken in term
    assert a.in_term_share == pytest.approx(1 / 3) and a.deemed_issued == 1 and a.refused == 1
    assert (a.open, a.overdue) == (2, 1)
    assert (a.portal, a.office, a.psc) == (3, 1, 1) and a.channel_share("portal") == pytest.approx(0.6)
    assert (a.steps, a.steps_judged, a.steps_kept) == (5, 5, 3)
    assert a.average_minutes == pytest.approx(240) and a.p90_minutes == pytest.approx(456)
    assert (a.answers, a.satisfied) == (3, 1)
    assert (b.applications, b.in_term_share, b.steps, b.p90_minutes) == (1, 1.0, 1, pytest.approx(30))
    assert b.satisfied_share is None  # nobody answered: no figure
    assert a.provider_name == cast.provider_a.display_name


def test_figures_per_service_and_month_of_filing(world):
    rows = figures.compliance(
        Application.objects.filter(provider__code="health-a"), by=("service", "period"), now=NOW
    )
    assert [r.key["period"] for r in rows] == ["2018-03", "2018-04"]
    march, april = rows
    assert (march.applications, march.in_term, march.with_term) == (3, 1, 3)
    assert (april.applications, april.decided, april.in_term_share, april.overdue) == (2, 0, None, 1)
    every = figures.compliance(Application.objects.all(), by=("service",), now=NOW)
    assert len(every) == 1 and every[0].applications == 6 and every[0].in_term == 2


def test_step_figures_per_step_and_per_officer_against_the_norm(world):
    cast, _apps = world
    (s1,) = figures.step_figures(Application.objects.filter(provider__code="health-a"), by=("step",))
    assert s1.key == {"regulation": CERTIFICATE, "flow": "examination", "step": "S1"}
    assert s1.step.id == "S1" and s1.norm_minutes == pytest.approx(8 * 60)  # one working day of 8 hours
    assert s1.p90_minutes == pytest.approx(456) and s1.slower is False
    officers = {r.key["officer"]: r for r in figures.step_figures(Application.objects.all(), by=("officer",))}
    assert set(officers) == {"a.clerk", "a.executor", "a.executor2", "b.clerk"}
    e = officers["a.executor"]
    assert (e.steps, e.steps_kept, e.steps_kept_share) == (3, 2, pytest.approx(2 / 3))
    assert e.average_minutes == pytest.approx(180) and e.p90_minutes == pytest.approx(228)  # 180 + 0.8 * 60


def test_a_share_with_nothing_to_divide_is_none_not_zero():
    assert figures.share(0, 0) is None and figures.share(1, 4) == 0.25
