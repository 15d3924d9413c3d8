"""Who may see what in the back office: the one permission chokepoint of its views.

Staff see the applications of the providers where they hold a role, and nothing else; a
superuser sees every provider. Every view fetches applications, step runs and conclusion requests
through these functions, so a member of staff of provider A asking for provider B's application
gets the same 404 as for a number that does not exist (the page must not confirm it exists).
Whether someone may *act* on a step is the engine's rule (`services.may_act`), asked here too so
the page offers only what the engine will accept.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from qyzmet.engine.models import Application, ConclusionRequest, StepRun
from qyzmet.engine.services import may_act
from qyzmet.providers.models import Provider, StaffRole, roles_of


def providers_for(user) -> QuerySet[Provider]:
    """The providers whose applications `user` may see."""
    if user.is_superuser:
        return Provider.objects.all()
    return Provider.objects.filter(staff__user=user).distinct()


def is_office_user(user) -> bool:
    return user.is_authenticated and (user.is_superuser or StaffRole.objects.filter(user=user).exists())


def office_staff_required(view):
    """Logged in (else the login page), and staff of some provider (else 403)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_office_user(request.user):
            raise PermissionDenied("not a member of any provider's staff")
        return view(request, *args, **kwargs)

    return wrapped


def applications_for(user) -> QuerySet[Application]:
    """The applications `user` may see: those of their providers."""
    apps = Application.objects.select_related("provider", "regulation")
    if user.is_superuser:
        return apps
    return apps.filter(provider__in=providers_for(user))


def application_for(user, number: str) -> Application:
    """One application by number, or 404 when it does not exist or is another provider's."""
    app = applications_for(user).filter(number=number).first()
    if app is None:
        raise Http404("no such application among your provider's")
    return app


def step_run_for(user, app: Application, run_id) -> StepRun:
    """A step run of an application the user may see (404 if it belongs to another application)."""
    try:
        return app.steps.select_related("application__provider", "assignee", "completed_by").get(pk=run_id)
    except (StepRun.DoesNotExist, ValueError, TypeError):
        raise Http404("no such step in this application") from None


def conclusion_for(user, app: Application, request_id) -> ConclusionRequest:
    try:
        return app.conclusions.select_related("step_run__application__provider").get(pk=request_id)
    except (ConclusionRequest.DoesNotExist, ValueError, TypeError):
        raise Http404("no such conclusion request in this application") from None


def may_act_on(user, run: StepRun) -> bool:
    """The engine's rule: the step's role at its provider, its assignee, the head, or a superuser."""
    return run.is_open and may_act(user, run)


def may_manage_clock(user, app: Application) -> bool:
    """Stopping or restarting the legal clock: whoever may act on an open step, or the head."""
    if user.is_superuser or "head" in roles_of(user, app.provider):
        return True
    return any(may_act(user, run) for run in app.steps.filter(completed_at__isnull=True))


def waiting_for(user) -> QuerySet[StepRun]:
    """Open steps that wait for `user`: assigned to them, of a role they hold at that provider, or,
    for a head, escalated there as overdue."""
    runs = StepRun.objects.filter(completed_at__isnull=True).select_related(
        "application__provider", "application__regulation", "assignee"
    )
    if user.is_superuser:
        return runs
    mine = Q(assignee=user)
    for provider_id, role in StaffRole.objects.filter(user=user).values_list("provider_id", "role"):
        mine |= Q(application__provider_id=provider_id, role=role)
        if role == "head":  # the scheduler escalates overdue steps to the head (services.tick)
            mine |= Q(application__provider_id=provider_id, escalated_at__isnull=False)
    # The assignee branch is also bounded by the providers: an assignment outlives a lost role.
    return runs.filter(mine, application__provider__in=providers_for(user))


def clerk_required(view):
    """Logged in (else the login page), and an office clerk of some provider (else 403)."""
    from qyzmet.intake.paper.reception import is_clerk

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_clerk(request.user):
            raise PermissionDenied("not an office clerk of any provider")
        return view(request, *args, **kwargs)

    return wrapped


def reception_refusal_for(user, number: str):
    """A refusal-to-accept receipt of one of the user's providers, or 404."""
    from qyzmet.intake.paper.models import ReceptionRefusal

    refusal = (
        ReceptionRefusal.objects.select_related("provider", "regulation", "clerk")
        .filter(number=number, provider__in=providers_for(user))
        .first()
    )
    if refusal is None:
        raise Http404("no such receipt among your provider's")
    return refusal


def registration_for(user, pk):
    """A paper registration made at one of the user's providers' offices, or 404."""
    from qyzmet.intake.paper.models import Registration

    found = (
        Registration.objects.select_related("provider", "regulation", "application")
        .filter(pk=pk, desk=Registration.Desk.OFFICE, provider__in=providers_for(user))
        .first()
    )
    if found is None:
        raise Http404("no such registration among your provider's")
    return found
