"""The figures' totals, summed once per roll-up instead of counted per request.

The engine's hourly roll-up (`engine.figures.roll_up`, Celery beat `qyzmet.engine.roll_up_figures`)
sums the applications closed up to an id and lists those still open; a closed application never
changes again. Subscribed to its `rolled_up` signal (`AnalyticsConfig.ready`), `record` adds, in the
same transaction and under the same generation, what the figures need of those applications:

    ApplicationTotal      counts per provider, service and month of filing (`figures.Row`'s)
    ApplicationStepTotal  step runs completed by then (up to an id, whatever their application's
                          status: a completed run never changes) per provider, service, month of
                          filing and working minute; those still running are listed (`PendingRun`)
    RunTotal              the same runs per provider, regulation step, officer and working minute
    ApplicationStepBucket the two above summed per bucket of working minutes (`bucket`) instead
    RunBucket             of per minute: the rows a page reads whole
    DecisionTotal         decided (issued or refused) and refused per service, provider and the
    GroundTotal           deciding officer, and refusals per ground: the refusal drift's counts
    AnswerTotal           questionnaire answers up to the newest id (answers never change), per
                          provider, service and month of filing

`totals` reads them and adds a live count of the rest (`engine.figures.live_parts`: what was filed
or still open since; runs after the mark's id or listed as running; answers after the mark's id), so a page reads a few thousand rows at a million
applications. The grouped queries here serve both: the roll-up over the closed applications, a
page over the rest.

Working time per minute. Sums and counts add up across groups; a percentile does not. The runs
are therefore counted per working minute (`working_minutes` rounded to the nearest minute), with
the exact sum of their minutes beside; the average is exact and the 90th percentile is that of the
rounded times: moving each value by at most half a minute moves percentile_cont by at most half a
minute (it interpolates between two of them), below what the pages show (tenths of an hour).

Buckets. A group's runs fill a thousand minutes and more (a long tail), so a page that read every
minute would read well over a hundred thousand rows at a million applications. It reads the
sums per bucket instead (about a hundred per group: the counts, the average and where the
percentile's rank falls) and then only the minutes of the one or two buckets holding the rank
(`totals`), the same percentile exactly.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, DateField, F, FloatField, Func, IntegerField, Max, Q, QuerySet, Sum
from django.db.models.functions import Cast, TruncMonth

from qyzmet.engine import figures as engine_figures
from qyzmet.engine.models import Application, Status, StepRun

from . import figures
from .drift import deciding_officer
from .models import (
    AnswerTotal,
    ApplicationStepBucket,
    ApplicationStepTotal,
    ApplicationTotal,
    DecisionTotal,
    GroundTotal,
    PendingRun,
    QuestionnaireAnswer,
    RollupMark,
    RunBucket,
    RunTotal,
)

# What applications are grouped by, as expressions over an application (`prefix`: from a related row).
APPLICATION_KEYS = ("provider", "service", "period")
RUN_KEYS = ("provider", "regulation", "flow", "step", "officer")
DECISION_KEYS = ("service", "provider", "officer")
COUNTS = (
    "applications",
    "decided",
    "with_term",
    "in_term",
    "refused",
    "deemed_issued",
    "portal",
    "office",
    "psc",
)
STEP_SUMS = ("steps", "steps_judged", "steps_kept", "minutes_sum", "minutes_n")


def app_field(key: str, prefix: str = ""):
    if key == "provider":
        return F(f"{prefix}provider_id")
    if key == "service":
        return F(f"{prefix}service")
    if key == "period":
        return TruncMonth(f"{prefix}filed_at", output_field=DateField())
    if key == "regulation":
        return F(f"{prefix}regulation_id")
    raise ValueError(f"no key {key!r}")


def _grouped(query, fields: dict, **aggregates) -> list[dict]:
    """`query` grouped by `fields` (name: expression); each row keyed by the names."""
    rows = (
        query.order_by()
        .annotate(**{f"g_{k}": v for k, v in fields.items()})
        .values(*(f"g_{k}" for k in fields))
        .annotate(**aggregates)
    )
    return [{**{k: r.pop(f"g_{k}") for k in fields}, **r} for r in rows]


def application_counts(apps: QuerySet[Application], keys, now: dt.datetime) -> list[dict]:
    """`figures.Row`'s application counts of `apps` per group of `keys` (APPLICATION_KEYS)."""
    return _grouped(apps, {k: app_field(k) for k in keys}, **figures.application_counts(now))


class _Round(Func):
    """ROUND(x) to the nearest integer, on the float itself (Django's Round casts to numeric on
    PostgreSQL first, which costs more than the grouping)."""

    function = "ROUND"
    output_field = FloatField()


def _minute():
    return Cast(_Round("working_minutes"), IntegerField())


def _step_sums() -> dict:
    return dict(
        steps=Count("id"),
        steps_judged=Count("id", filter=Q(kept__isnull=False)),
        steps_kept=Count("id", filter=Q(kept=True)),
        minutes_sum=Sum("working_minutes"),
        minutes_n=Count("working_minutes"),
    )


def completed(runs: QuerySet[StepRun]) -> QuerySet[StepRun]:
    """Of `runs`, those someone completed (the scheduler's "superseded" closings are no one's work)."""
    return runs.filter(completed_at__isnull=False).exclude(outcome="superseded").order_by()


def application_step_sums(runs: QuerySet[StepRun], keys) -> list[dict]:
    """The completed `runs` per group of their application's `keys` and working minute."""
    fields = {k: app_field(k, "application__") for k in keys}
    return _grouped(completed(runs), {**fields, "minute": _minute()}, **_step_sums())


RUN_FIELDS = {
    "provider": "application__provider_id",
    "regulation": "application__regulation_id",
    "flow": "flow",
    "step": "step_id",
    "officer": "completed_by_id",
}


def run_sums(runs: QuerySet[StepRun], keys, **more) -> list[dict]:
    """The completed `runs` per group of `keys` (RUN_KEYS) and working minute (and `more` aggregates)."""
    fields = {k: F(RUN_FIELDS[k]) for k in keys}
    return _grouped(completed(runs), {**fields, "minute": _minute()}, **_step_sums(), **more)


def live_run_sums(runs: QuerySet[StepRun]) -> list[dict]:
    """The completed `runs` per every key a page groups them by (APPLICATION_KEYS and RUN_KEYS)
    and working minute: the few runs the totals do not hold, read once for all of a page's
    groupings."""
    fields = {k: app_field(k, "application__") for k in APPLICATION_KEYS}
    fields.update({k: F(RUN_FIELDS[k]) for k in RUN_KEYS if k not in fields})
    return _grouped(completed(runs), {**fields, "minute": _minute()}, **_step_sums())


def decided(apps: QuerySet[Application]) -> QuerySet[Application]:
    """Of `apps`, those the provider decided (issued or refused), as the refusal drift counts them."""
    return apps.filter(status__in=(Status.ISSUED, Status.REFUSED), closed_at__isnull=False)


def decision_counts(apps: QuerySet[Application]) -> tuple[list[dict], dict[tuple, int]]:
    """Per service, provider and deciding officer: decided and refused; and refusals per ground.
    One query, grouped by status and the distinct lists of grounds too (they are few)."""
    query = decided(apps).annotate(officer=deciding_officer())
    fields = {
        "service": F("service"),
        "provider": F("provider_id"),
        "officer": F("officer"),
        "status": F("status"),
        "grounds": F("refusal_grounds"),
    }
    counts: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    grounds: dict[tuple, int] = defaultdict(int)
    for r in _grouped(query, fields, n=Count("id")):
        key = (r["service"], r["provider"], r["officer"])
        counts[key][0] += r["n"]
        if r["status"] == Status.REFUSED:
            counts[key][1] += r["n"]
            for ground in set(r["grounds"] or []):
                grounds[(*key, ground)] += r["n"]
    totals = [
        {"service": s, "provider": p, "officer": o, "decided": n, "refused": refused}
        for (s, p, o), (n, refused) in counts.items()
    ]
    return totals, grounds


def answer_counts(answers: QuerySet[QuestionnaireAnswer], keys) -> dict[tuple, tuple[int, int]]:
    """Questionnaire answers per group of their application's `keys`: (answers, satisfied)."""
    return figures.answers_grouped(answers, {k: app_field(k, "application__") for k in keys})


def bucket(minute: int | None) -> int | None:
    """The histogram bucket of a working minute: the minute itself below 16, then eight buckets
    per doubling (16-17, 18-19, ..., 32-35, ...: a bucket is at most an eighth of its minutes
    wide), so that a group's runs fill about a hundred buckets where they fill a thousand minutes
    or more. Increasing with the minute: the buckets keep the minutes' order."""
    if minute is None:
        return None
    if minute < 16:
        return minute
    shift = minute.bit_length() - 4
    return 8 * shift + (minute >> shift)


def _with_buckets(fine, coarse, generation: int, columns: dict, rows) -> None:
    """The per-minute rows (`fine`, each with its bucket) and their sums per bucket (`coarse`)
    of one roll-up; `columns` maps the models' key columns to the rows' keys."""
    per_bucket: dict[tuple, dict] = {}

    def minute_rows():
        for r in rows:
            b = bucket(r["minute"])
            key = (*(r[k] for k in columns.values()), b)
            sums = per_bucket.get(key)
            if sums is None:
                per_bucket[key] = {name: r[name] for name in STEP_SUMS}
            else:
                for name in STEP_SUMS:
                    if r[name] is not None:
                        sums[name] = r[name] if sums[name] is None else sums[name] + r[name]
            yield fine(
                generation=generation,
                minute=r["minute"],
                bucket=b,
                **{column: r[k] for column, k in columns.items()},
                **{name: r[name] for name in STEP_SUMS},
            )

    fine.objects.bulk_create(minute_rows(), batch_size=5000)
    coarse.objects.bulk_create(
        (
            coarse(generation=generation, bucket=key[-1], **dict(zip(columns, key, strict=False)), **sums)
            for key, sums in per_bucket.items()
        ),
        batch_size=5000,
    )


def record(sender=None, *, mark, closed: QuerySet[Application], **kwargs) -> RollupMark:
    """The totals of one roll-up (the `rolled_up` receiver): the closed applications' figures under
    the mark's generation, and the answers given so far; generations before the previous removed."""
    generation = mark.generation
    ApplicationTotal.objects.bulk_create(
        ApplicationTotal(
            generation=generation,
            provider_id=r["provider"],
            service=r["service"],
            period=r["period"],
            **{name: r[name] for name in COUNTS},
        )
        for r in application_counts(closed, APPLICATION_KEYS, mark.made_at)
    )
    # Step runs: every one completed up to an id (whether its application is closed or not: a
    # completed run never changes); those still running then are listed and counted live.
    runs_upto = max(0, (StepRun.objects.aggregate(top=Max("pk"))["top"] or 0) - engine_figures.MARGIN)
    runs = StepRun.objects.filter(pk__lte=runs_upto)
    _with_buckets(
        ApplicationStepTotal,
        ApplicationStepBucket,
        generation,
        {"provider_id": "provider", "service": "service", "period": "period"},
        application_step_sums(runs, APPLICATION_KEYS),
    )
    _with_buckets(
        RunTotal,
        RunBucket,
        generation,
        {
            "provider_id": "provider",
            "regulation_id": "regulation",
            "flow": "flow",
            "step_id": "step",
            "officer_id": "officer",
        },
        run_sums(runs, RUN_KEYS),
    )
    PendingRun.objects.bulk_create(
        (
            PendingRun(generation=generation, run_id=pk)
            for pk in runs.filter(completed_at__isnull=True).values_list("pk", flat=True).iterator()
        ),
        batch_size=5000,
    )
    totals, grounds = decision_counts(closed)
    DecisionTotal.objects.bulk_create(
        DecisionTotal(
            generation=generation,
            service=r["service"],
            provider_id=r["provider"],
            officer_id=r["officer"],
            decided=r["decided"],
            refused=r["refused"],
        )
        for r in totals
    )
    GroundTotal.objects.bulk_create(
        GroundTotal(generation=generation, service=s, provider_id=p, officer_id=o, ground=g, refused=n)
        for (s, p, o, g), n in grounds.items()
    )
    upto = QuestionnaireAnswer.objects.aggregate(top=Max("pk"))["top"] or 0
    given = QuestionnaireAnswer.objects.filter(pk__lte=upto)
    AnswerTotal.objects.bulk_create(
        AnswerTotal(
            generation=generation,
            provider_id=provider,
            service=service,
            period=period,
            answers=answers,
            satisfied=satisfied,
        )
        for (provider, service, period), (answers, satisfied) in answer_counts(
            given, APPLICATION_KEYS
        ).items()
    )
    rollup = RollupMark.objects.create(generation=generation, answers_upto_id=upto, runs_upto_id=runs_upto)
    for model in (
        ApplicationTotal,
        ApplicationStepTotal,
        ApplicationStepBucket,
        RunTotal,
        RunBucket,
        PendingRun,
        DecisionTotal,
        GroundTotal,
        AnswerTotal,
        RollupMark,
    ):
        model.objects.filter(generation__lt=generation - 1).delete()
    return rollup
