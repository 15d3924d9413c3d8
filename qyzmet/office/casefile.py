"""The officer's case file: the application as people read it, on the task page.

The request as a form in the officer's language (`regulations.preview`, the renderer the
applicant's signing page uses, with the labels of the regulation's request form), each uploaded
document viewable in the browser, the look-ups in the state databases as evidence cards, and the
audit history as a timeline whose lines say what happened in words, not as stored keys. For a
step the regulation has the official sign (`registry.decisions`), what will be signed: the
decision as a document, and its exact text for the browser to sign.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import json_script
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from qyzmet.access import access_attachment_as_staff, lookups_for
from qyzmet.engine.models import Application, Status
from qyzmet.i18n import in_language
from qyzmet.intake.online.models import Attachment
from qyzmet.registry import decisions
from qyzmet.registry.models import IssuedDocument
from qyzmet.regulations import preview

from .forms import outcome_label

# What a browser shows in the page itself; anything else is offered as a download.
INLINE_TYPES = {"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp"}


# The request as a form -------------------------------------------------------------------------


def request_rows(app: Application, reg) -> list[dict]:
    """The application's data as the request form reads, in the officer's language."""
    data = dict(app.data or {})
    data.pop("payment_id", None)  # shown as the fee, below the form
    data.pop("channel_trace", None)  # how the channel checked it: the history says so
    data.pop("documents", None)  # listed with their viewers
    shown = {"variant": app.variant, **data}
    return preview.rows(shown, reg)


# Uploaded documents ----------------------------------------------------------------------------


def attachments(app: Application) -> list[dict]:
    """The documents the applicant uploaded with the request, each with how the browser shows it."""
    rows = []
    for found in Attachment.objects.filter(draft__application=app).defer("content").order_by("id"):
        rows.append(
            {
                "file": found,
                "inline": found.content_type in INLINE_TYPES,
                "pdf": found.content_type == "application/pdf",
                "image": found.content_type.startswith("image/") and found.content_type in INLINE_TYPES,
            }
        )
    return rows


def listed_documents(app: Application) -> list[str]:
    """Documents the application names without a file in the platform (paper, older filings)."""
    uploaded = set(Attachment.objects.filter(draft__application=app).values_list("sha256", flat=True))
    out = []
    for item in (app.data or {}).get("documents") or []:
        if isinstance(item, dict):
            if item.get("sha256") in uploaded:
                continue
            out.append(str(item.get("name") or ""))
        else:
            out.append(str(item))
    return [name for name in out if name]


def attachment_for(user, app: Application, pk: int) -> Attachment:
    """One uploaded document of `app` (which the user sees as staff), else 404 (`access`)."""
    return access_attachment_as_staff(user, app, Attachment.objects.filter(pk=pk).first())


# Look-ups as evidence --------------------------------------------------------------------------


def evidence(user, app: Application) -> list[dict]:
    """What the state databases answered for this application (and for its request form)."""
    where = Q(application_number=app.number)
    draft = (app.data or {}).get("portal_draft")
    if draft:
        where |= Q(purpose__endswith=f"(portal draft {draft})")
    cards = []
    for lookup in lookups_for(user).filter(where).order_by("created_at", "id"):
        answer = lookup.answer if isinstance(lookup.answer, dict) else {}
        cards.append(
            {
                "lookup": lookup,
                "system": lookup.get_system_display(),
                "facts": _facts(answer),
            }
        )
    return cards


def _facts(answer: dict) -> list[tuple[str, str]]:
    labels = {
        "surname": _("Surname"),
        "first_name": _("First name"),
        "patronymic": _("Patronymic"),
        "birth_date": _("Date of birth"),
        "name": _("Name"),
        "legal_form": _("Legal form"),
        "registration_date": _("Registered"),
        "status": _("Status"),
        "address": _("Address"),
        "head": _("Head"),
        "document": _("Identity document"),
        "iin": _("IIN"),
        "bin": _("BIN"),
    }
    out = []
    for key, label in labels.items():
        value = answer.get(key)
        if value in (None, "", [], {}):
            continue
        if isinstance(value, dict):
            value = ", ".join(str(v) for v in value.values() if v not in (None, "", [], {}))
        out.append((label, str(value)))
    return out


# The history as a timeline ---------------------------------------------------------------------


def _when(value) -> str:
    moment = parse_datetime(value) if isinstance(value, str) else value
    if moment is None:
        return str(value)
    return timezone.localtime(moment).strftime("%d.%m.%Y %H:%M")


def _steps(reg) -> dict:
    found = {}
    for flow in [*reg.procedures, *reg.channels]:
        for step in flow.steps:
            found.setdefault(step.id, step)
    return found


def _step(steps: dict, step_id) -> str:
    step = steps.get(step_id)
    return f"{step_id} — {in_language(step.action)}" if step and step.action else str(step_id)


def timeline_lines(data, reg, steps: dict) -> list[str]:
    """What an audit entry's data says, line by line in the reader's language (known keys only:
    the stored entry itself stays in the audit log)."""
    if not isinstance(data, dict):
        return []
    lines = []
    if data.get("step"):
        lines.append(_("Step: %(step)s") % {"step": _step(steps, data["step"])})
    if data.get("outcome"):
        lines.append(_("Outcome: %(outcome)s") % {"outcome": outcome_label(data["outcome"])})
    if data.get("grounds"):
        texts = {g.code: in_language(g.text) for g in reg.refusal_grounds}
        lines.append(
            _("Grounds: %(grounds)s") % {"grounds": "; ".join(texts.get(g, g) for g in data["grounds"])}
        )
    if data.get("note"):
        lines.append(_("Note: %(note)s") % {"note": data["note"]})
    protocol = data.get("protocol")
    if isinstance(protocol, dict) and protocol.get("number"):
        lines.append(
            _("Protocol %(number)s; chair: %(chair)s; present: %(members)s")
            % {
                "number": protocol["number"],
                "chair": protocol.get("chair") or "—",
                "members": ", ".join(str(m) for m in protocol.get("members") or []) or "—",
            }
        )
    closed = data.get("closed")
    if isinstance(closed, dict) and closed.get("status"):
        try:
            status = Status(closed["status"]).label
        except ValueError:
            status = closed["status"]
        lines.append(_("Application closed: %(status)s") % {"status": status})
        if closed.get("kept_term") is True:
            lines.append(_("The term was kept."))
        elif closed.get("kept_term") is False:
            lines.append(_("The term was missed."))
    started = data.get("started")
    if isinstance(started, dict) and started.get("step"):
        line = _("Next: %(step)s") % {"step": _step(steps, started["step"])}
        if started.get("due_at"):
            line += " · " + _("due %(when)s") % {"when": _when(started["due_at"])}
        lines.append(line)
    if data.get("kind") and data.get("sha256"):
        try:
            kind = IssuedDocument.Kind(data["kind"]).label
        except ValueError:
            kind = data["kind"]
        lines.append(
            _("Document: %(kind)s, SHA-256 %(digest)s…") % {"kind": kind, "digest": data["sha256"][:16]}
        )
    if data.get("number") and data.get("regulation"):
        lines.append(_("Filed as %(number)s") % {"number": data["number"]})
    return lines


def actor_name(actor: str) -> str:
    """Who acted: a person's login as recorded, or the platform's own actors in words."""
    return {
        "system": _("the platform"),
        "scheduler": _("the scheduler"),
        "portal": _("the portal"),
    }.get(actor, actor)


def timeline(entries, reg, label_of) -> list[dict]:
    steps = _steps(reg)
    return [
        {
            "entry": e,
            "label": label_of(e.action),
            "actor": actor_name(e.actor),
            "lines": timeline_lines(e.data, reg, steps),
        }
        for e in entries
    ]


# What the official signs -----------------------------------------------------------------------


def signing_cards(run, reg, outcomes: list[str]) -> list[dict]:
    """For a step the official signs: per outcome the step allows, the decision as a document
    and the exact text the key signs."""
    if not decisions.signs(run, reg):
        return []
    cards = []
    for outcome in outcomes:
        machine = decisions.machine_form(run, outcome, reg)
        text = decisions.signed_text(run, outcome, reg)
        cards.append(
            {
                "outcome": outcome,
                "outcome_label": outcome_label(outcome),
                "preview": preview.rows(machine, reg),
                "text": text,
                # sign.js reads the text from inside the form (one form per outcome)
                "script": mark_safe(  # noqa: S308 - json_script escapes it
                    json_script(text).replace("<script ", '<script class="signed-text" ', 1)
                ),
            }
        )
    return cards
