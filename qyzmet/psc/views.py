"""The service centre's pages, mounted at /psc/: queue, acceptance, receipts, transfers, storage.

Views are thin: they fetch through `access` (the permission chokepoint), validate a form, call
one function of `services` (which writes the audit log) and redirect (POST/redirect/GET). When a
service refuses (a ticket already called, a result not yet decided) its message is shown and
nothing has changed.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qyzmet import clock
from qyzmet.access import access_centre, operator_centres
from qyzmet.intake.paper import reception, registration
from qyzmet.providers.models import Provider
from qyzmet.registry import documents
from qyzmet.regulations.models import Regulation

from . import access, services
from .forms import AcceptanceForm, HandOverForm
from .models import Acceptance, Ticket, Transfer


@access.operator_required
def index(request):
    centres = list(operator_centres(request.user))
    if len(centres) == 1:
        return redirect("psc:queue", code=centres[0].code)
    return render(request, "psc/index.html", {"centres": centres})


# The queue ----------------------------------------------------------------------------------


@access.operator_required
def queue(request, code: str):
    centre = access_centre(request.user, code)
    today = clock.today()
    tickets = Ticket.objects.filter(centre=centre, day=today).select_related("called_by").order_by("number")
    mine = [t for t in tickets if t.called_by_id == request.user.pk and not hasattr(t, "acceptance")]
    return render(
        request,
        "psc/queue.html",
        {
            "centre": centre,
            "tickets": tickets,
            "waiting": [t for t in tickets if t.called_at is None],
            "mine": mine,
            "today": today,
            "accepted_today": Acceptance.objects.filter(centre=centre, accepted_at__date=today).count(),
        },
    )


@require_POST
@access.operator_required
def issue_ticket(request, code: str):
    centre = access_centre(request.user, code)
    ticket = services.issue_ticket(centre)
    messages.success(request, _("Ticket %(number)s issued.") % {"number": f"{ticket.number:03d}"})
    return redirect("psc:queue", code=code)


@require_POST
@access.operator_required
def call_next(request, code: str):
    centre = access_centre(request.user, code)
    ticket = services.call_next(centre, request.user, window=(request.POST.get("window") or "")[:20])
    if ticket is None:
        messages.info(request, _("Nobody is waiting."))
        return redirect("psc:queue", code=code)
    messages.success(request, _("Ticket %(number)s called.") % {"number": f"{ticket.number:03d}"})
    return redirect(f"{_url('psc:accept', code)}?ticket={ticket.pk}")


def _url(name, *args):
    from django.urls import reverse

    return reverse(name, args=args)


# Acceptance ---------------------------------------------------------------------------------


@access.operator_required
def accept(request, code: str):
    centre = access_centre(request.user, code)
    available = services.psc_services()
    initial = {"ticket": request.GET.get("ticket")}
    form = AcceptanceForm(request.POST or None, services=available, initial=initial)
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        provider_id, reg_id, variant = data["service"].split(":", 2)
        ticket = (
            # A ticket is served once: one already linked to an acceptance is not linked again.
            Ticket.objects.filter(pk=data.get("ticket"), centre=centre, acceptance__isnull=True).first()
            if data.get("ticket")
            else None
        )
        try:
            acceptance = services.accept(
                centre=centre,
                operator=request.user,
                regulation=Regulation.objects.get(pk=reg_id),
                provider=Provider.objects.get(pk=provider_id),
                variant=variant,
                applicant=data["applicant"],
                applicant_name=data["applicant_name"],
                documents=data["documents"],
                consent=data["consent"],
                ticket=ticket,
            )
        except services.PscError as exc:
            error = str(exc)
        else:
            documents.issue_now(documents.issue_psc_receipt, acceptance)
            return redirect("psc:acceptance", code=code, number=acceptance.number)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "psc/accept.html",
        {"centre": centre, "form": form, "error": error, "empty": not available},
        status=status,
    )


@access.operator_required
def acceptance(request, code: str, number: str):
    centre = access_centre(request.user, code)
    found = access.acceptance_for(request.user, centre, number)
    return _acceptance_page(request, found)


def _acceptance_page(request, found: Acceptance, error: str = "", status: int = 200):
    now = clock.now()
    app = found.application
    queued = services.waiting_registration(found)
    return render(
        request,
        "psc/acceptance.html",
        {
            "centre": found.centre,
            "a": found,
            "reg": found.regulation.parsed,
            "transfers": [
                {"t": t, "late": t.received_at is None and t.due_at is not None and t.due_at < now}
                for t in found.transfers.all()
            ],
            "may_send_result": found.state == Acceptance.State.AT_PROVIDER
            and app is not None
            and not app.is_open,
            "may_return": found.state == Acceptance.State.RESULT_AT_CENTRE
            and found.keep_until is not None
            and found.keep_until <= now,
            "hand_over_form": HandOverForm() if found.state == Acceptance.State.RESULT_AT_CENTRE else None,
            "error": error,
            "queued": registration.waiting_for(queued) if queued else "",
        },
        status=status,
    )


@access.operator_required
def receipt(request, code: str, number: str):
    centre = access_centre(request.user, code)
    found = access.acceptance_for(request.user, centre, number)
    return render(
        request,
        "psc/receipt.html",
        {
            "a": found,
            "reg": found.regulation.parsed,
            "centre": centre,
            "fee": reception.fee_due(found.regulation.parsed, found.variant, found.accepted_at),
            "printed_at": timezone.localtime(clock.now()),
            "document": documents.stored(documents.PSC_RECEIPT, found.number),
        },
    )


@access.operator_required
def receipt_pdf(request, code: str, number: str):
    """The receipt signed by the centre as issued at acceptance (made now, once, if it never was)."""
    centre = access_centre(request.user, code)
    found = access.acceptance_for(request.user, centre, number)
    issued = documents.stored(documents.PSC_RECEIPT, found.number) or documents.issue_psc_receipt(found)
    return documents.http_response(issued, f"{found.number}.pdf")


def _act(request, code: str, number: str, action, done: str):
    centre = access_centre(request.user, code)
    found = access.acceptance_for(request.user, centre, number)
    try:
        action(found)
    except services.PscError as exc:
        return _acceptance_page(request, found, error=str(exc), status=409)
    messages.success(request, done)
    return redirect("psc:acceptance", code=code, number=number)


@require_POST
@access.operator_required
def receive(request, code: str, number: str):
    def action(found):
        services.receive(access.transfer_for(request.user, found, request.POST.get("transfer")), request.user)

    return _act(request, code, number, action, _("Arrival recorded."))


@require_POST
@access.operator_required
def send_result(request, code: str, number: str):
    return _act(
        request, code, number, lambda f: services.send_result(f, request.user), _("The result is on its way.")
    )


@require_POST
@access.operator_required
def hand_over(request, code: str, number: str):
    form = HandOverForm(request.POST)
    handed_to = form.cleaned_data["handed_to"] if form.is_valid() else ""
    return _act(
        request,
        code,
        number,
        lambda f: services.hand_over(f, request.user, handed_to=handed_to),
        _("The handover is recorded."),
    )


@require_POST
@access.operator_required
def return_uncollected(request, code: str, number: str):
    return _act(
        request,
        code,
        number,
        lambda f: services.return_uncollected(f, request.user),
        _("The uncollected result is returned to the provider."),
    )


@require_POST
@access.operator_required
def resubmit(request, code: str, number: str):
    return _act(
        request, code, number, lambda f: services.resubmit(f, request.user), _("The request is sent again.")
    )


# Storage ------------------------------------------------------------------------------------


@access.operator_required
def storage(request, code: str):
    centre = access_centre(request.user, code)
    now = clock.now()
    rows = [
        {"a": a, "due_back": a.keep_until is not None and a.keep_until <= now}
        for a in services.kept_results(centre)
    ]
    in_transit = Transfer.objects.filter(acceptance__centre=centre, received_at__isnull=True).select_related(
        "acceptance"
    )
    return render(
        request,
        "psc/storage.html",
        {
            "centre": centre,
            "rows": rows,
            "in_transit": in_transit,
            "days": services.storage_days(),
            "reading": services.STORAGE_READING,
        },
    )
