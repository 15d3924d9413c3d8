"""The figures page of the back office: compliance per provider, month, step and officer, with
charts, and for a supervisor the refusal-drift flags among the providers it supervises.

Who sees which providers' figures is `access.figure_providers`: staff their own, a supervisor
those its provider supervises. `?provider=CODE` narrows the page to one of them. The figures are
read from the hourly roll-up's totals and a live count of what came since (`analytics.totals`).
"""

from django.shortcuts import render

from qyzmet import access
from qyzmet.analytics import drift, opendata, totals

from .access import office_staff_required


@office_staff_required
def figures_page(request):
    providers = access.figure_providers(request.user)
    chosen = request.GET.get("provider") or ""
    if chosen:
        providers = providers.filter(pk=access.access_figures_of(request.user, chosen).pk)
    # The providers' ids once: the figures' queries filter by a plain list.
    shown = list(providers.values_list("pk", flat=True))
    mark = totals.Mark()  # one roll-up and one live count for the whole page
    now = mark.now
    context = {
        "section": "figures",
        "providers": access.figure_providers(request.user),
        "chosen": chosen,
        "by_provider": totals.compliance(shown, by=("provider",), now=now, mark=mark),
        "by_month": totals.compliance(shown, by=("period",), now=now, mark=mark),
        "steps": totals.step_figures(shown, by=("step",), mark=mark),
        "officers": totals.step_figures(shown, by=("officer",), mark=mark),
        "titles": opendata.service_titles(totals.services(shown, mark=mark, now=now)),
        "supervisor": access.is_supervisor(request.user),
    }
    if context["supervisor"]:
        supervised = access.supervised_providers(request.user).filter(pk__in=shown)
        context["drift"] = totals.refusal_drift(providers=supervised, mark=mark)
        context["fdr"] = drift.FDR
    return render(request, "office/figures.html", context)
