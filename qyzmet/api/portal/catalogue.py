"""GET /services and /services/{service}/providers: what can be applied for today, and where.

Public, like the catalogue pages: nothing here is about anyone. "Today" is the platform clock's
(`clock.today()`), so a demo running on a day in 2015 lists the regulations in force then.
"""

from __future__ import annotations

from collections import defaultdict

from ninja import Router

from qyzmet import clock
from qyzmet.providers.models import Provider
from qyzmet.regulations.models import Regulation
from qyzmet.regulations.templatetags.regulations import tr

from .present import passport
from .schemas import ProviderEntry, ServicePassport

router = Router(tags=["portal: services"])


def _providers_by_code() -> dict[str, list[Provider]]:
    found = defaultdict(list)
    for provider in Provider.objects.order_by("code"):
        found[provider.acts_as].append(provider)
    return found


@router.get(
    "/services",
    response=list[ServicePassport],
    auth=None,
    summary="Services in force today: terms, fees, channels and where each is provided",
)
def portal_services(request):
    """One entry per regulation in force: a service provided by different bodies (a region's
    department, a ministry) under different regulations appears once for each."""
    today = clock.today()
    providers = _providers_by_code()
    rows = Regulation.objects.in_force(today).defer("document").order_by("service", "id")
    return [passport(row, today, [p.code for p in providers[row.provider_code]]) for row in rows]


@router.get(
    "/services/{service}/providers",
    response=list[ProviderEntry],
    auth=None,
    summary="The providers at which a service is in force today, with the regulation that applies",
)
def portal_service_providers(request, service: str):
    providers = _providers_by_code()
    return [
        {"code": p.code, "name": tr(p.name), "region": p.region, "regulation": row.pk}
        for row in Regulation.objects.in_force(clock.today()).filter(service=service).order_by("id")
        for p in providers[row.provider_code]
    ]
