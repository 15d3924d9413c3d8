"""The personal cabinet: my applications and drafts, the services I received, every look-up of my
data in the state databases, the notifications sent to me, and one application's page."""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qyzmet import clock
from qyzmet.access import access_own_application, lookups_for, own_applications, own_drafts
from qyzmet.engine import paths
from qyzmet.engine.models import Status
from qyzmet.engine.statuses import regulation_status
from qyzmet.notifications.models import Notification
from qyzmet.regulations.templatetags.regulations import tr

from .. import access
from ..models import Draft


def _current_step(reg, app):
    run = next((r for r in app.steps.all() if r.completed_at is None), None)
    if run is None:
        return None
    return {"run": run, "step": reg.step(run.flow, run.step_id), "actor": reg.actor(run.role)}


def _row(app):
    reg = app.regulation.parsed
    return {
        "app": app,
        "reg": reg,
        "variant": reg.variant(app.variant),
        "current": _current_step(reg, app) if app.is_open else None,
        "result_link": result_link(app),
        # the status as the regulation names it (the engine's label where it names none)
        "status": regulation_status(app),
    }


def result_link(app) -> str:
    """Where the result or the reasoned refusal can be seen: the public register's page when the
    register is installed, else the plain-text summary."""
    if app.is_open:
        return ""
    if apps.is_installed("qyzmet.registry"):
        try:
            entry = app.register_entry
        except ObjectDoesNotExist:  # nothing entered: a refusal has no register entry
            entry = None
        return reverse("registry:verify-number", args=[entry.number if entry else app.number])
    return reverse("portal:summary", args=[app.number])


@access.applicant_required
def cabinet(request):
    user = request.user
    applications = [
        _row(app)
        for app in own_applications(user)
        .select_related("regulation", "provider")
        .defer("regulation__document")  # parsed from the cache by digest
        .prefetch_related("steps")
        .order_by("-filed_at")
    ]
    lookups = lookups_for(user).order_by("-created_at")[:200]
    return render(
        request,
        "portal/cabinet.html",
        {
            "open": [r for r in applications if r["app"].is_open],
            "closed": [r for r in applications if not r["app"].is_open],
            "drafts": own_drafts(
                user, Draft.objects.filter(state=Draft.State.EDITING).select_related("regulation")
            ),
            "lookups": lookups,
            "notifications": _notifications(user),
            "now": clock.now(),
        },
    )


def _notifications(user):
    mine = own_applications(user).values("pk")
    return Notification.objects.filter(application__in=mine).select_related("application")[:50]


@access.applicant_required
def application(request, number: str):
    app = access_own_application(request.user, number)
    row = _row(app)
    reg = row["reg"]
    try:
        planned = paths.plan(
            reg, app.variant, app.registered_at, app.provider.calendar(), channel=app.channel
        )
    except (KeyError, ValueError):
        planned = []
    return render(
        request,
        "portal/application.html",
        {
            **row,
            "planned": [{"step": p, "actor": reg.actor(p.step.actor)} for p in planned],
            "steps": app.steps.all(),
            "summary_url": reverse("portal:summary", args=[app.number]),
            # The SHA-256 of each signed document as issued, so that a copy can be checked.
            "documents": app.issued_documents.all() if apps.is_installed("qyzmet.registry") else [],
        },
    )


def _status_line(app) -> str:
    named = regulation_status(app)
    engine = str(Status(app.status).label)
    return f"{named.label} ({engine})" if named.source else engine


@access.applicant_required
def summary(request, number: str):
    """A plain-text account of the application and its result or reasoned refusal."""
    app = access_own_application(request.user, number)
    reg = app.regulation.parsed

    def moment(value):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""

    variant = reg.variant(app.variant)
    result = next((r for r in reg.results if r.code == app.result), None)
    rows = [
        (_("Service"), tr(reg.title)),
        (_("Variant"), tr(variant.name) if variant else app.variant),
        (_("Provider"), app.provider.display_name),
        (_("Applicant"), f"{app.applicant} {app.applicant_name}".strip()),
        (_("Filed"), moment(app.filed_at)),
        (_("Expected result by"), moment(app.due_at)),
        (_("Status"), _status_line(app)),
        (_("Closed"), moment(app.closed_at)),
        (_("Result"), tr(result.name) if result else ""),
    ]
    if app.status == Status.REFUSED:
        rows += [
            (_("Ground for refusal"), tr(g.text))
            for g in reg.refusal_grounds
            if g.code in app.refusal_grounds
        ]
        rows.append((_("Reasons"), app.refusal_text))
    lines = [_("Application %(number)s") % {"number": app.number}]
    lines += [f"{label}: {value}" for label, value in rows if value]
    response = HttpResponse(
        "\n".join(line for line in lines if line) + "\n", content_type="text/plain; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{app.number}.txt"'
    return response


@access.applicant_required
def document(request, number: str):
    """The signed PDF of my result or reasoned refusal, as issued (made now, once, if it was
    issued before documents were kept)."""
    from django.http import Http404

    app = access_own_application(request.user, number)
    if app.is_open or not apps.is_installed("qyzmet.registry"):
        raise Http404(_("There is no document yet."))
    from qyzmet.registry import documents

    try:
        entry = app.register_entry
    except ObjectDoesNotExist:
        entry = None
    issued = documents.obtain_result(entry) if entry else documents.obtain_for_application(app)
    return documents.http_response(issued, f"{app.number}.pdf", attachment=True)
