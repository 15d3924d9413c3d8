"""GET /providers/{code}/dashboard: a provider's figures at this moment."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone
from ninja import Router

from qyzmet import clock
from qyzmet.access import access_provider_as_staff
from qyzmet.engine import figures
from qyzmet.engine.models import OPEN_STATUSES, Application, Status, StepRun

from .schemas import Dashboard, Error

router = Router(tags=["dashboard"])


def _figures(rows, status_field: str, now: dt.datetime, end_of_day: dt.datetime) -> dict:
    # Only a running clock makes something due or late: a paused application's due moments will
    # move when it resumes, so it counts as open but neither due today nor overdue.
    running = Q(due_at__isnull=False, **{status_field: Status.IN_PROGRESS})
    return rows.aggregate(
        open=Count("pk"),
        due_today=Count("pk", filter=running & Q(due_at__gte=now, due_at__lt=end_of_day)),
        overdue=Count("pk", filter=running & Q(due_at__lt=now)),
    )


@router.get(
    "/providers/{code}/dashboard",
    response={200: Dashboard, 404: Error},
    summary="Counts by status, due today and overdue, for one of my providers",
)
def provider_dashboard(request, code: str):
    """ "Today" is the provider's day in Almaty time; due today means due from now until midnight."""
    provider = access_provider_as_staff(request.auth, code)
    now = clock.now()  # the platform's day, as the office sees it (a demo may run on another)
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    end_of_day = midnight + dt.timedelta(days=1)
    apps = Application.objects.filter(provider=provider)
    by_status = dict.fromkeys(Status.values, 0)
    by_status.update(figures.counts_by_status([provider]))
    open_runs = StepRun.objects.filter(
        application__provider=provider, completed_at__isnull=True, application__status__in=OPEN_STATUSES
    )
    return {
        "provider": provider.code,
        "name": provider.display_name,
        "at": now,
        "applications_by_status": by_status,
        "applications": _figures(apps.filter(status__in=OPEN_STATUSES), "status", now, end_of_day),
        "steps": _figures(open_runs, "application__status", now, end_of_day),
    }
