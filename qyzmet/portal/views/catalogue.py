"""The service catalogue: what can be requested today, by provider or by topic, and one service's
passport with the buttons that start a request."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render

from qyzmet import clock
from qyzmet.access.people import applicant_kind_of
from qyzmet.engine.applicants import refusal_for
from qyzmet.i18n import in_language
from qyzmet.intake.online import drafts
from qyzmet.regulations.templatetags.regulations import tr

from .. import access, offer


def catalogue(request):
    by = "topic" if request.GET.get("by") == "topic" else "provider"
    groups: dict[str, dict] = {}
    for item in offered_sorted():
        if by == "topic":
            key, label = item.topic
        else:
            key, label = item.reg.provider.code, tr(item.reg.provider.name)
        groups.setdefault(key, {"label": label, "services": []})["services"].append(item)
    return render(
        request,
        "portal/catalogue.html",
        {"groups": sorted(groups.values(), key=lambda g: str(g["label"])), "by": by, "today": clock.today()},
    )


def offered_sorted():
    return sorted(offer.offered(), key=lambda p: tr(p.reg.title))


def _offered(act: str, slug: str):
    row = offer.offered_regulation(f"{act}/{slug}")
    if row is None:
        raise Http404("this service is not offered today")
    return row


def service(request, act: str, slug: str):
    row = _offered(act, slug)
    return render(
        request,
        "portal/service.html",
        {"item": offer.passport(row), "providers": drafts.providers_for(row), "today": clock.today()},
    )


@access.applicant_required
def start(request, act: str, slug: str):
    row = _offered(act, slug)
    if request.method != "POST":  # back from signing in: choose the variant on the service page
        return redirect("portal:service", act=act, slug=slug)
    variant = request.POST.get("variant", "")
    if row.parsed.variant(variant) is None or offer.portal_channel(row.parsed, variant) is None:
        raise Http404("this variant cannot be requested on the portal")
    # A regulation admitting only legal entities (or only individuals) is not started by anyone
    # else: the intake would refuse the request, after the fee was paid.
    channel = offer.portal_channel(row.parsed, variant)
    refusal = refusal_for(
        row.parsed, variant, request.user.get_username(), applicant_kind_of(request.user), channel
    )
    if refusal is not None:
        messages.error(request, in_language(refusal))
        return redirect("portal:service", act=act, slug=slug)
    draft = drafts.start(request.user, row, variant)
    return redirect("portal:draft", draft_id=draft.pk)
