"""Compliance figures: how services keep their terms and norms, per service, provider, step,
officer and period, each counted by the database (one GROUP BY per kind of figure, never a loop
over rows).

These functions count over every row of the applications given: the definition of each figure,
and the recomputation the totals are checked against. The pages read the same rows from the
roll-up's totals and a live count of the rest (`totals`, `rollup`), which does not grow with the
number of applications.

Applications (grouped by service, provider and/or period, the month of filing):

    applications    filed in the group
    decided         closed: issued, refused, or deemed issued
    with_term       decided and with a legal term (`due_at`)
    in_term         issued or refused by the provider no later than its term (`closed_at <= due_at`);
                    deemed issued is not: the term lapsed without a decision (Status.DEEMED_ISSUED,
                    a failure of the provider), so it counts in `with_term` only
    refused, deemed_issued
    open, overdue   open now, and of them past their term now
    portal, office, psc   filed through each kind of channel (`CHANNELS`)

Steps (grouped by service, provider, step, officer and/or period, the month of completion):
completed runs (the scheduler's `superseded` closings are no one's work and are left out), kept
(completed by their due moment, `StepRun.kept`), their average and 90th percentile working time
(`StepRun.working_minutes`, on the provider's calendar, as norms are counted) and, per step, the
norm from the regulation.

Satisfaction: the share of "satisfied" among the questionnaire answers given (every question of
every answered questionnaire; `questionnaire`).

A share is None where its denominator is 0: no figure is better than a made-up one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict

from django.db.models import Avg, Count, F, Min, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from qyzmet import clock
from qyzmet.engine.models import OPEN_STATUSES, Application, Status, StepRun
from qyzmet.providers.models import Provider
from qyzmet.regulations.models import Regulation

from .aggregates import Percentile
from .models import QuestionnaireAnswer

# The applicant's ways in, as the regulations' channel codes group them.
CHANNELS = {
    "portal": ("egov_portal", "elicense_portal"),
    "office": ("provider_office", "provider_workstation"),
    "psc": ("psc",),
}
DECIDED = (Status.ISSUED, Status.REFUSED, Status.DEEMED_ISSUED)
DECIDED_BY_PROVIDER = (Status.ISSUED, Status.REFUSED)
APPLICATION_KEYS = ("service", "provider", "period")
STEP_KEYS = ("service", "provider", "step", "officer", "period")
PERCENTILE = 0.9


def share(part: int, whole: int) -> float | None:
    return None if not whole else part / whole


@dataclasses.dataclass
class Row:
    """The figures of one group; `key` names it (service, provider code, period "YYYY-MM", ...)."""

    key: dict
    applications: int = 0
    decided: int = 0
    with_term: int = 0
    in_term: int = 0
    refused: int = 0
    deemed_issued: int = 0
    open: int = 0
    overdue: int = 0
    portal: int = 0
    office: int = 0
    psc: int = 0
    steps: int = 0
    steps_judged: int = 0
    steps_kept: int = 0
    average_minutes: float | None = None
    p90_minutes: float | None = None
    answers: int = 0
    satisfied: int = 0
    provider_name: str = ""

    @property
    def in_term_share(self) -> float | None:
        return share(self.in_term, self.with_term)

    @property
    def steps_kept_share(self) -> float | None:
        return share(self.steps_kept, self.steps_judged)

    @property
    def deemed_share(self) -> float | None:
        return share(self.deemed_issued, self.decided)

    @property
    def refused_share(self) -> float | None:
        return share(self.refused, self.decided)

    def channel_share(self, channel: str) -> float | None:
        return share(getattr(self, channel), self.applications)

    @property
    def portal_share(self) -> float | None:
        return self.channel_share("portal")

    @property
    def office_share(self) -> float | None:
        return self.channel_share("office")

    @property
    def psc_share(self) -> float | None:
        return self.channel_share("psc")

    @property
    def satisfied_share(self) -> float | None:
        return share(self.satisfied, self.answers)

    def as_dict(self) -> dict:
        """The open-data record: counts, then shares (0..1, None where nothing to divide)."""
        record = dict(self.key)
        if self.provider_name:
            record["provider_name"] = self.provider_name
        for field in dataclasses.fields(self):
            if field.name not in ("key", "provider_name"):
                record[field.name] = getattr(self, field.name)
        record.update(
            in_term_share=self.in_term_share,
            steps_kept_share=self.steps_kept_share,
            refused_share=self.refused_share,
            deemed_share=self.deemed_share,
            portal_share=self.channel_share("portal"),
            office_share=self.channel_share("office"),
            psc_share=self.channel_share("psc"),
            satisfied_share=self.satisfied_share,
        )
        return record


def _month(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime("%Y-%m")


def _app_fields(by: tuple[str, ...], prefix: str = "") -> dict:
    """The GROUP BY expressions over applications (`prefix` from a related model)."""
    fields = {}
    for key in by:
        if key == "service":
            fields["service"] = F(f"{prefix}service")
        elif key == "provider":
            fields["provider"] = F(f"{prefix}provider__code")
        elif key == "period":
            fields["period"] = TruncMonth(f"{prefix}filed_at")
        else:
            raise ValueError(f"applications are not grouped by {key!r}")
    return fields


def _key(row: dict, by: tuple[str, ...]) -> tuple:
    return tuple(_month(row[k]) if k == "period" else row[k] for k in by)


def compliance(
    apps: QuerySet[Application], by: tuple[str, ...] = ("provider",), now: dt.datetime | None = None
) -> list[Row]:
    """Application, step and satisfaction figures of `apps` grouped `by` service, provider
    and/or period (the month of filing), in key order. Three grouped queries."""
    now = now or clock.now()
    fields = _app_fields(by)
    counted = (
        apps.order_by()
        .annotate(**{f"g_{k}": v for k, v in fields.items()})
        .values(*(f"g_{k}" for k in by))
        .annotate(**application_counts(now))
    )
    rows: dict[tuple, Row] = {}
    for r in counted:
        values = {k: r[f"g_{k}"] for k in by}
        key = _key(values, by)
        rows[key] = Row(
            key=dict(zip(by, key, strict=True)),
            **{name: r[name] for name in ("applications", "decided", "with_term", "in_term", "refused")},
            deemed_issued=r["deemed_issued"],
            open=r["open"],
            overdue=r["overdue"],
            portal=r["portal"],
            office=r["office"],
            psc=r["psc"],
        )
    # Steps of the same applications, grouped by the application's keys (period: of filing).
    runs = _completed_runs(apps).annotate(
        **{f"g_{k}": v for k, v in _app_fields(by, "application__").items()}
    )
    for r in _step_aggregates(runs.values(*(f"g_{k}" for k in by))):
        row = rows.get(_key({k: r[f"g_{k}"] for k in by}, by))
        if row is not None:
            _set_steps(row, r)
    for key, (answers, satisfied) in _satisfaction(apps, by).items():
        if key in rows:
            rows[key].answers, rows[key].satisfied = answers, satisfied
    _name_providers(rows.values())
    return [rows[k] for k in sorted(rows, key=lambda k: tuple("" if v is None else str(v) for v in k))]


def application_counts(now: dt.datetime) -> dict:
    """The aggregates of a group of applications, by the names of `Row`'s counts."""
    decided = Q(status__in=DECIDED, closed_at__isnull=False)
    return dict(
        applications=Count("id"),
        decided=Count("id", filter=decided),
        with_term=Count("id", filter=decided & Q(due_at__isnull=False)),
        in_term=Count(
            "id",
            filter=Q(status__in=DECIDED_BY_PROVIDER, closed_at__isnull=False, closed_at__lte=F("due_at")),
        ),
        refused=Count("id", filter=Q(status=Status.REFUSED)),
        deemed_issued=Count("id", filter=Q(status=Status.DEEMED_ISSUED)),
        open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
        overdue=Count("id", filter=Q(status__in=OPEN_STATUSES, due_at__lt=now)),
        **{name: Count("id", filter=Q(channel__in=codes)) for name, codes in CHANNELS.items()},
    )


def _completed_runs(apps) -> QuerySet[StepRun]:
    return (
        StepRun.objects.filter(application__in=apps, completed_at__isnull=False)
        .exclude(outcome="superseded")
        .order_by()
    )


def _step_aggregates(grouped):
    return grouped.annotate(
        steps=Count("id"),
        steps_judged=Count("id", filter=Q(kept__isnull=False)),
        steps_kept=Count("id", filter=Q(kept=True)),
        average_minutes=Avg("working_minutes"),
        p90_minutes=Percentile("working_minutes", PERCENTILE),
    )


def _set_steps(row: Row, r: dict) -> None:
    row.steps, row.steps_judged, row.steps_kept = r["steps"], r["steps_judged"], r["steps_kept"]
    row.average_minutes, row.p90_minutes = r["average_minutes"], r["p90_minutes"]


def _satisfaction(apps, by: tuple[str, ...]) -> dict[tuple, tuple[int, int]]:
    """Per group: the answers given and how many of them were "satisfied"."""
    fields = _app_fields(by, "application__")
    grouped = answers_grouped(QuestionnaireAnswer.objects.filter(application__in=apps), fields)
    return {_key({k: v for k, v in zip(by, key, strict=True)}, by): v for key, v in grouped.items()}


def answers_grouped(answers, fields: dict) -> dict[tuple, tuple[int, int]]:
    """Questionnaire answers grouped by `fields` (name: expression): per group, the answers given
    (one per question) and how many were "satisfied". The database groups the questionnaires by
    their (few distinct) sets of answers; each set is then read once."""
    grouped = (
        answers.order_by()
        .annotate(**{f"g_{k}": v for k, v in fields.items()})
        .values(*(f"g_{k}" for k in fields), "answers")
        .annotate(n=Count("id"))
    )
    found: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for r in grouped:
        counts = found[tuple(r[f"g_{k}"] for k in fields)]
        counts[0] += len(r["answers"]) * r["n"]
        counts[1] += sum(1 for a in r["answers"].values() if a == "satisfied") * r["n"]
    return {k: (v[0], v[1]) for k, v in found.items()}


def _name_providers(rows) -> None:
    rows = [r for r in rows if "provider" in r.key]
    providers = {p.code: p for p in Provider.objects.filter(code__in={r.key["provider"] for r in rows})}
    for r in rows:
        p = providers.get(r.key["provider"])
        r.provider_name = p.display_name if p else r.key["provider"]


@dataclasses.dataclass
class StepRow:
    """The timing of completed steps of one group (by step, officer, provider, period)."""

    key: dict
    steps: int
    steps_judged: int
    steps_kept: int
    average_minutes: float | None
    p90_minutes: float | None
    step: object = None  # the regulation's step, when grouped by step
    title: object = None  # the regulation's title
    norm_minutes: float | None = None

    @property
    def steps_kept_share(self) -> float | None:
        return share(self.steps_kept, self.steps_judged)

    @property
    def slower(self) -> bool:
        """The 90th percentile beyond the norm: one run in ten or more took longer than allowed."""
        return None not in (self.p90_minutes, self.norm_minutes) and self.p90_minutes > self.norm_minutes


def step_figures(apps: QuerySet[Application], by: tuple[str, ...] = ("step",)) -> list[StepRow]:
    """Completed steps of `apps` grouped `by` step (regulation, procedure and step), officer
    (who completed it), service, provider and/or period (the month of completion). One query;
    the norm of each step is read from its regulation (per group, not per run)."""
    fields: dict = {}
    for key in by:
        if key == "step":
            fields.update(g_regulation=F("application__regulation_id"), g_flow=F("flow"), g_step=F("step_id"))
        elif key == "officer":
            fields["g_officer"] = F("completed_by__username")
        elif key == "service":
            fields["g_service"] = F("application__service")
        elif key == "provider":
            fields["g_provider"] = F("application__provider__code")
        elif key == "period":
            fields["g_period"] = TruncMonth("completed_at")
        else:
            raise ValueError(f"steps are not grouped by {key!r}")
    grouped = _step_aggregates(_completed_runs(apps).annotate(**fields).values(*fields))
    if "step" in by:  # the working day of the norm: a provider's of the group (their hours agree)
        grouped = grouped.annotate(provider_id=Min("application__provider_id"))
    rows = list(grouped.order_by(*fields))
    regulations, providers = {}, {}
    if "step" in by:
        regulations = {
            r.pk: r
            for r in Regulation.objects.defer("document").filter(pk__in={r["g_regulation"] for r in rows})
        }
        providers = Provider.objects.in_bulk({r["provider_id"] for r in rows})
    result = []
    for r in rows:
        key = {}
        for name in fields:
            value = r[name]
            key[name[2:]] = _month(value) if name == "g_period" else value
        row = StepRow(
            key=key,
            steps=r["steps"],
            steps_judged=r["steps_judged"],
            steps_kept=r["steps_kept"],
            average_minutes=r["average_minutes"],
            p90_minutes=r["p90_minutes"],
        )
        if "step" in by:
            reg = regulations[r["g_regulation"]].parsed
            row.step = reg.step(r["g_flow"], r["g_step"])
            row.title = reg.title
            day = providers[r["provider_id"]].calendar().hours.minutes_per_day
            row.norm_minutes = norm_minutes(getattr(row.step, "norm", None), day) if row.step else None
        result.append(row)
    return result


def norm_minutes(norm, minutes_per_day: float) -> float | None:
    """A step's norm in working minutes, to set beside its times: a working day is the
    provider's (`minutes_per_day`), a calendar day 24 hours, a range its maximum."""
    if norm is None:
        return None
    if norm.unit == "within_working_day":
        return minutes_per_day
    value = getattr(norm, "value", None) or norm.max
    if norm.unit == "working_days":
        return value * minutes_per_day
    if norm.unit == "calendar_days":
        return value * 24 * 60
    return value * {"seconds": 1 / 60, "minutes": 1, "hours": 60}[norm.unit]
