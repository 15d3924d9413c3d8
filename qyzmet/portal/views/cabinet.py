"""The personal cabinet: my applications and drafts, the services I received, every look-up of my
data in the state databases, the notifications sent to me, and one application's page."""

from __future__ import annotations

from django.apps import apps
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qyzmet import clock
from qyzmet.access import (
    access_own_application,
    access_pause_answer,
    lookups_for,
    may_answer_pause,
    own_applications,
    own_drafts,
)
from qyzmet.analytics import questionnaire as quality
from qyzmet.engine import services
from qyzmet.engine.models import ANSWER_FILES, Status
from qyzmet.engine.statuses import TERM_KEPT, account, refusal_act, regulation_status, term_state
from qyzmet.intake import uploads
from qyzmet.notifications.models import Notification
from qyzmet.regulations import refusals
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
        # which of the three refusals it ended in, named as its own act
        "refusal": refusals.act(refusal_act(app)),
        # the clock stands still until I answer what I am asked
        "asked": app.status == Status.PAUSED and app.pauses.asking().filter(ended_at__isnull=True).exists(),
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
def application(request, number: str, *, error: str = "", status: int = 200):
    """One page that does not contradict itself: the status, the legal term and what is still due,
    each step's real start and end (or its plan, marked as a plan), the refusal's grounds and the
    documents issued; the same account the applicant API gives (`engine.statuses.account`)."""
    app = access_own_application(request.user, number)
    row = _row(app)
    return render(
        request,
        "portal/application.html",
        {
            **row,
            "account": account(app),
            "summary_url": reverse("portal:summary", args=[app.number]),
            # The SHA-256 of each signed document as issued, so that a copy can be checked.
            "documents": app.issued_documents.order_by("created_at", "id")
            if apps.is_installed("qyzmet.registry")
            else [],
            "questionnaire_offered": questionnaire_offered(app),
            # What a stop of the legal clock asks of me, on which ground, and my answers.
            "pauses": _pauses(app),
            "may_answer": may_answer_pause(request.user, app),
            "error": error,
        },
        status=status,
    )


def questionnaire_offered(app) -> bool:
    return quality.offered(app)


def _pauses(app):
    rules = services.pause_rules(app)
    return [
        {"pause": p, "rule": rules.get(p.reason), "files": list(p.files.all())}
        for p in app.pauses.asking().order_by("started_at").prefetch_related(ANSWER_FILES)
    ]


@require_POST
@access.applicant_required
def answer(request, number: str):
    """My answer to what a stop of the legal clock asks: a text and documents (PDF, JPEG or PNG,
    checked by their first bytes); it restarts the clock and moves the due moments."""
    app = access_pause_answer(request.user, access_own_application(request.user, number))
    try:
        files = [uploads.check(f) for f in request.FILES.getlist("files")]
        services.answer_pause(app.pk, request.user, request.POST.get("answer", ""), files)
    except ValidationError as exc:
        return application(request, number, error=" ".join(exc.messages), status=400)
    except services.EngineError as exc:
        return application(request, number, error=str(exc), status=409)
    messages.success(request, _("Your answer is sent; the term of your application runs again."))
    return redirect("portal:application", number=number)


def _status_line(app) -> str:
    named = regulation_status(app)
    engine = str(Status(app.status).label)
    return f"{named.label} ({engine})" if named.source else engine


def _term_rows(app, moment) -> list[tuple[str, str]]:
    """The legal term as the application page says it: what is due while open; once decided,
    when, and whether the term was kept (never a due date beside a later delivery unexplained)."""
    if app.due_at is None:
        return [(_("Decided"), moment(app.closed_at))]
    due = moment(app.due_at)
    if app.is_open:
        return [(_("Legal term"), due)]
    term = term_state(app, clock.now())
    said = (
        _("kept: the term ran until %(due)s")
        if term == TERM_KEPT
        else _("not kept: the term ended on %(due)s")
    )
    return [(_("Decided"), moment(app.closed_at)), (_("Legal term"), said % {"due": due})]


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
        (_("Status"), _status_line(app)),
        *_term_rows(app, moment),
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


@access.applicant_required
def questionnaire(request, number: str):
    """The regulation's quality questionnaire for my decided application: optional, answered once."""
    app = access_own_application(request.user, number)
    questions = quality.questions(app)
    # the reverse one-to-one raises an AttributeError subclass when there is no answer yet
    answered = getattr(app, "questionnaire", None)
    error = ""
    if request.method == "POST" and answered is None:
        answers = {q.code: request.POST[q.code] for q in questions if request.POST.get(q.code)}
        try:
            quality.keep_answers(app, answers)
        except quality.AlreadyAnswered:
            pass
        except ValueError:
            error = _("Choose an answer to at least one question.")
        else:
            messages.success(request, _("Thank you: your answers are kept with your application."))
            return redirect("portal:application", number=app.number)
    return render(
        request,
        "portal/questionnaire.html",
        {
            "app": app,
            "reg": app.regulation.parsed,
            "questions": questions,
            "answers": quality.ANSWERS,
            "answered": answered,
            "offered": quality.offered(app),
            "error": error,
        },
        status=400 if error else 200,
    )


@access.applicant_required
def issued_document(request, number: str, pk: int):
    """One signed document issued on my application (receipt, result, reasoned refusal...), as
    stored when it was issued."""
    from django.http import Http404

    app = access_own_application(request.user, number)
    found = app.issued_documents.filter(pk=pk).first() if apps.is_installed("qyzmet.registry") else None
    if found is None:
        raise Http404(_("No such document of this application."))
    from qyzmet.registry import documents

    return documents.http_response(found, f"{app.number}-{found.kind}.pdf", attachment=True)
