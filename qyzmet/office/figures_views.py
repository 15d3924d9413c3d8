"""The figures page of the back office: compliance per provider, month, step and officer, with
charts, and for a supervisor the refusal-drift flags among the providers it supervises.

Who sees which providers' figures is `access.figure_providers`: staff their own, a supervisor
those its provider supervises. `?provider=CODE` narrows the page to one of them.
"""

from django.shortcuts import render

from qyzmet import access
from qyzmet.analytics import drift, figures, opendata

from .access import office_staff_required


@office_staff_required
def figures_page(request):
    providers = access.figure_providers(request.user)
    chosen = request.GET.get("provider") or ""
    if chosen:
        providers = providers.filter(pk=access.access_figures_of(request.user, chosen).pk)
    apps = access.figure_applications(request.user)
    if chosen:
        apps = apps.filter(provider__in=providers)
    by_provider = figures.compliance(apps, by=("provider",))
    context = {
        "section": "figures",
        "providers": access.figure_providers(request.user),
        "chosen": chosen,
        "by_provider": by_provider,
        "by_month": figures.compliance(apps, by=("period",)),
        "steps": figures.step_figures(apps, by=("step",)),
        "officers": figures.step_figures(apps, by=("officer",)),
        "titles": opendata.service_titles(apps.values_list("service", flat=True).distinct()),
        "supervisor": access.is_supervisor(request.user),
    }
    if context["supervisor"]:
        supervised = access.supervised_providers(request.user).filter(pk__in=providers.values("pk"))
        context["drift"] = drift.refusal_drift(providers=supervised)
        context["fdr"] = drift.FDR
    return render(request, "office/figures.html", context)
