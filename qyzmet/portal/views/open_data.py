"""Open data: every provider's compliance figures per service, for anyone, as a page, CSV and JSON.

`?since=YYYY-MM&until=YYYY-MM` limits the months of filing; `?level=service` gives one row per
service instead of one per provider of each service (`analytics.opendata`).
"""

from __future__ import annotations

from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from qyzmet.analytics import opendata


def _params(request):
    since, until = request.GET.get("since") or None, request.GET.get("until") or None
    level = request.GET.get("level") or "provider"
    opendata.month_start(since), opendata.month_start(until)  # ValueError when not YYYY-MM
    if level not in opendata.LEVELS:
        raise ValueError(level)
    return level, since, until


def _bad(request):
    return HttpResponseBadRequest(
        _("since and until are months as YYYY-MM, level is service or provider"), content_type="text/plain"
    )


def page(request):
    try:
        _level, since, until = _params(request)
    except ValueError:
        return _bad(request)
    mark = opendata.Mark()  # one roll-up and one live count for both tables
    services = opendata.rows("service", since, until, mark=mark)
    providers = opendata.rows("provider", since, until, mark=mark)
    return render(
        request,
        "portal/open_data.html",
        {
            "services": services,
            "providers": providers,
            "titles": opendata.service_titles(r.key["service"] for r in services),
            "since": since or "",
            "until": until or "",
            "section": "open-data",
        },
    )


def download_csv(request):
    try:
        level, since, until = _params(request)
    except ValueError:
        return _bad(request)
    response = HttpResponse(
        opendata.as_csv(level, since, until, language=get_language()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="qyzmet-figures-{level}.csv"'
    return response


def download_json(request):
    try:
        level, since, until = _params(request)
    except ValueError:
        return _bad(request)
    return HttpResponse(opendata.as_json(level, since, until), content_type="application/json; charset=utf-8")
