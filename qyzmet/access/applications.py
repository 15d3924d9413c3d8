"""Applications and what hangs on them: step runs, conclusion requests, the legal clock, documents.

Two people see an application, each in their own capacity, and faces ask in the capacity they
serve: the portal and the applicant API ask `access_own_application` (the applicant it was filed
for, by IIN/BIN, or the account that filed it); the back office and the staff API ask
`access_application_as_staff` (staff of its provider; a superuser sees every provider's).

Acting on a step is the engine's rule, kept here so the engine and every face ask the same
question: a superuser, whoever holds the step's role or `head` at the provider, or the person the
step is assigned to. Stopping or restarting the legal clock: a superuser, the head of the
provider, or whoever may act on one of the application's open steps.

A document of an application (the accepted-documents receipt, a scan, the result or the
reasoned refusal) is seen by whoever sees the application in that capacity; no separate rule.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from qyzmet.engine.models import Application, ConclusionRequest, StepRun
from qyzmet.providers.models import HEAD, Provider, StaffRole

from .errors import Forbidden, NotFound
from .people import is_applicant, is_superuser, roles_at, staff_providers

# Applications ---------------------------------------------------------------------------------


def own_applications(user) -> QuerySet[Application]:
    """The applicant's applications: filed in their IIN/BIN (through any channel, at any desk)
    or filed by their account. Nobody else has any."""
    if not is_applicant(user):
        return Application.objects.none()
    return Application.objects.filter(Q(applicant=user.get_username()) | Q(applicant_user=user))


def access_own_application(user, number: str) -> Application:
    app = (
        own_applications(user)
        .select_related("provider", "regulation")
        .defer("regulation__document")  # parsed from the cache by digest
        .filter(number=number)
        .first()
    )
    if app is None:
        raise NotFound(_("You have no application %(number)s.") % {"number": number})
    return app


def staff_applications(user) -> QuerySet[Application]:
    """The applications of the providers where `user` holds a role (all for a superuser)."""
    if is_superuser(user):
        return Application.objects.all()
    return Application.objects.filter(provider__in=staff_providers(user))


def access_application_as_staff(user, number: str) -> Application:
    """One application by number, or 404 when it does not exist or is another provider's."""
    app = (
        staff_applications(user)
        .select_related("provider", "regulation")
        .defer("regulation__document")  # parsed from the cache by digest
        .filter(number=number)
        .first()
    )
    if app is None:
        raise NotFound(
            _("No application %(number)s among your providers' applications.") % {"number": number}
        )
    return app


def access_provider_as_staff(user, code: str) -> Provider:
    provider = staff_providers(user).filter(code=code).first()
    if provider is None:
        raise NotFound(_("No provider %(code)s among your providers.") % {"code": code})
    return provider


# Steps ----------------------------------------------------------------------------------------


def may_act_given(user, holds_role: bool, assignee_id) -> bool:
    """The step rule once the person's roles are known: `holds_role` is whether they hold the
    step's role or `head` at its provider (the engine's hot path reads it in the same statement
    as the step, `engine.store.read_run`)."""
    if user is None or getattr(user, "pk", None) is None:
        return False
    return bool(user.is_superuser or holds_role or assignee_id == user.pk)


def may_act_on_step(user, run: StepRun) -> bool:
    """Whether `user` may complete, assign, or answer the conclusions of `run` (whatever its
    state: whether the state allows it is the engine's to say)."""
    asks_roles = user is not None and getattr(user, "pk", None) is not None and not user.is_superuser
    roles = roles_at(user, run.application.provider) if asks_roles else set()
    return may_act_given(user, run.role in roles or HEAD in roles, run.assignee_id)


def access_step_run(user, app: Application, run_id) -> StepRun:
    """A step run of an application the user sees (404 if it belongs to another application)."""
    try:
        return app.steps.select_related("application__provider", "assignee", "completed_by").get(pk=run_id)
    except (StepRun.DoesNotExist, ValueError, TypeError):
        raise NotFound(
            _("Application %(number)s has no step run %(run)s.") % {"number": app.number, "run": run_id}
        ) from None


def steps_user_may_act_on(user) -> QuerySet[StepRun]:
    """Open steps of applications `user` sees as staff that they may act on (`may_act_on_step`
    as a query)."""
    runs = StepRun.objects.filter(completed_at__isnull=True, application__in=staff_applications(user))
    if is_superuser(user):
        return runs
    holds_role = StaffRole.objects.filter(user=user, provider=OuterRef("application__provider")).filter(
        Q(role=OuterRef("role")) | Q(role=HEAD)
    )
    return runs.filter(Exists(holds_role) | Q(assignee=user))


def steps_waiting_for(user) -> QuerySet[StepRun]:
    """The open steps that wait for `user`, a narrower set than those they may act on: assigned
    to them, of a role they hold at that provider, or, for a head, escalated there as overdue (a
    head may act on every step but is not asked to unless the scheduler escalates one)."""
    # The regulation's document is large and its parsed form is cached by digest (`parsed`):
    # a list of steps reads the id and digest only.
    runs = (
        StepRun.objects.filter(completed_at__isnull=True)
        .select_related("application__provider", "application__regulation", "assignee")
        .defer("application__regulation__document")
    )
    if is_superuser(user):
        return runs
    mine = Q(assignee=user)
    for provider_id, role in StaffRole.objects.filter(user=user).values_list("provider_id", "role"):
        mine |= Q(application__provider_id=provider_id, role=role)
        if role == HEAD:  # the scheduler escalates overdue steps to the head (services.tick)
            mine |= Q(application__provider_id=provider_id, escalated_at__isnull=False)
    # The assignee branch is also bounded by the providers: an assignment outlives a lost role.
    return runs.filter(mine, application__provider__in=staff_providers(user))


# Conclusions of other bodies --------------------------------------------------------------------


def access_conclusion(user, app: Application, request_id) -> ConclusionRequest:
    """A conclusion request of an application the user sees."""
    try:
        return app.conclusions.select_related("step_run__application__provider").get(pk=request_id)
    except (ConclusionRequest.DoesNotExist, ValueError, TypeError):
        raise NotFound(
            _("Application %(number)s has no conclusion request %(id)s.")
            % {"number": app.number, "id": request_id}
        ) from None


def access_conclusion_to_answer(user, app: Application, request_id) -> ConclusionRequest:
    """A conclusion request the user may record the answer to: whoever may act on the step that
    asked for it (bodies answering through the gateway are system actors, not users)."""
    req = access_conclusion(user, app, request_id)
    if not may_act_on_step(user, req.step_run):
        raise Forbidden(
            _("You do not hold the role %(role)s at this provider.") % {"role": req.step_run.role}
        )
    return req


# The legal clock --------------------------------------------------------------------------------


def may_manage_clock(user, app: Application) -> bool:
    """Stopping or restarting the legal clock: a superuser, the head of the application's
    provider, or whoever may act on one of its open steps."""
    if user is None or getattr(user, "pk", None) is None:
        return False
    if user.is_superuser:
        return True
    roles = roles_at(user, app.provider_id)
    if HEAD in roles:
        return True
    open_runs = StepRun.objects.filter(application_id=app.pk, completed_at__isnull=True)
    return open_runs.filter(Q(role__in=roles) | Q(assignee_id=user.pk)).exists()


def may_answer_pause(user, app: Application) -> bool:
    """Answering what a stop of the legal clock asked: the application's own applicant (by their
    IIN/BIN or their account), while it is paused on a ground that asks them something."""
    if user is None or getattr(user, "pk", None) is None or app.status != "paused":
        return False
    if not own_applications(user).filter(pk=app.pk).exists():
        return False
    return app.pauses.asking().filter(ended_at__isnull=True).exists()


def access_pause_answer(user, app: Application) -> Application:
    """`app` (already the user's own), when they may answer what its pause asks, else 403."""
    if not may_answer_pause(user, app):
        raise Forbidden(_("Nothing is asked of you in this application now."))
    return app


def access_pause_file(user, app: Application, file_id: int):
    """A document an applicant uploaded in answer to a pause of `app` (which `user` sees as staff
    already), else 404."""
    from qyzmet.engine.models import PauseFile

    found = PauseFile.objects.filter(pk=file_id, pause__application=app).first()
    if found is None:
        raise NotFound(_("No such document."))
    return found


def access_clock(user, app: Application) -> Application:
    """`app`, when `user` may stop or restart its clock (they see it already), else 403."""
    if not may_manage_clock(user, app):
        raise Forbidden(_("You do not handle a current step of this application."))
    return app
