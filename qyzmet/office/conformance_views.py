"""The provider's conformance page: its applications replayed against their regulations' flows."""

from django.shortcuts import render

from qyzmet.access import staff_providers
from qyzmet.analytics.conformance import KIND_LABELS, KINDS, replay

from .access import office_staff_required

# Findings listed on the page per provider; the command line gives them all (JSON or CSV).
SHOWN = 200


@office_staff_required
def conformance(request):
    reports = []
    for provider in staff_providers(request.user):
        report = replay(provider=provider.code)
        counts = report.by_kind()
        reports.append(
            {
                "provider": provider,
                "report": report,
                "kinds": [(kind, KIND_LABELS[kind], counts[kind]) for kind in KINDS if counts[kind]],
                "findings": [(f, KIND_LABELS[f.kind]) for f in report.findings[:SHOWN]],
                "more": max(0, report.deviations - SHOWN),
            }
        )
    return render(request, "office/conformance.html", {"reports": reports, "section": "conformance"})
