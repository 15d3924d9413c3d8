"""Public pages of the regulation catalogue: the list, one regulation, its BPMN and JSON exports."""

from __future__ import annotations

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render

from qyzmet import clock
from qyzmet.i18n import current_language, in_language

from . import bpmn, export, receiving
from .models import Regulation


def _get(act: str, slug: str) -> Regulation:
    try:
        return Regulation.objects.get(pk=f"{act}/{slug}")
    except Regulation.DoesNotExist:
        raise Http404("no such regulation") from None


def catalogue(request):
    """The regulations in force today (the platform's day), or every version with `?all=1`;
    each card says how the service is received and leads there."""
    query = (request.GET.get("q") or "").strip().lower()
    show_all = request.GET.get("all") == "1"
    today = clock.today()
    versions = Regulation.objects.all() if show_all else Regulation.objects.in_force(today)
    units = receiving.units_by_provider()
    rows = []
    for row in versions:
        reg = row.parsed
        haystack = " ".join(
            [reg.id, reg.service, reg.title.kk, reg.title.ru, reg.title.en, reg.provider.name.en]
        ).lower()
        if query and query not in haystack:
            continue
        rows.append((row, reg))
    acts: dict[str, list] = {}
    for row, reg in rows:
        act, slug = reg.id.split("/")
        acts.setdefault(act, []).append(
            {
                "reg": reg,
                "act": act,
                "slug": slug,
                "in_force": receiving.in_force(row, today),
                "ways": receiving.ways(reg, row, today, units),
            }
        )
    return render(
        request,
        "regulations/catalogue.html",
        {
            "acts": acts,
            "query": query,
            "count": len(rows),
            "show_all": show_all,
            "today": today,
            "total": Regulation.objects.count(),
        },
    )


def regulation_detail(request, act: str, slug: str):
    row = _get(act, slug)
    reg = row.parsed
    lang = current_language()
    today = clock.today()
    flows = []
    for kind, items in (("channel", reg.channels), ("procedure", reg.procedures)):
        for flow in items:
            xml = bpmn.to_bpmn_xml(reg, flow.code, lang)
            variants = [reg.variant(code) for code in flow.variants or []]
            flows.append(
                {
                    "kind": kind,
                    "flow": flow,
                    "xml": xml,
                    "script_id": f"bpmn-{kind}-{flow.code}",
                    "variants": [
                        in_language(v.name) if v else code for v, code in zip(variants, flow.variants or [])
                    ],
                }
            )
    actors = {a.code: a for a in reg.actors}
    versions = [
        {
            "row": v,
            "act": v.id.split("/")[0],
            "slug": v.id.split("/")[1],
            "in_force": receiving.in_force(v, today),
        }
        for v in Regulation.objects.filter(service=reg.service).order_by("in_force_from", "id")
    ]
    return render(
        request,
        "regulations/detail.html",
        {
            "reg": reg,
            "act": act,
            "slug": slug,
            "flows": flows,
            "actors": actors,
            "results": {r.code: r for r in reg.results},
            # the team's notes and readings are written in English only (not translated yet):
            # a kk or ru page says so and offers them in English instead of mixing languages
            "notes": lang == "en",
            "untranslated": sum(not r.translated for r in reg.readings),
            "versions": versions,
            "today": today,
            "in_force": receiving.in_force(row, today),
            "ways": receiving.ways(reg, row, today, receiving.units_by_provider()),
        },
    )


def regulation_bpmn(request, act: str, slug: str, flow: str):
    reg = _get(act, slug).parsed
    try:
        xml = bpmn.to_bpmn_xml(reg, flow, current_language())
    except KeyError:
        raise Http404("no such channel or procedure") from None
    response = HttpResponse(xml, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{act}-{slug}-{flow}.bpmn"'
    return response


def regulation_json(request, act: str, slug: str):
    reg = _get(act, slug).parsed
    return JsonResponse(export.to_json([reg]), json_dumps_params={"ensure_ascii": False, "indent": 1})


def catalogue_json(request):
    regs = [row.parsed for row in Regulation.objects.all()]
    return JsonResponse(export.to_json(regs), json_dumps_params={"ensure_ascii": False})
