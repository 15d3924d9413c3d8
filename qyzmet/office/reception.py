"""Paper reception at the provider's office: the clerk's side of the `provider_office` channel.

The clerk picks a service of a regulation in force at their provider today, enters the
applicant's IIN/BIN (the form is prefilled from the state database, the lookup kept as evidence
with its purpose and the clerk's name), checks the paper documents against the required list and
either refuses an incomplete set with a receipt, or attaches the scans and submits the request
through the channel (`engine.channels.submit`), which runs the regulation's own checks and files
the application. The checks are never repeated here: a failed one comes back with the
regulation's refusal message.

The required list: the seeds do not quote the Standard's list of documents, so it is "the
documents required by clause N of the Standard" (the clause the regulation cites for documents,
9 when it cites none) plus the inventory the applicant draws up (Law on permissions Art. 25 p.4).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qyzmet import access, clock
from qyzmet.audit.log import record
from qyzmet.engine import channels
from qyzmet.engine.models import Application
from qyzmet.identity.numbers import bin_problem, iin_problem
from qyzmet.providers.models import OFFICE_CLERK, Provider
from qyzmet.regulations.models import Regulation

from .models import ReceptionRefusal, ScannedDocument

CLERK = OFFICE_CLERK
PAPER_CHANNELS = ("provider_office", "provider_workstation")


class ReceptionError(Exception):
    """Something the reception cannot do; the message is for the clerk."""


@dataclass(frozen=True)
class ServiceChoice:
    """A service the clerk may accept: one regulation in force at one of their providers."""

    provider: Provider
    regulation: Regulation
    channel: str

    @property
    def key(self) -> str:
        return f"{self.provider.pk}:{self.regulation.pk}"


def clerk_providers(user):
    """The providers where `user` is an office clerk (`qyzmet.access` decides)."""
    return access.clerk_providers(user)


def paper_channel(reg) -> str | None:
    """The regulation's paper channel at the provider: the office, else the workstation."""
    return next((code for code in PAPER_CHANNELS if reg.channel(code) is not None), None)


def services_for(user, on=None) -> list[ServiceChoice]:
    """Every (provider, regulation) the clerk may accept on `on` (the platform's today)."""
    on = on or clock.today()
    choices = []
    for provider in clerk_providers(user):
        for row in Regulation.objects.in_force(on).filter(provider_code=provider.acts_as).order_by("pk"):
            code = paper_channel(row.parsed)
            if code:
                choices.append(ServiceChoice(provider, row, code))
    return choices


def service_for(user, key: str, on=None) -> ServiceChoice:
    for choice in services_for(user, on):
        if choice.key == key:
            return choice
    raise ReceptionError(_("This service is not accepted at your provider today."))


def variants_of(choice: ServiceChoice) -> list:
    reg = choice.regulation.parsed
    allowed = reg.channel(choice.channel).variants
    return [v for v in reg.variants if not allowed or v.code in allowed]


def required_documents(reg) -> list[tuple[str, str]]:
    """The list a paper set is checked against, as (code, label) pairs."""
    clause = next((c.clause for c in reg.standard.clauses_cited if c.subject == "documents"), "9")
    return [
        (
            "standard",
            _("The documents required by clause %(clause)s of the Standard (%(act)s)")
            % {"clause": clause, "act": reg.standard.act},
        ),
        (
            "inventory",
            _("The inventory of the documents, drawn up by the applicant (Law on permissions Art. 25 p.4)"),
        ),
    ]


def state_database_of(number: str) -> str:
    """Legal entities for a BIN, individuals for an IIN (a number can be valid as both: IIN wins)."""
    return "legal_entities" if iin_problem(number) and not bin_problem(number) else "individuals"


def prefill(number: str, choice: ServiceChoice, clerk) -> dict:
    """The applicant's details from the state database, for the form; kept as lookup evidence.

    Returns {"found": bool, "name": str, "system": str, "error": str}. "Not found" is not a
    refusal here: the channel's own check refuses with the regulation's message on submission.
    """
    from qyzmet.gateway.errors import GatewayError, NotFound
    from qyzmet.gateway.lookups import look_up

    system = state_database_of(number)
    try:
        lookup = look_up(
            system,
            number,
            purpose=f"{choice.regulation.pk} {choice.channel}: reception, prefill of the request form",
            initiated_by=clerk.get_username(),
        )
    except NotFound:
        return {"found": False, "name": "", "system": system, "error": ""}
    except GatewayError as exc:
        return {"found": False, "name": "", "system": system, "error": str(exc)}
    answer = lookup.answer or {}
    if system == "legal_entities":
        name = answer.get("name", "")
    else:
        name = " ".join(answer.get(k, "") for k in ("surname", "first_name", "patronymic")).strip()
    return {"found": True, "name": name, "system": system, "error": ""}


def refuse_incomplete(
    choice: ServiceChoice,
    variant: str,
    applicant: str,
    applicant_name: str,
    presented: list[str],
    clerk,
    at=None,
) -> ReceptionRefusal:
    """Refuse to accept an incomplete set; the record is the numbered receipt the applicant gets."""
    now = at or clock.now()
    labels = dict(required_documents(choice.regulation.parsed))
    missing = [labels[code] for code in labels if code not in presented]
    if not missing:
        raise ReceptionError(_("The set is complete: accept it."))
    with transaction.atomic():
        refusal = ReceptionRefusal.objects.create(
            number=f"new-{uuid.uuid4().hex[:24]}",  # replaced below, once the row has its id
            provider=choice.provider,
            regulation=choice.regulation,
            variant=variant,
            channel=choice.channel,
            applicant=applicant,
            applicant_name=applicant_name,
            presented=[labels[code] for code in labels if code in presented],
            missing=missing,
            clerk=clerk,
            at=now,
        )
        refusal.number = f"RR-{timezone.localtime(now):%y%m%d}-{refusal.pk:06d}"
        refusal.save(update_fields=["number"])
        record(
            clerk,
            "reception_refused_incomplete",
            refusal,
            {
                "number": refusal.number,
                "regulation": choice.regulation.pk,
                "provider": choice.provider.code,
                "applicant": applicant,
                "missing": missing,
            },
            at=now,
        )
    return refusal


def file_paper_application(
    choice: ServiceChoice,
    variant: str,
    applicant: str,
    applicant_name: str,
    scans: list[dict],
    clerk,
    phone: str = "",
    at=None,
) -> channels.ChannelResult:
    """Submit a complete paper set through the channel; on filing, keep the scans with the application.

    `scans` are checked uploads (`portal.uploads.check`). The result is the channel's: filed (with
    the application), refused (with the regulation's message) or waiting (a state database is down).
    """
    reg = choice.regulation.parsed
    flow = reg.channel(choice.channel)
    if any(step.check == "eds" for step in flow.steps):
        # No office channel of the catalogue asks for the applicant's EDS; one that did would need
        # the applicant's signed request, which paper reception cannot give.
        raise ReceptionError(
            _("This channel needs the applicant's EDS; the applicant applies on the portal.")
        )
    now = at or clock.now()
    labels = [label for _code, label in required_documents(reg)]
    data = {
        "documents": labels + [scan["name"] for scan in scans],
        "received_on_paper": True,
        "accepted_by": clerk.get_username(),
    }
    if phone:
        data["phone"] = phone
    with transaction.atomic():
        result = channels.submit(
            channels.Submission(
                regulation=choice.regulation,
                provider=choice.provider,
                channel=choice.channel,
                variant=variant,
                applicant=applicant,
                authenticated=True,  # the clerk's own log-in to the information system
                signed_request=None,
                documents_complete=True,  # an incomplete set never reaches the channel
                initiated_by=clerk.get_username(),
                applicant_name=applicant_name,
                data=data,
                at=now,
            )
        )
        if result.status == "filed" and result.application is not None:
            _keep_scans(result.application, scans, clerk, now)
    return result


def _keep_scans(app: Application, scans: list[dict], clerk, now) -> None:
    ScannedDocument.objects.bulk_create(
        ScannedDocument(
            application=app,
            name=scan["name"],
            content_type=scan["content_type"],
            size=scan["size"],
            sha256=scan["sha256"],
            content=scan["content"],
            uploaded_by=clerk,
            uploaded_at=now,
        )
        for scan in scans
    )
    record(
        clerk,
        "paper_documents_scanned",
        app,
        {"files": [{"name": s["name"], "sha256": s["sha256"], "size": s["size"]} for s in scans]},
        at=now,
    )
