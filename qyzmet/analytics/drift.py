"""Refusal drift: providers and officers who refuse more (or less) often than the rest of the
same service over the same period, on the whole or on one ground, beyond what chance explains.

What is compared. For a service, the applications the providers decided (issued or refused;
deemed issued is no decision) in the period, by the moment they closed. A unit is a provider, or
an officer: the person who completed the application's last step before it closed (the decision
or its issue). For each unit, and for each refusal ground the service's refusals cite, the
unit's count (refused, or refused citing the ground) out of its decided applications is set
against the same count among the rest of the service's decided applications (every provider of
the service, whoever is looking): a 2x2 table.

The test. Fisher's exact test, two-sided (`stats.fisher_exact`): exact at any size, so a small
provider with 3 refusals out of 4 gets a true p-value rather than a normal approximation's; the
unit is tested against the rest rather than against a service rate that includes its own cases,
which would pull the two together. Two-sided, because refusing markedly less often than the rest
is as much worth a look as refusing more.

Many comparisons. A dashboard sets dozens or hundreds of such tables side by side; at p < 0.05
one in twenty would be flagged by chance alone. The p-values of all comparisons shown together
are one family, adjusted by Benjamini-Hochberg (`stats.benjamini_hochberg`), and a row is
flagged when its q-value is at most `FDR` (5 %). Benjamini-Hochberg rather than Bonferroni or
Holm: those bound the chance of even one false flag, and with hundreds of comparisons they
demand p-values so small that a real drift at a mid-sized provider is never shown; a flag here is
a prompt to read the cases, so the right promise is that, on average, at most 5 % of the flagged
rows are chance. BH holds for independent or positively dependent tests; a unit's tests on
different grounds share its cases and are positively dependent, and units of one service are
only weakly dependent through the shared rest.

A flag is a number to look into, never a verdict: a provider may see harder cases, an officer
may handle one kind of application. Rows carry their counts, rates, p and q.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery

from qyzmet.engine.models import Application, Status, StepRun

from .stats import benjamini_hochberg, fisher_exact

FDR = 0.05  # the false discovery rate a flag promises
ANY = ""  # the ground of a row about refusals on any ground


@dataclasses.dataclass
class Drift:
    service: str
    unit: str  # "provider" or "officer"
    who: str  # the provider's code or the officer's login
    ground: str  # a refusal ground's code, or ANY
    count: int  # refused (citing the ground) among the unit's decided
    decided: int
    rest_count: int  # the same among the rest of the service
    rest_decided: int
    p: float
    q: float = 1.0

    @property
    def rate(self) -> float:
        return self.count / self.decided

    @property
    def rest_rate(self) -> float | None:
        return self.rest_count / self.rest_decided if self.rest_decided else None

    @property
    def service_rate(self) -> float:
        return (self.count + self.rest_count) / (self.decided + self.rest_decided)

    @property
    def flagged(self) -> bool:
        return self.q <= FDR

    @property
    def higher(self) -> bool:
        return self.rest_rate is not None and self.rate > self.rest_rate

    def as_dict(self) -> dict:
        record = dataclasses.asdict(self)
        record.update(rate=self.rate, rest_rate=self.rest_rate, flagged=self.flagged)
        return record


def deciding_officer():
    """The user id of whoever completed the application's last step (its decision or its issue):
    one index lookup of the application's runs, no join (logins are read once afterwards)."""
    last = StepRun.objects.filter(application=OuterRef("pk"), completed_by__isnull=False).order_by(
        "-completed_at", "-id"
    )
    return Subquery(last.values("completed_by_id")[:1])


def _by_login(totals: dict, grounds: dict) -> tuple[dict, dict]:
    """The officers' counts keyed by their login instead of their user id."""
    logins = dict(
        get_user_model().objects.filter(pk__in={u for _s, u in totals}).values_list("pk", "username")
    )
    return (
        {(s, logins.get(u, u)): v for (s, u), v in totals.items()},
        {(s, logins.get(u, u), g): v for (s, u, g), v in grounds.items()},
    )


def _decided(since: dt.datetime | None, until: dt.datetime | None) -> QuerySet[Application]:
    query = Application.objects.filter(status__in=(Status.ISSUED, Status.REFUSED), closed_at__isnull=False)
    if since:
        query = query.filter(closed_at__gte=since)
    if until:
        query = query.filter(closed_at__lt=until)
    return query.order_by()


def _counts(query, unit_field):
    """{(service, unit): [decided, refused]} and {(service, unit, ground): refused citing it}:
    two grouped queries (the grounds grouped by their distinct lists, which are few)."""
    totals: dict[tuple, list[int]] = {}
    for r in query.values("service", unit=unit_field).annotate(
        n=Count("id"), refused=Count("id", filter=Q(status=Status.REFUSED))
    ):
        totals[(r["service"], r["unit"])] = [r["n"], r["refused"]]
    grounds: dict[tuple, int] = defaultdict(int)
    refused = query.filter(status=Status.REFUSED).values("service", "refusal_grounds", unit=unit_field)
    for r in refused.annotate(n=Count("id")):
        for ground in set(r["refusal_grounds"] or []):
            grounds[(r["service"], r["unit"], ground)] += r["n"]
    return totals, grounds


def refusal_drift(
    providers=None, since: dt.datetime | None = None, until: dt.datetime | None = None
) -> list[Drift]:
    """Every comparison of the units among `providers` (a queryset; None: all) with the rest of
    their service, decided in [since, until), adjusted together; flagged rows first, then by q."""
    decided = _decided(since, until)
    by_provider, grounds_by_provider = _counts(decided, F("provider__code"))
    by_officer, grounds_by_officer = _by_login(
        *_counts(decided.annotate(officer=deciding_officer()), F("officer"))
    )
    shown_providers = None if providers is None else set(providers.values_list("code", flat=True))
    shown_officers = None
    if providers is not None:
        ids = (
            decided.filter(provider__in=providers)
            .annotate(officer=deciding_officer())
            .values_list("officer", flat=True)
            .distinct()
        )
        shown_officers = set(
            get_user_model().objects.filter(pk__in=list(ids)).values_list("username", flat=True)
        )
    return compare(
        by_provider, grounds_by_provider, by_officer, grounds_by_officer, shown_providers, shown_officers
    )


def compare(
    by_provider: dict,
    grounds_by_provider: dict,
    by_officer: dict,
    grounds_by_officer: dict,
    shown_providers: set | None,
    shown_officers: set | None,
) -> list[Drift]:
    """The rows of every unit shown (None: all) against the rest of its service, adjusted
    together: `by_provider` {(service, code): [decided, refused]}, `grounds_by_provider`
    {(service, code, ground): refused citing it}, the same by officer's login."""
    service_totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    service_grounds: dict[tuple, int] = defaultdict(int)
    for (service, _unit), (n, refused) in by_provider.items():
        service_totals[service][0] += n
        service_totals[service][1] += refused
    for (service, _unit, ground), n in grounds_by_provider.items():
        service_grounds[(service, ground)] += n
    rows: list[Drift] = []
    for unit, totals, grounds, shown in (
        ("provider", by_provider, grounds_by_provider, shown_providers),
        ("officer", by_officer, grounds_by_officer, shown_officers),
    ):
        for (service, who), (n, refused) in sorted(totals.items(), key=lambda kv: tuple(map(str, kv[0]))):
            if who is None or (shown is not None and who not in shown):
                continue
            all_n, all_refused = service_totals[service]
            if all_n == n:
                continue  # the only one of its service: nothing to compare with
            rows.append(_row(service, unit, who, ANY, refused, n, all_refused - refused, all_n - n))
            for (svc, ground), all_count in sorted(service_grounds.items()):
                if svc == service:
                    count = grounds.get((service, who, ground), 0)
                    rows.append(_row(service, unit, who, ground, count, n, all_count - count, all_n - n))
    for row, q in zip(rows, benjamini_hochberg([r.p for r in rows]), strict=True):
        row.q = q
    return sorted(rows, key=lambda r: (not r.flagged, r.q, r.p, r.service, r.unit, r.who, r.ground))


def _row(service, unit, who, ground, count, decided, rest_count, rest_decided) -> Drift:
    p = fisher_exact(count, decided - count, rest_count, rest_decided - rest_count)
    return Drift(service, unit, who, ground, count, decided, rest_count, rest_decided, p)
