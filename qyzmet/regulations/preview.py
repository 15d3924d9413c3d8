"""What is signed, shown as a document: a request or a decision as people read it.

A request (portal, `intake.online.drafts.request_of`) and an official's decision on a result or
refusal (`registry.decisions.machine_form`) are signed as machine text: canonical JSON, the exact
bytes. Before signing, the signer sees the same content as a document in their language: each
key under a label (the regulation's own label where its request form names the field), codes
named (the service, variant, channel, provider, result and grounds by their names in the
regulation), documents by name, size and digest. One renderer for both (`rows`), shown by one
template (`regulations/_preview.html`); the application's own data is shown by it too, in the
officer's case file. Nothing here decides what is signed: the machine text stays what it is.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from qyzmet.i18n import in_language

from .outcomes import outcome_name

# Keys of the machine text that say nothing to a reader (internal references, kept in the
# signed bytes but not repeated on the document).
HIDDEN = {"draft", "portal_draft", "portal_submission", "signature_sha256", "language", "lookup", "run"}

LABELS = {
    "act": _("Document"),
    "application": _("Application number"),
    "iin": _("IIN of the signer"),
    "bin": _("BIN"),
    "applicant": _("Applicant"),
    "applicant_name": _("Applicant's name"),
    "regulation": _("Regulation"),
    "service": _("Service"),
    "variant": _("Variant"),
    "channel": _("Channel"),
    "provider": _("Provider"),
    "step": _("Step"),
    "outcome": _("Outcome"),
    "result": _("Result"),
    "grounds": _("Grounds for refusal"),
    "refusal_text": _("Explanation"),
    "subtypes": _("Sub-types of activity"),
    "address": _("Address"),
    "activity_object": _("Object of activity"),
    "contacts": _("Contacts"),
    "phone": _("Phone"),
    "email": _("E-mail"),
    "documents": _("Documents"),
    "payment_id": _("Fee paid, payment"),
    "name": _("Name"),
    "birth_date": _("Date of birth"),
    "document": _("Identity document"),
    "legal_form": _("Legal form"),
    "registered": _("Registered"),
    "head_iin": _("IIN of the head"),
    "head_name": _("Head"),
}
ACTS = {
    "result": _("Decision to issue the result"),
    "refusal": _("Reasoned refusal"),
    "step": _("Signed step of the procedure"),
}


def _provider_name(code: str) -> str:
    from qyzmet.providers.models import Provider

    found = Provider.objects.filter(code=code).first()
    return f"{found.display_name}" if found else code


def _document(item) -> str:
    if not isinstance(item, dict):
        return str(item)
    parts = [str(item.get("name") or "")]
    if item.get("size"):
        parts.append(f"{int(item['size']):,}".replace(",", " ") + " B")
    if item.get("sha256"):
        parts.append(f"SHA-256 {str(item['sha256'])[:16]}…")
    return " · ".join(p for p in parts if p)


def _text(value) -> str:
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if value in (None, ""):
        return "—"
    return str(value)


def rows(machine: dict, reg=None) -> list[dict]:
    """The machine text as labelled rows: {"key", "label", "value"} or {"key", "label", "entries"}
    (a list, or a mapping shown as "label: value" lines), in the active language."""
    field_labels = {}
    if reg is not None:
        spec = reg.request_form_for(str(machine.get("variant") or ""))
        field_labels = {f.code: in_language(f.label) for f in (spec.fields if spec else [])}
    out = []
    for key, value in machine.items():
        if key in HIDDEN or value in ("", None, [], {}):
            continue
        if key == "service" and reg is not None:
            continue  # a code: the regulation's title names the service
        label = field_labels.get(key) or LABELS.get(key) or key
        row = {"key": key, "label": label}
        if key == "documents" and isinstance(value, list):
            row["entries"] = [_document(d) for d in value]
        elif key == "grounds" and isinstance(value, list):
            texts = {g.code: in_language(g.text) for g in reg.refusal_grounds} if reg is not None else {}
            row["entries"] = [texts.get(code, code) for code in value]
        elif isinstance(value, dict):
            row["entries"] = [
                f"{LABELS.get(k, k)}: {_text(v)}" for k, v in value.items() if v not in ("", None, [], {})
            ]
        elif isinstance(value, list):
            row["entries"] = [_text(v) for v in value]
        else:
            row["value"] = _named(key, value, reg)
        out.append(row)
    return out


def _named(key: str, value, reg) -> str:
    """A code as its name: the regulation, variant, channel, provider, result, outcome, act."""
    if key == "act":
        return str(ACTS.get(value, value))
    if key == "outcome":
        return outcome_name(str(value), reg)
    if key == "provider":
        return _provider_name(str(value))
    if reg is not None:
        if key == "regulation":
            return f"{in_language(reg.title)} ({value})"
        if key == "variant":
            variant = reg.variant(value)
            return in_language(variant.name) if variant else str(value)
        if key == "channel":
            channel = reg.channel(value)
            return in_language(channel.name) if channel else str(value)
        if key == "step":
            for flow in [*reg.procedures, *reg.channels]:
                step = next((s for s in flow.steps if s.id == value), None)
                if step is not None and step.action:
                    return f"{value} — {in_language(step.action)}"
            return str(value)
        if key == "result":
            found = next((r for r in reg.results if r.code == value), None)
            return in_language(found.name) if found else str(value)
    return _text(value)
