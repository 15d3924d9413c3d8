"""The provider's back office: the inbox, the task page with its actions, the dashboard.

Views are thin: they fetch through `access` (the permission chokepoint), validate a form, call one
function of `engine.services` (the only code that changes an application, and which writes the
audit log) and redirect back (POST/redirect/GET). When the engine refuses an action (the step was
completed meanwhile, the application is paused, ...) the task page is shown again with the
engine's own message and nothing has changed: each service call is one transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from qyzmet import clock
from qyzmet.access import (
    access_application_as_staff,
    access_conclusion,
    access_pause_file,
    access_step_run,
    may_act_on_step,
    may_manage_clock,
    staff_applications,
    staff_providers,
    steps_waiting_for,
)
from qyzmet.analytics import questionnaire
from qyzmet.audit.actions import label_of
from qyzmet.audit.models import AuditEntry
from qyzmet.engine import figures, paths, services
from qyzmet.engine.law import rules_for
from qyzmet.engine.models import ANSWER_FILES, OPEN_STATUSES, Application, ConclusionRequest, Status, StepRun
from qyzmet.providers.models import Provider
from qyzmet.registry import decisions, documents
from qyzmet.registry.models import OfficialSignature, RegisterEntry
from qyzmet.regulations.models import Regulation

from . import access, casefile
from .forms import AssignForm, CompleteStepForm, ConclusionAnswerForm, PauseForm, outcome_label

INBOX_PAGE_SIZE = 50


# Inbox ----------------------------------------------------------------------------------------


@access.office_staff_required
def inbox(request):
    """Open steps waiting for me, filtered by role, status and lateness, sorted by due moment."""
    now = clock.now()
    waiting = steps_waiting_for(request.user).filter(application__status__in=OPEN_STATUSES)
    role = request.GET.get("role", "")
    status = request.GET.get("status", "")
    overdue = request.GET.get("overdue") == "1"
    query = (request.GET.get("q") or "").strip()
    sort = "-due" if request.GET.get("sort") == "-due" else "due"

    runs = waiting
    if query:
        runs = runs.filter(
            Q(application__number__icontains=query) | Q(application__applicant__startswith=query)
        )
    # Counts per role ignore the role filter, so the role links always say what each would show.
    per_role = list(runs.values("role").annotate(count=Count("id")).order_by("role"))
    if role:
        runs = runs.filter(role=role)
    if status in OPEN_STATUSES:
        runs = runs.filter(application__status=status)
    if overdue:
        runs = runs.filter(due_at__lt=now)
    due = F("due_at").desc(nulls_last=True) if sort == "-due" else F("due_at").asc(nulls_last=True)
    page = Paginator(runs.order_by(due, "id"), INBOX_PAGE_SIZE).get_page(request.GET.get("page"))

    documents = _Documents()
    rows = [
        {
            "run": run,
            "app": run.application,
            "title": documents.of(run.application).title,
            "action": documents.of(run.application).step(run.flow, run.step_id).action,
            "overdue": run.due_at is not None and run.due_at < now,
        }
        for run in page
    ]
    return render(
        request,
        "office/inbox.html",
        {
            "rows": rows,
            "page": page,
            "per_role": per_role,
            "role": role,
            "status": status,
            "overdue": overdue,
            "query": query,
            "sort": sort,
            "statuses": [(s, Status(s).label) for s in OPEN_STATUSES],
            # without a search the role counts cover every waiting step: no second count
            "total": waiting.count() if query else sum(r["count"] for r in per_role),
            "section": "inbox",
        },
    )


class _Documents:
    """Parsed regulations by id, so a page parses each regulation once however many rows it has."""

    def __init__(self):
        self._by_id: dict = {}

    def of(self, app: Application):
        if app.regulation_id not in self._by_id:
            self._by_id[app.regulation_id] = app.regulation.parsed
        return self._by_id[app.regulation_id]


# The task page --------------------------------------------------------------------------------


@access.office_staff_required
def task(request, number: str):
    app = access_application_as_staff(request.user, number)
    return _task_page(request, app)


def _task_page(
    request,
    app: Application,
    *,
    error: str = "",
    bound: dict | None = None,
    status: int = 200,
    fault=None,
):
    """The application with everything needed to act on it; `bound` replaces a form shown with errors."""
    app.refresh_from_db()
    reg = app.regulation.parsed
    user = request.user
    now = clock.now()
    rules = rules_for(reg, timezone.localtime(app.filed_at).date())
    runs = list(
        app.steps.select_related("assignee", "completed_by", "protocol").prefetch_related("conclusions")
    )
    current = []
    for run in runs:
        if not run.is_open:
            continue
        step = reg.step(run.flow, run.step_id)
        may_act = may_act_on_step(user, run) and app.status == Status.IN_PROGRESS
        outcomes = services.allowed_outcomes(reg, run)
        forms = {}
        if may_act:
            forms["complete"] = CompleteStepForm(
                run=run, outcomes=outcomes, regulation=reg, collegial=step.collegial
            )
            forms["assign"] = AssignForm(run=run)
        for name, form in (bound or {}).items():
            if form.initial.get("run") == run.pk and name in forms:
                forms[name] = form
        signing = casefile.signing_cards(run, reg, outcomes) if may_act else []
        current.append(
            {
                "run": run,
                "step": step,
                "actor": reg.actor(run.role),
                "due_rule": rules.get(run.due_rule) if run.due_rule else None,
                "overdue": run.due_at is not None and run.due_at < now,
                "may_act": may_act,
                "outcomes": [outcome_label(o) for o in outcomes],
                "forms": forms,
                "signing": signing,
            }
        )
    conclusions = []
    for req in app.conclusions.select_related("step_run").order_by("requested_at", "id"):
        form = None
        if (
            req.answer == ConclusionRequest.Answer.PENDING
            and req.step_run.is_open
            and may_act_on_step(user, req.step_run)
        ):
            form = (bound or {}).get(f"conclusion-{req.pk}") or ConclusionAnswerForm(conclusion=req)
        conclusions.append({"req": req, "body": reg.actor(req.body), "form": form})
    clock_allowed = may_manage_clock(user, app)
    # A pause is offered only where a rule of the law gives a ground for it (law_rules.yaml).
    pause_rules = services.pause_rules(app)
    pause_form = None
    if clock_allowed and app.status == Status.IN_PROGRESS and pause_rules:
        pause_form = (bound or {}).get("pause") or PauseForm(rules=pause_rules)
    context = {
        "app": app,
        "reg": reg,
        "act": reg.id.split("/")[0],
        "slug": reg.id.split("/")[1],
        "variant": reg.variant(app.variant),
        "channel": reg.channel(app.channel),
        "kept": app.kept_term(),
        "overdue": app.is_open and app.due_at is not None and app.due_at < now,
        "request_rows": casefile.request_rows(app, reg),
        "attachments": casefile.attachments(app),
        "listed_documents": casefile.listed_documents(app),
        "evidence": casefile.evidence(user, app),
        "payment_id": (app.data or {}).get("payment_id") or app.payment_id or "",
        "grounds": [g for g in reg.refusal_grounds if g.code in app.refusal_grounds],
        "path": _path_rows(reg, app, runs),
        "current": current,
        "signing": any(c["signing"] for c in current),
        "rules": list(rules.values()),
        "conclusions": conclusions,
        "pauses": [
            {"pause": p, "rule": pause_rules.get(p.reason), "files": list(p.files.all())}
            for p in app.pauses.order_by("started_at").prefetch_related(ANSWER_FILES)
        ],
        "pause_form": pause_form,
        "may_resume": clock_allowed and app.status == Status.PAUSED,
        "history": _history(app),
        "scans": app.scans.defer("content"),
        "documents": documents.documents_of(app),
        "signatures": OfficialSignature.objects.filter(application=app).select_related(
            "step_run", "document"
        ),
        "error": error,
        "fault": fault,
        "section": "task",
    }
    return render(request, "office/task.html", context, status=status)


@access.office_staff_required
def document(request, number: str, pk: int):
    """A signed document of the application, as issued and stored."""
    from django.http import Http404

    app = access_application_as_staff(request.user, number)
    found = app.issued_documents.filter(pk=pk).first()
    if found is None:
        raise Http404(_("No such document of this application."))
    return documents.http_response(found, f"{app.number}-{found.kind}.pdf")


@access.office_staff_required
def closing_document(request, number: str):
    """The result or refusal the application ended in, as issued (made now, once, for an
    application closed before documents were kept)."""
    from django.http import Http404

    app = access_application_as_staff(request.user, number)
    if app.is_open:
        raise Http404(_("There is no document yet."))
    entry = RegisterEntry.objects.filter(application=app).first()
    issued = documents.obtain_result(entry) if entry else documents.obtain_for_application(app)
    return documents.http_response(issued, f"{app.number}.pdf")


def _history(app: Application) -> list[dict]:
    """The application's audit entries, oldest first, as a timeline in the reader's language."""
    entries = AuditEntry.objects.filter(subject_type="application", subject_id=str(app.pk)).order_by("id")
    return casefile.timeline(entries, app.regulation.parsed, label_of)


@xframe_options_sameorigin  # shown in the case file's own viewer
@access.office_staff_required
def attachment(request, number: str, pk: int):
    """A document the applicant uploaded with the request: PDFs and images shown in the browser,
    other files downloaded (staff of the application's provider only, `access`)."""
    app = access_application_as_staff(request.user, number)
    found = casefile.attachment_for(request.user, app, pk)
    inline = found.content_type in casefile.INLINE_TYPES
    response = HttpResponse(bytes(found.content), content_type=found.content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{app.number}-{found.pk}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _path_rows(reg, app: Application, runs: list[StepRun]) -> list[dict]:
    """The expected path (the engine's own plan) side by side with the steps actually run.

    The plan follows the way to the result, or the way to a refusal once the application was
    refused, so that a refused application is compared with the path it really could take.
    """
    branch = "refuse" if app.status == Status.REFUSED else "approve"
    # An application of a regulation without an internal procedure runs its channel's steps.
    channel = app.channel if reg.procedure(app.procedure) is None else None
    try:
        planned = paths.plan(
            reg,
            app.variant,
            app.filed_at,
            app.provider.calendar(),
            channel=channel,
            branch=branch,
            via=app.channel,
            applicant=app.applicant_kind,
        )
    except (KeyError, ValueError):
        planned = []
    by_step = defaultdict(list)
    for run in runs:
        run.outcome_label = outcome_label(run.outcome) if run.outcome else ""
        by_step[run.step_id].append(run)
    rows, shown = [], set()
    for p in planned:
        actual = by_step.get(p.step.id, [])
        shown.update(r.pk for r in actual)
        rows.append(
            {"planned": p, "step": p.step, "runs": actual, "outcome": outcome_label(p.outcome or "done")}
        )
    for run in runs:
        if run.pk not in shown:  # a step off the expected path (a refusal branch, a loop back)
            rows.append(
                {"planned": None, "step": reg.step(run.flow, run.step_id), "runs": [run], "outcome": ""}
            )
    return rows


def _after_action(request, app: Application, action, done: str):
    """Run one engine action; on success redirect back, on refusal show the page with its message."""
    try:
        action()
    except services.NotPermitted as exc:  # the engine asked `access`, which said no
        return _task_page(request, app, error=str(exc), status=403)
    except services.EngineError as exc:
        return _task_page(request, app, error=str(exc), status=409)
    messages.success(request, done)
    return redirect("office:task", number=app.number)


@require_POST
@access.office_staff_required
def complete(request, number: str):
    app = access_application_as_staff(request.user, number)
    run = access_step_run(request.user, app, request.POST.get("run"))
    reg = app.regulation.parsed
    if decisions.signs(run, reg):
        return _task_page(
            request,
            app,
            error=_("This step is completed by signing the document with your EDS: use the signing form."),
            status=400,
        )
    form = CompleteStepForm(
        request.POST,
        run=run,
        outcomes=services.allowed_outcomes(reg, run),
        regulation=reg,
        collegial=services.is_collegial(reg, run),
    )
    if not form.is_valid():
        return _task_page(
            request, app, error=_("Please correct the form below."), bound={"complete": form}, status=400
        )
    data = form.cleaned_data
    return _after_action(
        request,
        app,
        lambda: services.complete_step(
            run.pk,
            request.user,
            data["outcome"],
            note=data["note"],
            grounds=data["grounds"],
            protocol=form.protocol(),
        ),
        _("Step %(step)s completed: %(outcome)s.")
        % {"step": run.step_id, "outcome": outcome_label(data["outcome"])},
    )


@require_POST
@access.office_staff_required
def sign(request, number: str):
    """The official signs the decision in the browser (sign.js) and the step is completed with it
    (`registry.decisions`); a signature that does not stand changes nothing and says what to do."""
    app = access_application_as_staff(request.user, number)
    run = access_step_run(request.user, app, request.POST.get("run"))
    reg = app.regulation.parsed
    outcome = request.POST.get("outcome", "")
    if not may_act_on_step(request.user, run):
        return _task_page(
            request,
            app,
            error=_("You do not hold the role %(role)s at this provider.") % {"role": run.role},
            status=403,
        )
    if not decisions.signs(run, reg) or outcome not in services.allowed_outcomes(reg, run):
        return _task_page(request, app, error=_("This step is not signed with an EDS."), status=400)
    try:
        envelope = json.loads(request.POST.get("envelope") or "")
    except ValueError:
        envelope = None
    try:
        decisions.sign_decision(run, request.user, outcome, envelope, note=request.POST.get("note", ""))
    except decisions.NotSigned as refused:
        return _task_page(request, app, fault=refused.fault, status=422)
    except services.NotPermitted as exc:
        return _task_page(request, app, error=str(exc), status=403)
    except services.EngineError as exc:
        return _task_page(request, app, error=str(exc), status=409)
    messages.success(request, _("Signed with your EDS: step %(step)s completed.") % {"step": run.step_id})
    return redirect("office:task", number=app.number)


@require_POST
@access.office_staff_required
def assign(request, number: str):
    app = access_application_as_staff(request.user, number)
    run = access_step_run(request.user, app, request.POST.get("run"))
    form = AssignForm(request.POST, run=run)
    if not form.is_valid():
        return _task_page(
            request, app, error=_("Please correct the form below."), bound={"assign": form}, status=400
        )
    assignee = form.cleaned_data["assignee"]
    return _after_action(
        request,
        app,
        lambda: services.assign(run.pk, assignee, request.user),
        _("Step %(step)s assigned to %(user)s.") % {"step": run.step_id, "user": assignee.get_username()},
    )


@require_POST
@access.office_staff_required
def answer_conclusion(request, number: str):
    app = access_application_as_staff(request.user, number)
    req = access_conclusion(request.user, app, request.POST.get("request"))
    form = ConclusionAnswerForm(request.POST, conclusion=req)
    if not form.is_valid():
        return _task_page(
            request,
            app,
            error=_("Please correct the form below."),
            bound={f"conclusion-{req.pk}": form},
            status=400,
        )
    if not (req.step_run.is_open and may_act_on_step(request.user, req.step_run)):
        return _task_page(request, app, error=_("You may not record conclusions for this step."), status=403)
    data = form.cleaned_data
    return _after_action(
        request,
        app,
        lambda: services.answer_conclusion(req.pk, data["answer"], request.user, note=data["note"]),
        _("The conclusion of %(body)s is recorded.") % {"body": req.body},
    )


@require_POST
@access.office_staff_required
def pause(request, number: str):
    app = access_application_as_staff(request.user, number)
    if not may_manage_clock(request.user, app):
        return _task_page(
            request, app, error=_("You may not stop the clock of this application."), status=403
        )
    rules = services.pause_rules(app)
    if not rules:
        return _task_page(
            request,
            app,
            error=_("The law gives no ground to stop the clock of this application."),
            status=403,
        )
    form = PauseForm(request.POST, rules=rules)
    if not form.is_valid():
        return _task_page(
            request, app, error=_("Please correct the form below."), bound={"pause": form}, status=400
        )
    data = form.cleaned_data
    return _after_action(
        request,
        app,
        lambda: services.pause(app.pk, data["reason"], request.user, note=data["note"]),
        _("The legal clock is stopped."),
    )


@require_POST
@access.office_staff_required
def resume(request, number: str):
    app = access_application_as_staff(request.user, number)
    if not may_manage_clock(request.user, app):
        return _task_page(
            request, app, error=_("You may not restart the clock of this application."), status=403
        )
    return _after_action(
        request,
        app,
        lambda: services.resume(app.pk, request.user),
        _("The legal clock runs again; due moments moved by the time it stood still."),
    )


@access.office_staff_required
def pause_file(request, number: str, file_id: int):
    """A document the applicant uploaded in answer to a stop of the clock (any of the provider's
    staff who see the application)."""
    app = access_application_as_staff(request.user, number)
    found = access_pause_file(request.user, app, file_id)
    response = HttpResponse(bytes(found.content), content_type=found.content_type)
    response["Content-Disposition"] = f'inline; filename="{found.pk}"'
    return response


# Dashboard ------------------------------------------------------------------------------------


@access.office_staff_required
def dashboard(request):
    """My providers at a glance: applications by status, due today, overdue, and each step's timing."""
    now = clock.now()
    providers = staff_providers(request.user)
    open_apps = staff_applications(request.user).filter(status__in=OPEN_STATUSES)
    today = timezone.localdate(now)
    start = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    end = start + dt.timedelta(days=1)
    by_status = figures.counts_by_status(providers)
    return render(
        request,
        "office/dashboard.html",
        {
            "providers": providers,
            "by_status": [(Status(s).label, by_status.get(s, 0)) for s in Status.values],
            "total": sum(by_status.values()),
            "due_today": open_apps.filter(due_at__gte=start, due_at__lt=end).count(),
            "overdue": open_apps.filter(due_at__lt=now).count(),
            "steps": _step_timings(providers),
            "quality": questionnaire.indicators(staff_applications(request.user)),
            "section": "dashboard",
        },
    )


def _step_timings(providers) -> list[dict]:
    """Per regulation and step: how long completed runs took in working hours, against the norm.

    Times are working time on each provider's calendar, the way norms are counted (stored with
    each completion), so a step started on Friday evening and done on Monday morning took minutes,
    not days; the database sums them (closed applications' once, `engine.figures`). Runs the
    scheduler closed ("superseded" by a deemed issue) were never done by anyone and are left out.
    """
    rows = figures.step_sums(providers)
    regulations = {
        r.pk: r
        for r in Regulation.objects.defer("document").filter(
            pk__in={row["application__regulation_id"] for row in rows}
        )
    }
    providers = Provider.objects.in_bulk({row["provider_id"] for row in rows})
    groups = []
    for row in rows:
        reg = regulations[row["application__regulation_id"]].parsed
        step = reg.step(row["flow"], row["step_id"])
        hours = providers[row["provider_id"]].calendar().hours
        average_hours = (row["minutes"] or 0) / row["count"] / 60
        norm_hours = _norm_hours(step.norm, hours.minutes_per_day)
        groups.append(
            {
                "regulation": row["application__regulation_id"],
                "title": reg.title,
                "step": step,
                "norm_hours": norm_hours,
                "day_hours": hours.minutes_per_day / 60,
                "count": row["count"],
                "minutes": row["minutes"] or 0,
                "judged": row["judged"],
                "kept": row["kept_count"],
                "average_hours": average_hours,
                "average_days": average_hours / (hours.minutes_per_day / 60),
                "kept_share": round(100 * row["kept_count"] / row["judged"]) if row["judged"] else None,
                "slower": norm_hours is not None and average_hours > norm_hours,
            }
        )
    return groups


def _norm_hours(norm, minutes_per_day: float) -> float | None:
    """A norm in working hours, to set beside the average; calendar days count as whole days."""
    if norm is None:
        return None
    if norm.unit == "within_working_day":
        return minutes_per_day / 60
    value = getattr(norm, "value", None) or norm.max
    if norm.unit == "working_days":
        return value * minutes_per_day / 60
    if norm.unit == "calendar_days":
        return value * 24
    return value * {"seconds": 1 / 3600, "minutes": 1 / 60, "hours": 1}[norm.unit]
