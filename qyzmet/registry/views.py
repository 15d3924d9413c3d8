"""Public pages of the register: search, verification of a number or a QR payload, the chain head
and the signed heads of the audit log and the register (heads.py).

The register is public (who holds which permit, issued by whom, valid or not), so these pages
need no log-in. They only read: they never render, sign or store a document, nor issue a key.
A number is answered only when it is a register entry's: whether an application with that
number exists is nobody's business here, so it gets the same answer as no number at all.
Documents of applications (receipts, refusals) are not in the register; the signed QR code
they carry opens a page that confirms the provider issued such a document, without the
applicant's details.
Individuals' IINs are masked on these pages and a person is not found by name or IIN; legal
entities are shown in full and found by BIN and name (privacy.py). The signed PDF stays as issued.
"""

from __future__ import annotations

from itertools import islice

from django.db.models import Q
from django.http import Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from qyzmet.engine.models import Application
from qyzmet.i18n import in_language
from qyzmet.identity.numbers import is_entity_number
from qyzmet.regulations.citations import citation

from . import documents, grounds, privacy, qr, services
from .documents import APPLICATION_DOCUMENTS
from .models import EntryStatus, IssuedDocument, RegisterEntry, RegisterHead, SignedHead
from .services import is_in_force

SEARCH_LIMIT = 100


def _search(params) -> tuple[dict, list]:
    criteria = {k: (params.get(k) or "").strip() for k in ("number", "holder", "activity", "provider")}
    entries = RegisterEntry.objects.with_current_status().select_related("provider")
    if criteria["number"]:
        entries = entries.filter(number__icontains=criteria["number"])
    holder = criteria["holder"]
    if holder and is_entity_number(holder):
        entries = entries.filter(holder=holder)
    elif holder.isdigit():
        # An IIN (or any other number) finds nothing: the public register is not a way to
        # look a person up.
        entries = entries.none()
    elif holder:
        # Names are searched among legal entities only; whether a holder is one is read from its
        # number's digits, which the database cannot check.
        named = entries.filter(holder_name__icontains=holder).iterator(chunk_size=SEARCH_LIMIT)
        found = islice((entry for entry in named if is_entity_number(entry.holder)), SEARCH_LIMIT)
        return criteria, _shown(list(found))
    if criteria["activity"]:
        text = criteria["activity"]
        entries = entries.filter(
            Q(service__icontains=text)
            | Q(activity__kk__icontains=text)
            | Q(activity__ru__icontains=text)
            | Q(activity__en__icontains=text)
        )
    if criteria["provider"]:
        text = criteria["provider"]
        entries = entries.filter(
            Q(provider__code__icontains=text)
            | Q(provider__name__kk__icontains=text)
            | Q(provider__name__ru__icontains=text)
            | Q(provider__name__en__icontains=text)
        )
    return criteria, _shown(list(entries[:SEARCH_LIMIT]))


def _shown(entries: list) -> list:
    for entry in entries:
        entry.public_holder = privacy.public_holder(entry.holder)
    return entries


def search(request):
    criteria, entries = _search(request.GET)
    return render(
        request,
        "registry/search.html",
        {"criteria": criteria, "entries": entries, "searched": any(criteria.values()), "limit": SEARCH_LIMIT},
    )


def history(entry: RegisterEntry) -> list[dict]:
    """The entry's events as the public reads them: what, on which ground and law, from when,
    and the licensor's signed decision when it was issued."""
    signed = {
        d.reference: d
        for d in IssuedDocument.objects.filter(kind=IssuedDocument.Kind.DECISION, register_entry=entry)
    }
    rows = []
    for event in entry.events.order_by("seq"):
        data = event.data if event.action != "entered" else {}
        rows.append(
            {
                "event": event,
                "ground": grounds.label_of(data["ground"]) if data.get("ground") else "",
                "source": in_language(citation(data.get("source"))),
                "from": data.get("from"),
                "until": data.get("until"),
                "replaced_by": data.get("replaced_by"),
                "decision": signed.get(f"{entry.number}#{event.seq}"),
            }
        )
    return rows


def _chain_row(entry: RegisterEntry) -> dict:
    status = services.current_status(entry)
    return {"entry": entry, "status": status, "status_label": EntryStatus(status).label}


def _entry_context(entry: RegisterEntry) -> dict:
    """The live state of an entry: status (and till when a suspension lasts), term, history, and
    the chain of entries it stands for and that stand for it (duplicates, re-issues)."""
    status = services.current_status(entry)
    return {
        "entry": entry,
        "public_holder": privacy.public_holder(entry.holder),
        "status": status,
        "status_label": EntryStatus(status).label,
        "in_force": is_in_force(entry, status),
        "expired": status == EntryStatus.VALID and not is_in_force(entry, status),
        "suspended_until": services.suspended_until(entry),
        "validity_source": services.validity_source(entry),
        "events": history(entry),
        "before": [_chain_row(e) for e in reversed(services.ancestors(entry))],
        "after": [_chain_row(e) for e in services.successors(entry)],
        **services.lineage_dates(entry),
        "document": documents.stored(IssuedDocument.Kind.RESULT, entry.number),
    }


def verify_number(request, number: str):
    entry = RegisterEntry.objects.select_related("provider", "original").filter(number=number).first()
    if entry is not None:
        return render(request, "registry/verify.html", {"number": number, **_entry_context(entry)})
    return render(request, "registry/verify.html", {"number": number, "not_found": True}, status=404)


def verify(request):
    """Without `q`: a form; with `q` (a QR payload): its signature, then the live state."""
    payload = (request.GET.get("q") or "").strip()
    if not payload:
        return render(request, "registry/verify.html", {"ask": True})
    check = qr.verify_payload(payload)
    context = {"payload": payload, "check": check}
    if not check:
        return render(request, "registry/verify.html", {**context, "forged": True}, status=400)
    data = check.data
    if data["k"] in APPLICATION_DOCUMENTS:
        application = Application.objects.select_related("provider").filter(number=data["n"]).first()
        # Only someone holding the signed document learns how the application ended.
        return render(
            request,
            "registry/verify.html",
            {**context, "number": data["n"], "application": application, "show_outcome": True},
        )
    entry = RegisterEntry.objects.select_related("provider", "original").filter(number=data["n"]).first()
    if entry is None:
        return render(request, "registry/verify.html", {**context, "number": data["n"], "not_found": True})
    # A genuine signature over data the register disagrees with is reported, not trusted. A
    # decision on the entry's status names the entry, its holder and provider, and its own day.
    fields = [("h", entry.holder), ("p", entry.provider.code)]
    if data["k"] != documents.DECISION:
        fields += [("k", entry.kind), ("d", entry.issued_on.isoformat())]
    mismatch = [field for field, value in fields if data[field] != value]
    return render(
        request,
        "registry/verify.html",
        {**context, "number": entry.number, "mismatch": mismatch, **_entry_context(entry)},
    )


def head(request):
    row = RegisterHead.objects.filter(pk=1).first() or RegisterHead(pk=1)
    published = {"seq": row.seq, "hash": row.hash, "at": row.at.isoformat() if row.at else None}
    if request.GET.get("format") == "json":
        return JsonResponse(published)
    return render(
        request,
        "registry/head.html",
        {
            "head": row,
            "explanation": _("Each event of the register is chained to the previous one by its hash."),
        },
    )


HEADS_SHOWN = 50


def heads(request):
    """The newest signed heads of the audit log and the register, and the file of them all."""
    newest = list(SignedHead.objects.order_by("-id")[:HEADS_SHOWN])
    return render(request, "registry/heads.html", {"heads": newest, "shown": HEADS_SHOWN})


def heads_file(request):
    """Every signed head as JSON lines, oldest first: the file anyone may keep and check against."""
    from . import heads as published

    answer = StreamingHttpResponse(published.lines(), content_type="application/jsonl; charset=utf-8")
    answer["Content-Disposition"] = 'attachment; filename="qyzmet-heads.jsonl"'
    return answer


def entry_pdf(request, number: str):
    """The signed document of a register entry, as issued and stored (the register is public).

    Only served when it was issued: this page never makes one (its holder's cabinet or the
    provider's staff do, for an entry older than the kept documents)."""
    entry = RegisterEntry.objects.filter(number=number).first()
    if entry is None:
        raise Http404(_("No such entry in the register."))
    document = documents.stored(IssuedDocument.Kind.RESULT, entry.number)
    if document is None:
        raise Http404(_("The signed document of this entry is not available here yet."))
    return documents.http_response(document, f"{entry.number}.pdf")


def decision_pdf(request, number: str, seq: int):
    """The licensor's signed decision on an entry's status, as issued (never made here)."""
    document = documents.stored(IssuedDocument.Kind.DECISION, f"{number}#{seq}")
    if document is None:
        raise Http404(_("No signed decision of this entry's event is available here."))
    return documents.http_response(document, f"{number}-{seq}.pdf")
