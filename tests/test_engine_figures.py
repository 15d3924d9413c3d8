"""The dashboards' figures over every application: closed applications summed once by the hourly
roll-up, the rest counted live, and the sum the same as a count over every row."""

import datetime as dt

import pytest
from django.db.models import Count, Min, Q, Sum

from qyzmet.engine import figures, services
from qyzmet.engine.models import Application, StepRun
from qyzmet.office.testing import FILED, make_cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(monkeypatch):
    # every id is within the roll-up's reach, so a handful of applications exercise it
    monkeypatch.setattr(figures, "MARGIN", 0)
    return make_cast()


def refuse(cast, app, at):
    services.complete_step(app.steps.get().pk, cast.clerk, at=at)
    run = services.complete_step(app.steps.get(step_id="S2").pk, cast.executor, "complete", at=at)
    run = services.complete_step(
        run.pk,
        cast.executor,
        "refuse",
        grounds=["documents-not-compliant"],
        note="Diploma not recognised.",
        at=at,
    )
    run = services.complete_step(run.pk, cast.executor, at=at)
    services.complete_step(run.pk, cast.head, at=at + dt.timedelta(days=5))


def counted_over_every_row(providers):
    """What the dashboards counted before the roll-up: every application and step run read."""
    apps = Application.objects.filter(provider__in=providers)
    by_status = dict(apps.values_list("status").annotate(n=Count("pk")).order_by())
    steps = list(
        StepRun.objects.filter(application__in=apps, completed_at__isnull=False)
        .exclude(outcome="superseded")
        .values("application__regulation_id", "flow", "step_id")
        .annotate(
            count=Count("id"),
            minutes=Sum("working_minutes"),
            judged=Count("id", filter=Q(kept__isnull=False)),
            kept_count=Count("id", filter=Q(kept=True)),
            provider_id=Min("application__provider_id"),
        )
        .order_by("application__regulation_id", "flow", "step_id")
    )
    return by_status, steps


def figures_of(providers):
    return figures.counts_by_status(providers), figures.step_sums(providers)


def assert_same(providers):
    by_status, steps = figures_of(providers)
    expected_status, expected_steps = counted_over_every_row(providers)
    assert by_status == expected_status
    assert [dict(r, minutes=pytest.approx(r["minutes"])) for r in expected_steps] == steps


def test_figures_after_a_roll_up_are_those_of_a_count_over_every_application(cast):
    a, b = [cast.provider_a], [cast.provider_b]
    closed, stays_open, closes_later = cast.file(), cast.file(), cast.file()
    cast.file(provider=cast.provider_b)
    refuse(cast, closed, FILED + dt.timedelta(hours=1))
    services.complete_step(stays_open.steps.get().pk, cast.clerk, at=FILED + dt.timedelta(hours=2))
    assert_same(a)  # no roll-up yet: all of it counted live

    mark = figures.roll_up()
    assert mark.upto_id == Application.objects.order_by("-pk").first().pk
    by_status, _ = figures_of(a)
    assert by_status == {"refused": 1, "in_progress": 2}
    assert_same(a)
    assert_same(b)

    # after the roll-up: an application open then closes, another is filed and paused
    refuse(cast, closes_later, FILED + dt.timedelta(days=1))
    services.pause(cast.file().pk, "state_database_unavailable", "gateway", note="the register of diplomas")
    assert figures_of(a)[0] == {"refused": 2, "in_progress": 1, "paused": 1}
    assert_same(a)

    figures.roll_up()
    assert_same(a)
    assert_same(b)


def test_only_the_two_newest_roll_ups_are_kept(cast):
    cast.file()
    first = figures.roll_up()
    figures.roll_up()
    third = figures.roll_up()
    assert figures.newest_mark() == third
    assert not figures.FiguresMark.objects.filter(generation=first.generation).exists()
    assert_same([cast.provider_a])
