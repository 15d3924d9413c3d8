"""The figures the pages show, read from the roll-up's totals (`rollup`) plus a live count of the
rest: the same `figures.Row`, `figures.StepRow` and `drift.Drift` rows that `figures.compliance`,
`figures.step_figures` and `drift.refusal_drift` compute from every application's rows (tests
check that both agree), in a number of queries that does not grow with the applications.

The newest engine roll-up (`engine.figures.newest_mark`) whose analytics totals were recorded is
read; without one, everything is counted live, as before any roll-up.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db.models import Min, Sum

from qyzmet import clock
from qyzmet.engine import figures as engine_figures
from qyzmet.engine.models import StepRun
from qyzmet.providers.models import Provider
from qyzmet.regulations.models import Regulation

from . import drift, rollup
from .figures import PERCENTILE, Row, StepRow, norm_minutes
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


class Mark:
    """The roll-up a request reads: its generation, the applications, step runs and answers its
    totals hold, and what it leaves to the live count. One per request: the live rest is read
    once and shared by the figures of the page (`cached`)."""

    def __init__(self):
        mark = engine_figures.newest_mark()
        recorded = mark and RollupMark.objects.filter(generation=mark.generation).first()
        self.engine = mark if recorded else None
        self.generation = mark.generation if recorded else None
        self.answers_upto = recorded.answers_upto_id if recorded else 0
        self.runs_upto = recorded.runs_upto_id if recorded else 0
        self.now = clock.now()  # the moment "overdue" is counted at, the same for the whole page
        self._cache: dict = {}

    def cached(self, key, compute):
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    def totals(self, model, providers):
        if self.generation is None:
            return model.objects.none()
        query = model.objects.filter(generation=self.generation)
        return query if providers is None else query.filter(provider__in=providers)

    def parts(self, providers) -> list:
        """The applications of `providers` the totals do not hold (`engine.figures.live_parts`):
        those of every provider named once per request (the listed ones closed since the roll-up
        looked up once), each page's providers a filter on them."""
        every = self.cached("parts", lambda: engine_figures.live_parts(None, self.engine))
        return every if providers is None else [part.filter(provider__in=providers) for part in every]

    def run_parts(self, providers) -> list:
        """The step runs of `providers`' applications the totals do not hold: those after the
        mark's id, and those listed as running at the roll-up that have been completed since
        (looked up once per request)."""
        runs = StepRun.objects.all()
        if providers is not None:
            runs = runs.filter(application__provider__in=providers)
        if self.generation is None:
            return [runs]

        def done_since():
            # The listed runs less those running now, from the indexes alone (not a row read per
            # listed run): those completed since (or removed: `runs` then finds nothing).
            running = StepRun.objects.filter(completed_at__isnull=True).values("pk")
            return list(
                PendingRun.objects.filter(generation=self.generation)
                .exclude(run_id__in=running)
                .order_by()
                .values_list("run_id", flat=True)
            )

        return [runs.filter(pk__gt=self.runs_upto), runs.filter(pk__in=self.cached("done_since", done_since))]


def _live_runs(mark: Mark, providers) -> list[dict]:
    """The step runs the totals do not hold, per every key and minute (`rollup.live_run_sums`):
    read once per request, whatever the groupings the page asks for."""
    key = ("runs", _ids(providers))
    return mark.cached(
        key, lambda: [r for part in mark.run_parts(providers) for r in rollup.live_run_sums(part)]
    )


def histogram_percentile(
    counts: dict[int, int], fraction: float, below: int = 0, n: int | None = None
) -> float | None:
    """percentile_cont over the values `counts` holds (value: how many times); with `below` and
    `n`, over `n` values of which `below` lie under those of `counts` and the rest above them
    (`counts` then holds the percentile's ranks)."""
    n = sum(counts.values()) if n is None else n
    if not n:
        return None
    rank = fraction * (n - 1)
    low, high = math.floor(rank), math.ceil(rank)
    found: dict[int, float] = {}
    seen = below
    for value in sorted(counts):
        seen += counts[value]
        for r in (low, high):
            if r not in found and r < seen:
                found[r] = value
        if high in found:
            break
    return found[low] + (found[high] - found[low]) * (rank - low)


class _Steps:
    """Step sums of one group: counts, the exact sum of working minutes, the live runs per minute
    (`minutes`), the totals' runs per bucket (`buckets`, `rollup.bucket`) and, once the ranks are
    placed (`rank_buckets`), the totals' runs per minute of the buckets holding the percentile's
    ranks (`stored`) and how many runs lie below those buckets (`below`)."""

    def __init__(self):
        self.steps = self.steps_judged = self.steps_kept = self.minutes_n = 0
        self.minutes_sum = 0.0
        self.minutes: dict[int, int] = defaultdict(int)
        self.buckets: dict[int, int] = defaultdict(int)
        self.needed: frozenset[int] = frozenset()
        self.below = 0
        self.stored: dict[int, int] = defaultdict(int)

    def add(self, r: dict) -> None:
        """A row of sums: the totals' per bucket (with "bucket") or live runs' per minute."""
        self.steps += r["steps"]
        self.steps_judged += r["steps_judged"]
        self.steps_kept += r["steps_kept"]
        self.minutes_n += r["minutes_n"]
        self.minutes_sum += r["minutes_sum"] or 0.0
        if "bucket" in r:
            if r["bucket"] is not None:
                self.buckets[r["bucket"]] += r["minutes_n"]
        elif r.get("minute") is not None:
            self.minutes[r["minute"]] += r["minutes_n"]

    @property
    def average(self) -> float | None:
        return self.minutes_sum / self.minutes_n if self.minutes_n else None

    def rank_buckets(self) -> frozenset[int]:
        """The buckets holding the percentile's two neighbouring ranks among the totals' and the
        live runs (`needed`: one, or two next to each other), and the runs below them (`below`);
        none when the totals hold no timed run of the group (the live runs then tell it all)."""
        self.needed, self.below = frozenset(), 0
        if not self.buckets:
            return self.needed
        merged = defaultdict(int, self.buckets)
        for minute, n in self.minutes.items():
            merged[rollup.bucket(minute)] += n
        rank = PERCENTILE * (sum(merged.values()) - 1)
        low, high = math.floor(rank), math.ceil(rank)
        needed, below, count = set(), None, 0
        for b in sorted(merged):
            upto = count + merged[b]  # this bucket holds the ranks count .. upto - 1
            if count <= high and low < upto:
                below = count if below is None else below
                needed.add(b)
            if high < upto:
                break
            count = upto
        self.needed, self.below = frozenset(needed), below or 0
        return self.needed

    @property
    def p90(self) -> float | None:
        """The percentile whose ranks `rank_buckets` placed (PERCENTILE)."""
        if not self.needed:
            return histogram_percentile(self.minutes, PERCENTILE)
        counts = defaultdict(int, self.stored)
        for minute, n in self.minutes.items():
            if rollup.bucket(minute) in self.needed:
                counts[minute] += n
        n = sum(self.buckets.values()) + sum(self.minutes.values())
        return histogram_percentile(counts, PERCENTILE, below=self.below, n=n)


def _attach_ranks(query, fields: tuple[str, ...], groups: dict) -> None:
    """Give each group of `groups` (their bucket sums and live runs added) the totals' runs per
    minute of the buckets that hold its percentile's ranks: one query over those buckets only
    (`query`: the per-minute totals, an index on generation and bucket), a few thousand rows
    instead of every minute of every group."""
    wanted: set[int] = set()
    for group in groups.values():
        wanted |= group.rank_buckets()
    if not wanted:
        return
    rows = (
        query.order_by()
        .filter(bucket__in=sorted(wanted))
        .values_list(*fields, "minute")
        .annotate(n=Sum("minutes_n"))
    )
    width = len(fields)
    for row in rows:
        group = groups.get(row[:width])
        minute = row[width]
        if group is not None and rollup.bucket(minute) in group.needed:
            group.stored[minute] += row[width + 1]


def _summed(query, keys, names, **more) -> list[dict]:
    return list(query.order_by().values(*keys).annotate(**{n: Sum(n) for n in names}, **more))


def _period_range(query, filed_from, filed_before, field="period"):
    if filed_from:
        query = query.filter(**{f"{field}__gte": filed_from.date()})
    if filed_before:
        query = query.filter(**{f"{field}__lt": filed_before.date()})
    return query


def _filed_range(query, filed_from, filed_before, prefix=""):
    if filed_from:
        query = query.filter(**{f"{prefix}filed_at__gte": filed_from})
    if filed_before:
        query = query.filter(**{f"{prefix}filed_at__lt": filed_before})
    return query


def _live_applications(mark: Mark, providers, filed_from, filed_before, now) -> list[tuple[tuple, dict]]:
    """The counts of the applications the totals do not hold, per provider, service and month:
    read once per request, whatever the grouping the page asks for."""

    def read():
        found = []
        for part in mark.parts(providers):
            part = _filed_range(part, filed_from, filed_before)
            for r in rollup.application_counts(part, rollup.APPLICATION_KEYS, now):
                found.append((tuple(r[k] for k in rollup.APPLICATION_KEYS), r))
        return found

    key = ("applications", _ids(providers), filed_from, filed_before, now)
    return mark.cached(key, read)


def _ids(providers):
    return None if providers is None else tuple(sorted(p if isinstance(p, int) else p.pk for p in providers))


def _fields(by) -> tuple[str, ...]:
    """The totals' columns for the figures' keys (a provider by its id; its code at the end)."""
    for key in by:
        if key not in rollup.APPLICATION_KEYS:
            raise ValueError(f"applications are not grouped by {key!r}")
    return tuple("provider_id" if k == "provider" else k for k in by)


def compliance(
    providers=None,
    by: tuple[str, ...] = ("provider",),
    filed_from: dt.datetime | None = None,
    filed_before: dt.datetime | None = None,
    now: dt.datetime | None = None,
    mark: Mark | None = None,
) -> list[Row]:
    """`figures.compliance` of the applications of `providers` (None: all) filed in
    [filed_from, filed_before) (month starts), from the totals and the live rest."""
    mark = mark or Mark()
    now = now or mark.now
    fields = _fields(by)
    rows: dict[tuple, Row] = {}

    def row(key: tuple) -> Row:
        if key not in rows:
            rows[key] = Row(key={})
        return rows[key]

    totals = _period_range(mark.totals(ApplicationTotal, providers), filed_from, filed_before)
    for r in _summed(totals, fields, rollup.COUNTS):
        target = row(tuple(r[f] for f in fields))
        for name in rollup.COUNTS:
            setattr(target, name, getattr(target, name) + r[name])
    steps: dict[tuple, _Steps] = defaultdict(_Steps)
    step_buckets = _period_range(mark.totals(ApplicationStepBucket, providers), filed_from, filed_before)
    for r in _summed(step_buckets, (*fields, "bucket"), rollup.STEP_SUMS):
        steps[tuple(r[f] for f in fields)].add(r)
    at = [rollup.APPLICATION_KEYS.index(k) for k in by]
    for key, counts in _live_applications(mark, providers, filed_from, filed_before, now):
        target = row(tuple(key[i] for i in at))
        for name in (*rollup.COUNTS, "open", "overdue"):
            setattr(target, name, getattr(target, name) + counts[name])
    if filed_from is None and filed_before is None:
        for r in _live_runs(mark, providers):
            steps[tuple(r[k] for k in by)].add(r)
    else:
        for part in mark.run_parts(providers):
            for r in rollup.application_step_sums(
                _filed_range(part, filed_from, filed_before, "application__"), by
            ):
                steps[tuple(r[k] for k in by)].add(r)
    step_totals = _period_range(mark.totals(ApplicationStepTotal, providers), filed_from, filed_before)
    _attach_ranks(step_totals, fields, steps)
    answers: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    answer_totals = _period_range(mark.totals(AnswerTotal, providers), filed_from, filed_before)
    for r in _summed(answer_totals, fields, ("answers", "satisfied")):
        got = answers[tuple(r[f] for f in fields)]
        got[0] += r["answers"]
        got[1] += r["satisfied"]
    given = QuestionnaireAnswer.objects.filter(pk__gt=mark.answers_upto)
    if providers is not None:
        given = given.filter(application__provider__in=providers)
    if filed_from:
        given = given.filter(application__filed_at__gte=filed_from)
    if filed_before:
        given = given.filter(application__filed_at__lt=filed_before)
    for key, (n, satisfied) in rollup.answer_counts(given, by).items():
        answers[key][0] += n
        answers[key][1] += satisfied
    codes = _codes(rows, by)
    result = []
    for key, target in rows.items():
        if got := steps.get(key):
            target.steps, target.steps_judged, target.steps_kept = got.steps, got.steps_judged, got.steps_kept
            target.average_minutes, target.p90_minutes = got.average, got.p90
        target.answers, target.satisfied = answers.get(key, (0, 0))
        shown = []
        for k, value in zip(by, key, strict=True):
            if k == "provider":
                provider = codes.get(value)
                target.provider_name = provider.display_name if provider else ""
                value = provider.code if provider else value
            elif k == "period":
                value = value.strftime("%Y-%m")
            shown.append(value)
        target.key = dict(zip(by, shown, strict=True))
        result.append(target)
    return sorted(result, key=lambda r: tuple("" if v is None else str(v) for v in r.key.values()))


def _codes(rows, by) -> dict[int, Provider]:
    if "provider" not in by:
        return {}
    at = by.index("provider")
    return Provider.objects.in_bulk({key[at] for key in rows})


def services(providers=None, mark: Mark | None = None, now: dt.datetime | None = None) -> set[str]:
    """The services with applications at `providers` (None: any), from the totals and the rest."""
    mark = mark or Mark()
    found = set(mark.totals(ApplicationTotal, providers).values_list("service", flat=True).distinct())
    live = _live_applications(mark, providers, None, None, now or mark.now)
    found.update(key[1] for key, _counts in live)
    return found


STEP_KEYS = {
    "step": ("regulation_id", "flow", "step_id"),
    "officer": ("officer_id",),
    "provider": ("provider_id",),
}


def step_figures(providers=None, by: tuple[str, ...] = ("step",), mark: Mark | None = None) -> list[StepRow]:
    """`figures.step_figures` of the applications of `providers` (None: all) grouped by step,
    officer and/or provider, from the totals and the live rest."""
    for key in by:
        if key not in STEP_KEYS:
            raise ValueError(f"the totals group steps by {sorted(STEP_KEYS)}, not {key!r}")
    mark = mark or Mark()
    fields = tuple(f for k in by for f in STEP_KEYS[k])
    live_keys = tuple(
        {
            "regulation_id": "regulation",
            "step_id": "step",
            "officer_id": "officer",
            "provider_id": "provider",
        }.get(f, f)
        for f in fields
    )
    groups: dict[tuple, _Steps] = defaultdict(_Steps)
    lowest: dict[tuple, int] = {}

    def add(key, r, provider_id):
        groups[key].add(r)
        if provider_id is not None:
            lowest[key] = min(lowest.get(key, provider_id), provider_id)

    # The lowest provider of each group comes with it (its calendar gives the norm's working day),
    # not as a key: grouping by provider too would return a histogram per provider.
    run_buckets = mark.totals(RunBucket, providers)
    for r in _summed(run_buckets, (*fields, "bucket"), rollup.STEP_SUMS, lowest=Min("provider_id")):
        add(tuple(r[f] for f in fields), r, r["lowest"])
    for r in _live_runs(mark, providers):
        add(tuple(r[k] for k in live_keys), r, r["provider"])
    _attach_ranks(mark.totals(RunTotal, providers), fields, groups)
    logins, codes = {}, {}
    if "provider" in by:
        codes = dict(
            Provider.objects.filter(pk__in={key[fields.index("provider_id")] for key in groups}).values_list(
                "pk", "code"
            )
        )
    if "officer" in by:
        ids = {key[fields.index("officer_id")] for key in groups}
        logins = dict(get_user_model().objects.filter(pk__in=ids).values_list("pk", "username"))
    regulations, calendars = {}, {}
    if "step" in by:
        regulations = {
            r.pk: r.parsed
            for r in Regulation.objects.defer("document").filter(
                pk__in={key[fields.index("regulation_id")] for key in groups}
            )
        }
        calendars = Provider.objects.in_bulk(set(lowest.values()))
    result = []
    for key, got in groups.items():
        shown = {}
        for k in by:
            if k == "step":
                shown.update(
                    zip(("regulation", "flow", "step"), key[fields.index("regulation_id") :][:3], strict=True)
                )
            elif k == "officer":
                user = key[fields.index("officer_id")]
                shown["officer"] = logins.get(user) if user is not None else None
            else:
                provider = key[fields.index("provider_id")]
                shown["provider"] = codes.get(provider, provider)
        row = StepRow(
            key=shown,
            steps=got.steps,
            steps_judged=got.steps_judged,
            steps_kept=got.steps_kept,
            average_minutes=got.average,
            p90_minutes=got.p90,
        )
        if "step" in by:
            reg = regulations[shown["regulation"]]
            row.step = reg.step(shown["flow"], shown["step"])
            row.title = reg.title
            day = calendars[lowest[key]].calendar().hours.minutes_per_day
            row.norm_minutes = norm_minutes(getattr(row.step, "norm", None), day) if row.step else None
        result.append(row)
    return sorted(
        result, key=lambda r: tuple((v is None, "" if v is None else str(v)) for v in r.key.values())
    )


def refusal_drift(providers=None, mark: Mark | None = None) -> list[drift.Drift]:
    """`drift.refusal_drift(providers)` over every decision so far (no period), from the totals and
    the live rest: the service-wide counts of every provider, the rows of `providers` (None: all)."""
    mark = mark or Mark()
    totals: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    grounds: dict[tuple, int] = defaultdict(int)
    for r in _summed(
        mark.totals(DecisionTotal, None), ("service", "provider_id", "officer_id"), ("decided", "refused")
    ):
        got = totals[(r["service"], r["provider_id"], r["officer_id"])]
        got[0] += r["decided"]
        got[1] += r["refused"]
    for r in _summed(
        mark.totals(GroundTotal, None), ("service", "provider_id", "officer_id", "ground"), ("refused",)
    ):
        grounds[(r["service"], r["provider_id"], r["officer_id"], r["ground"])] += r["refused"]
    for part in mark.parts(None):
        live, live_grounds = rollup.decision_counts(part)
        for r in live:
            got = totals[(r["service"], r["provider"], r["officer"])]
            got[0] += r["decided"]
            got[1] += r["refused"]
        for key, n in live_grounds.items():
            grounds[key] += n
    codes = dict(Provider.objects.filter(pk__in={p for _s, p, _o in totals}).values_list("pk", "code"))
    logins = dict(
        get_user_model()
        .objects.filter(pk__in={o for _s, _p, o in totals if o is not None})
        .values_list("pk", "username")
    )
    by_provider: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    by_officer: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for (service, provider, officer), (n, refused) in totals.items():
        for target in (
            by_provider[(service, codes[provider])],
            by_officer[(service, logins.get(officer, officer))],
        ):
            target[0] += n
            target[1] += refused
    grounds_by_provider: dict[tuple, int] = defaultdict(int)
    grounds_by_officer: dict[tuple, int] = defaultdict(int)
    for (service, provider, officer, ground), n in grounds.items():
        grounds_by_provider[(service, codes[provider], ground)] += n
        grounds_by_officer[(service, logins.get(officer, officer), ground)] += n
    shown_providers = shown_officers = None
    if providers is not None:
        ids = dict(providers.values_list("pk", "code"))
        shown_providers = set(ids.values())
        shown_officers = {logins.get(o, o) for (_s, p, o) in totals if p in ids and o is not None}
    return drift.compare(
        dict(by_provider),
        dict(grounds_by_provider),
        dict(by_officer),
        dict(grounds_by_officer),
        shown_providers,
        shown_officers,
    )
