"""Open data: every provider's compliance figures per service, as a page, CSV and JSON.

Only aggregates of the public's concern are published: per service and per provider of each
service, the counts and shares of `figures.Row` (terms kept, steps within their norm, working
time, open and overdue, deemed issued, channels, satisfaction). No application, applicant or
officer appears. The period is the month of filing, `since`..`until` inclusive.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

from django.utils import timezone

from qyzmet import clock
from qyzmet.engine.models import Application
from qyzmet.i18n import in_language
from qyzmet.regulations.models import Regulation

from . import totals
from .figures import Row
from .totals import Mark

__all__ = ["Mark", "rows", "records", "as_csv", "as_json"]

LEVELS = {"service": ("service",), "provider": ("service", "provider")}
# The columns of the CSV and of each JSON record, in order.
COLUMNS = (
    "service",
    "service_title",
    "provider",
    "provider_name",
    "applications",
    "decided",
    "with_term",
    "in_term",
    "in_term_share",
    "refused",
    "refused_share",
    "deemed_issued",
    "deemed_share",
    "open",
    "overdue",
    "portal",
    "portal_share",
    "office",
    "office_share",
    "psc",
    "psc_share",
    "steps",
    "steps_judged",
    "steps_kept",
    "steps_kept_share",
    "average_minutes",
    "p90_minutes",
    "answers",
    "satisfied",
    "satisfied_share",
)


def month_start(value: str | None) -> dt.datetime | None:
    """The first moment of a month given as YYYY-MM (None for none; ValueError otherwise)."""
    if not value:
        return None
    day = dt.datetime.strptime(value, "%Y-%m").replace(tzinfo=timezone.get_current_timezone())
    return day


def _next_month(moment: dt.datetime) -> dt.datetime:
    return moment.replace(year=moment.year + moment.month // 12, month=moment.month % 12 + 1, day=1)


def applications(since: str | None = None, until: str | None = None):
    apps = Application.objects.all()
    if start := month_start(since):
        apps = apps.filter(filed_at__gte=start)
    if end := month_start(until):
        apps = apps.filter(filed_at__lt=_next_month(end))
    return apps


def service_titles(services) -> dict[str, dict]:
    """Each service's title (kk/ru/en) from its latest regulation version."""
    titles = {}
    # The title is read out of the stored document by the database; no version is parsed.
    found = Regulation.objects.filter(service__in=set(services)).order_by("in_force_from")
    for service, title in found.values_list("service", "document__title"):
        titles[service] = title
    return titles


def rows(level: str = "provider", since: str | None = None, until: str | None = None, mark=None) -> list[Row]:
    """The figures of every provider's applications filed in the months `since`..`until`, read from
    the roll-up's totals and the live rest (`totals`; equal to `figures.compliance` over
    `applications(since, until)`)."""
    if level not in LEVELS:
        raise ValueError(f"level is one of {sorted(LEVELS)}")
    end = month_start(until)
    return totals.compliance(
        None,
        by=LEVELS[level],
        filed_from=month_start(since),
        filed_before=end and _next_month(end),
        mark=mark,
    )


def records(level: str = "provider", since=None, until=None, language: str | None = None) -> list[dict]:
    found = rows(level, since, until)
    titles = service_titles(r.key["service"] for r in found)
    out = []
    for row in found:
        record = row.as_dict()
        title = titles.get(row.key["service"])
        record["service_title"] = (
            title if language is None else (in_language(title, language) if title else "")
        )
        out.append({column: record.get(column, "") for column in COLUMNS})
    return out


def as_json(level: str = "provider", since=None, until=None) -> str:
    return json.dumps(
        {
            "generated_at": clock.now().isoformat(),
            "level": level,
            "period": {"since": since, "until": until, "by": "month of filing"},
            "columns": list(COLUMNS),
            "rows": records(level, since, until),
        },
        ensure_ascii=False,
        indent=1,
    )


def as_csv(level: str = "provider", since=None, until=None, language: str = "en") -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    for record in records(level, since, until, language=language):
        writer.writerow({k: "" if v is None else v for k, v in record.items()})
    return out.getvalue()
