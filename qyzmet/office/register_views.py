"""The licensor's side of the register: its permits, their life, and the watch's proposals.

The licensor's staff of the provider that issued a permit (`access.may_change_register_entry`)
suspend it (with the day the suspension ends), resume, withdraw or terminate it, each on a
ground of the law, and decide the terminations the register's watch proposes. The register
(`registry.services.change_status`) records the change in its chain, audits it and publishes it,
so the holder is told; these views only ask and show.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qyzmet import access as rules
from qyzmet.registry import grounds, services, watch
from qyzmet.registry.models import EntryStatus, Proposal, RegisterEvent
from qyzmet.registry.views import history

from . import access
from .register_forms import ProposalDecisionForm, StatusChangeForm

PAGE = 200


@access.office_staff_required
def register(request):
    """The permits of my providers with their live status, and the open proposals first."""
    entries = rules.register_entries_as_staff(request.user).with_current_status().select_related("provider")
    status = request.GET.get("status", "")
    if status in EntryStatus.values:
        entries = entries.filter(current_status=status)
    query = (request.GET.get("q") or "").strip()
    if query:
        entries = entries.filter(Q(number__icontains=query) | Q(holder__startswith=query))
    entries = entries.annotate(
        open_proposals=Count("proposals", filter=Q(proposals__state=Proposal.State.OPEN))
    )
    proposals = Proposal.objects.filter(
        entry__in=rules.register_entries_as_staff(request.user), state=Proposal.State.OPEN
    ).select_related("entry")
    return render(
        request,
        "office/register.html",
        {
            "section": "register",
            "entries": entries.order_by("-issued_on", "-id")[:PAGE],
            "proposals": proposals,
            "statuses": EntryStatus.choices,
            "status": status,
            "q": query,
        },
    )


def _entry_page(request, entry, *, error: str = "", form=None, status: int = 200):
    current = services.current_status(entry)
    may_change = rules.may_change_register_entry(request.user, entry)
    return render(
        request,
        "office/register_entry.html",
        {
            "section": "register",
            "entry": entry,
            "status": current,
            "status_label": EntryStatus(current).label,
            "in_force": services.is_in_force(entry, current),
            "suspended_until": services.suspended_until(entry),
            "events": history(entry),
            "before": list(reversed(services.ancestors(entry))),
            "after": services.successors(entry),
            "may_change": may_change,
            "form": form or StatusChangeForm(),
            "grounds": {a: grounds.for_action(a) for a in services.STAFF_ACTIONS},
            "proposals": entry.proposals.all(),
            "decision_form": ProposalDecisionForm(),
            "error": error,
        },
        status=status,
    )


@access.office_staff_required
def register_entry(request, number: str):
    return _entry_page(request, rules.access_register_entry_as_staff(request.user, number))


@require_POST
@access.office_staff_required
def change(request, number: str):
    entry = rules.access_register_entry_to_change(request.user, number)
    form = StatusChangeForm(request.POST)
    if not form.is_valid():
        return _entry_page(request, entry, error=_("Please correct the form below."), form=form, status=400)
    data = form.cleaned_data
    try:
        event = services.change_status(
            entry, data["action"], request.user, note=data["note"], ground=data["ground"], until=data["until"]
        )
    except services.RegistryError as exc:
        return _entry_page(request, entry, error=str(exc), form=form, status=409)
    messages.success(
        request,
        _("%(number)s: %(action)s (%(ground)s). The holder is told.")
        % {
            "number": entry.number,
            "action": RegisterEvent.Action(event.action).label,
            "ground": grounds.label_of(data["ground"]),
        },
    )
    return redirect("office:register-entry", number=entry.number)


@require_POST
@access.office_staff_required
def decide_proposal(request, number: str, pk: int):
    entry = rules.access_register_entry_to_change(request.user, number)
    proposal = entry.proposals.filter(pk=pk).first()
    if proposal is None:
        raise rules.NotFound(_("No such proposal for this entry."))
    form = ProposalDecisionForm(request.POST)
    if not form.is_valid():
        return _entry_page(request, entry, error=_("Please correct the form below."), status=400)
    data = form.cleaned_data
    try:
        if data["decision"] == "accept":
            watch.accept(proposal, request.user, data["note"])
            done = _("%(number)s is terminated: %(ground)s.")
        else:
            watch.dismiss(proposal, request.user, data["note"])
            done = _("The proposal to terminate %(number)s (%(ground)s) is dismissed.")
    except services.RegistryError as exc:
        return _entry_page(request, entry, error=str(exc), status=409)
    messages.success(request, done % {"number": entry.number, "ground": grounds.label_of(proposal.ground)})
    return redirect("office:register-entry", number=entry.number)
