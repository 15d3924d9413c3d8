"""Counts by status and step timings over every application, without reading the whole history.

A closed application never changes again (nothing reopens it, and its step runs are done), so
what the dashboards count of it can be summed once. `roll_up` (Celery beat, hourly) sums the
closed applications up to an id into the totals of a new generation and lists the applications
up to that id still open then; the figures are those totals plus a live count of the rest: the
applications after that id and the listed ones. That rest is the open work and what was filed
since the roll-up, so a page reads the same few rows at 10 thousand applications as at a
million, and the figures are exactly what a count over every row would say (tests check both).

Other domains keep totals of their own on the same generations: `rolled_up` is sent inside the
roll-up's transaction with the new mark and the closed applications it sums (analytics subscribes;
the engine calls no one), and `live_parts` names the rest, which they count live.

Ids are handed out before commit, so a filing that commits late can hold an id below one already
committed. The roll-up leaves the newest MARGIN ids to the live count, so such a filing would
have to stay uncommitted while MARGIN later ones commit to be missed.
"""

from __future__ import annotations

from collections import Counter

from django.db import connection, transaction
from django.db.models import Count, Max, Min, Q, Sum
from django.dispatch import Signal

from qyzmet import clock

from .models import (
    OPEN_STATUSES,
    Application,
    FiguresMark,
    PendingApplication,
    StatusTotal,
    StepRun,
    StepTotal,
)

MARGIN = 1000
# Sent inside the roll-up's transaction: mark (the new FiguresMark), closed (the applications up to
# mark.upto_id closed then, a queryset: what the generation's totals hold).
rolled_up = Signal()


def _step_sums(runs, *group):
    """Completed runs that someone did (the scheduler's "superseded" ones are left out), summed."""
    return (
        runs.filter(completed_at__isnull=False)
        .exclude(outcome="superseded")
        .values(*group)
        .annotate(
            count=Count("id"),
            minutes=Sum("working_minutes"),
            judged=Count("id", filter=Q(kept__isnull=False)),
            kept_count=Count("id", filter=Q(kept=True)),
            provider_id=Min("application__provider_id"),
        )
        .order_by()
    )


def live_parts(providers, mark: FiguresMark | None) -> list:
    """The applications of `providers` (None: every provider) that the totals of `mark` do not
    hold, as querysets of disjoint parts (an OR of them would make PostgreSQL read every
    application): those after the mark's id; those up to it still open (the listed ones, as
    nothing re-opens a closed application), read from the open applications' index; and the
    listed ones closed since the roll-up (found by id: the listed less the open, from the indexes
    alone). Looking the listed ones up by id instead would cost a row read each, scattered over
    the table: half a second per page at 20,000 open."""
    apps = Application.objects.all()
    pending = PendingApplication.objects.all()
    if providers is not None:
        apps = apps.filter(provider__in=providers)
        pending = pending.filter(provider__in=providers)
    if mark is None:
        return [apps]
    still_open = Application.objects.filter(status__in=OPEN_STATUSES).values("pk")
    closed_since = list(
        pending.filter(generation=mark.generation)
        .exclude(application_id__in=still_open)
        .order_by()
        .values_list("application_id", flat=True)
    )
    return [
        apps.filter(pk__gt=mark.upto_id),
        apps.filter(pk__lte=mark.upto_id, status__in=OPEN_STATUSES),
        apps.filter(pk__in=closed_since),
    ]


def newest_mark() -> FiguresMark | None:
    return FiguresMark.objects.order_by("-generation").first()


def counts_by_status(providers) -> dict[str, int]:
    """How many applications of `providers` (a queryset or list) are in each status."""
    mark = newest_mark()
    counts: Counter = Counter()
    if mark is not None:
        totals = StatusTotal.objects.filter(generation=mark.generation, provider__in=providers)
        counts.update(dict(totals.values_list("status").annotate(n=Sum("count")).order_by()))
    for part in live_parts(providers, mark):
        counts.update(dict(part.values_list("status").annotate(n=Count("pk")).order_by()))
    return {status: n for status, n in counts.items() if n}


def step_sums(providers) -> list[dict]:
    """Per regulation and step, over the applications of `providers`: completed runs, their
    working minutes (None when none was recorded), how many were judged against a due moment and
    how many kept it, and the lowest provider id among them (whose calendar the page reads).
    Sorted by regulation, flow and step."""
    mark = newest_mark()
    key = ("application__regulation_id", "flow", "step_id")
    merged: dict[tuple, dict] = {}

    def add(row: dict) -> None:
        k = tuple(row[f] for f in key)
        got = merged.get(k)
        if got is None:
            merged[k] = dict(row)
            return
        got["count"] += row["count"]
        if row["minutes"] is not None:
            got["minutes"] = (got["minutes"] or 0) + row["minutes"]
        got["judged"] += row["judged"]
        got["kept_count"] += row["kept_count"]
        got["provider_id"] = min(got["provider_id"], row["provider_id"])

    if mark is not None:
        totals = StepTotal.objects.filter(generation=mark.generation, provider__in=providers)
        for t in totals:
            add(
                {
                    "application__regulation_id": t.regulation_id,
                    "flow": t.flow,
                    "step_id": t.step_id,
                    "count": t.count,
                    "minutes": t.minutes,
                    "judged": t.judged,
                    "kept_count": t.kept,
                    "provider_id": t.provider_id,
                }
            )
    for part in live_parts(providers, mark):
        for row in _step_sums(StepRun.objects.filter(application__in=part), *key):
            add(row)
    return [merged[k] for k in sorted(merged)]


def roll_up() -> FiguresMark:
    """A new generation of totals over the applications closed now (up to the newest id less
    MARGIN), and the list of those still open; generations before the previous one are removed."""
    outer = connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and not outer:
            # every statement below sees the same moment (else an application closing between two
            # of them would be neither in the totals nor in the list)
            with connection.cursor() as cur:
                cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        previous = newest_mark()
        generation = (previous.generation if previous else 0) + 1
        top = Application.objects.aggregate(top=Max("pk"))["top"] or 0
        upto = max(0, top - MARGIN)
        upto_apps = Application.objects.filter(pk__lte=upto)
        closed = upto_apps.exclude(status__in=OPEN_STATUSES)
        StatusTotal.objects.bulk_create(
            StatusTotal(
                generation=generation, provider_id=row["provider_id"], status=row["status"], count=row["n"]
            )
            for row in closed.values("provider_id", "status").annotate(n=Count("pk")).order_by()
        )
        sums = _step_sums(
            StepRun.objects.filter(application__in=closed),
            "application__provider_id",
            "application__regulation_id",
            "flow",
            "step_id",
        )
        StepTotal.objects.bulk_create(
            StepTotal(
                generation=generation,
                provider_id=row["application__provider_id"],
                regulation_id=row["application__regulation_id"],
                flow=row["flow"],
                step_id=row["step_id"],
                count=row["count"],
                minutes=row["minutes"],
                judged=row["judged"],
                kept=row["kept_count"],
            )
            for row in sums
        )
        PendingApplication.objects.bulk_create(
            (
                PendingApplication(generation=generation, provider_id=provider_id, application_id=pk)
                for pk, provider_id in upto_apps.filter(status__in=OPEN_STATUSES)
                .values_list("pk", "provider_id")
                .iterator()
            ),
            batch_size=2000,
        )
        mark = FiguresMark.objects.create(generation=generation, upto_id=upto, made_at=clock.now())
        rolled_up.send(sender=FiguresMark, mark=mark, closed=closed)
        for model in (StatusTotal, StepTotal, PendingApplication, FiguresMark):
            model.objects.filter(generation__lt=generation - 1).delete()
    return mark
