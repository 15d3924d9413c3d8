"""The figures the pages read from the roll-up's totals (`analytics.totals`) equal the figures
recomputed from every application's rows (`analytics.figures`, `analytics.drift`), on the demo's
applications: most of them rolled up, the rest (filed or still open at the roll-up, closed or
answered since) counted live."""

import dataclasses
import datetime as dt
import random
from collections import Counter

import pytest
from django.db import transaction

from qyzmet.analytics import drift, figures, opendata, rollup, totals
from qyzmet.analytics.models import ApplicationTotal, QuestionnaireAnswer, RollupMark, RunTotal
from qyzmet.cli import main
from qyzmet.engine import figures as engine_figures
from qyzmet.engine.models import OPEN_STATUSES, Application, Status, StepRun
from qyzmet.providers.models import Provider

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2015, 10, 20, 12, tzinfo=dt.UTC)
COUNTS = [
    f.name for f in dataclasses.fields(figures.Row) if f.name not in ("key", "average_minutes", "p90_minutes")
]


def _answer(app, satisfied: bool) -> None:
    QuestionnaireAnswer.objects.create(
        application=app,
        regulation_id=app.regulation_id,
        answers={"quality": "satisfied" if satisfied else "not_satisfied", "access": "satisfied"},
        answered_at=app.closed_at,
    )


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo's applications (three per regulation version) rolled up with the newest five left
    to the live count; then one open application closed, one running step completed, more answers
    given and one application filed: what the totals do not hold."""
    mp = pytest.MonkeyPatch()
    mp.setenv("QYZMET_TODAY", "2015-10-14")
    mp.setattr(engine_figures, "MARGIN", 5)
    with django_db_blocker.unblock(), transaction.atomic():
        assert main(["demo", "load", "--per-regulation", "3"]) == 0
        closed = list(Application.objects.exclude(status__in=OPEN_STATUSES).order_by("id"))
        for i, app in enumerate(closed[:12]):
            _answer(app, satisfied=i % 3 != 0)
        engine_figures.roll_up()
        pending = Application.objects.filter(
            status__in=OPEN_STATUSES, pk__lte=engine_figures.newest_mark().upto_id
        )
        first = pending.order_by("id").first()
        Application.objects.filter(pk=first.pk).update(
            status=Status.REFUSED, closed_at=NOW, refusal_grounds=["documents-incomplete"]
        )
        running = StepRun.objects.filter(
            completed_at__isnull=True, pk__lte=RollupMark.objects.get().runs_upto_id
        ).first()
        StepRun.objects.filter(pk=running.pk).update(
            completed_at=NOW, completed_by=running.assignee, working_minutes=77.25, kept=True
        )
        for i, app in enumerate(closed[12:18]):
            _answer(app, satisfied=i % 2 == 0)
        copy = Application.objects.get(pk=closed[0].pk)
        copy.pk, copy.number, copy.filed_at = None, "QZ-LATE-1", NOW
        copy.save()
        yield
        transaction.set_rollback(True)
    mp.undo()


def _same_rows(from_totals, recomputed) -> None:
    assert [r.key for r in from_totals] == [r.key for r in recomputed]
    for got, want in zip(from_totals, recomputed, strict=True):
        assert {n: getattr(got, n) for n in COUNTS} == {n: getattr(want, n) for n in COUNTS}, want.key
        assert got.average_minutes == pytest.approx(want.average_minutes, rel=1e-9)
        if want.p90_minutes is None:
            assert got.p90_minutes is None
        else:  # the totals count working time per minute: within half a minute (rollup's docstring)
            assert abs(got.p90_minutes - want.p90_minutes) <= 0.5, want.key


def _provider_sets():
    supervised = Provider.objects.get(code="ministry-of-health").supervises.all()
    busiest = Application.objects.values("provider").order_by("provider").first()["provider"]
    return [None, supervised, Provider.objects.filter(pk=busiest)]


def test_the_totals_hold_most_applications_and_leave_the_rest_live(demo):
    rolled = sum(ApplicationTotal.objects.values_list("applications", flat=True))
    live = sum(part.count() for part in engine_figures.live_parts(None, engine_figures.newest_mark()))
    assert rolled > 2 * live > 0 and rolled + live == Application.objects.count()
    assert RunTotal.objects.exists()
    assert StepRun.objects.filter(pk__gt=RollupMark.objects.get().runs_upto_id).exists()


@pytest.mark.parametrize("by", [("provider",), ("period",), ("service",), ("service", "provider")])
def test_compliance_from_the_totals_equals_the_recomputation(demo, by):
    for providers in _provider_sets():
        apps = (
            Application.objects.all()
            if providers is None
            else Application.objects.filter(provider__in=providers)
        )
        _same_rows(totals.compliance(providers, by=by, now=NOW), figures.compliance(apps, by=by, now=NOW))


def test_open_data_for_a_period_from_the_totals_equals_the_recomputation(demo):
    start, end = opendata.month_start("2015-09"), opendata.month_start("2015-10")
    apps = opendata.applications("2015-09", "2015-09")
    found = totals.compliance(None, by=("service", "provider"), filed_from=start, filed_before=end, now=NOW)
    assert found
    _same_rows(found, figures.compliance(apps, by=("service", "provider"), now=NOW))


@pytest.mark.parametrize("by", [("step",), ("officer",)])
def test_step_figures_from_the_totals_equal_the_recomputation(demo, by):
    for providers in _provider_sets():
        apps = (
            Application.objects.all()
            if providers is None
            else Application.objects.filter(provider__in=providers)
        )
        got = {tuple(r.key.values()): r for r in totals.step_figures(providers, by=by)}
        want = {tuple(r.key.values()): r for r in figures.step_figures(apps, by=by)}
        assert got.keys() == want.keys()
        for key, w in want.items():
            g = got[key]
            assert (g.steps, g.steps_judged, g.steps_kept) == (w.steps, w.steps_judged, w.steps_kept), key
            assert g.average_minutes == pytest.approx(w.average_minutes, rel=1e-9)
            assert (g.p90_minutes is None) == (w.p90_minutes is None)
            assert g.p90_minutes is None or abs(g.p90_minutes - w.p90_minutes) <= 0.5
            assert (g.norm_minutes, g.title) == (w.norm_minutes, w.title)


def test_refusal_drift_from_the_totals_equals_the_recomputation(demo):
    for providers in _provider_sets():
        got = totals.refusal_drift(providers)
        want = drift.refusal_drift(providers)
        assert got and [dataclasses.astuple(r) for r in got] == [dataclasses.astuple(r) for r in want]


def test_the_percentile_from_the_buckets_around_its_rank_is_the_percentile_of_all_of_it():
    # what compliance and step_figures ask the database for, done by hand: the totals' runs per
    # bucket, then per minute only in the buckets holding the rank; the same as over every run
    rng = random.Random(15)
    fraction = figures.PERCENTILE
    for _ in range(400):
        top = rng.choice((60, 600, 6000))
        stored = Counter(rng.randint(0, top) for _ in range(rng.randint(0, 300)))
        live = Counter(rng.randint(0, top + 10) for _ in range(rng.randint(0, 30)))
        group = totals._Steps()
        group.minutes.update(live)
        for minute, n in stored.items():
            group.buckets[rollup.bucket(minute)] += n
        needed = group.rank_buckets()
        assert len(needed) <= 2
        for minute, n in stored.items():
            if rollup.bucket(minute) in needed:
                group.stored[minute] += n
        assert group.p90 == totals.histogram_percentile(stored + live, fraction)


def test_the_buckets_keep_the_minutes_order_and_are_at_most_an_eighth_of_them_wide():
    minutes = range(-3, 70_000)
    buckets = [rollup.bucket(m) for m in minutes]
    assert buckets == sorted(buckets) and rollup.bucket(None) is None
    widths = Counter(buckets)
    assert all(widths[rollup.bucket(m)] <= max(1, m // 8) for m in minutes if m > 0)
    assert len(widths) < 200
