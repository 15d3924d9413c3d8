"""Reception at the counter, the same at the provider's office and at a service centre.

Before anything is filed the desk knows which services it accepts, identifies the applicant in
the state database (the lookup is kept as evidence, with the purpose and the staff member's
name, whatever happens next), checks the paper documents against the required list and says
what fee the variant carries. An incomplete set is refused to accept by one rule
(`completeness`), in the regulation's words where its channel checks completeness, else in the
law's. A complete set goes to `registration`, which files it through the channel.

The required list: the seeds do not quote the Standard's list of documents, so it is "the
documents required by clause N of the Standard" (the clause the regulation cites for documents,
9 when it cites none) plus the inventory the applicant draws up (Law on permissions Art. 25 p.4).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qyzmet import access, clock
from qyzmet.audit.actions import AuditAction
from qyzmet.audit.log import record
from qyzmet.engine import paths
from qyzmet.engine.fees import FeeDue, fee_for
from qyzmet.i18n import LANGUAGES, in_language
from qyzmet.identity.numbers import bin_problem, iin_problem
from qyzmet.providers.models import OFFICE_CLERK, Provider
from qyzmet.regulations.citations import standard_act
from qyzmet.regulations.models import Regulation

from .models import ReceptionRefusal

CLERK = OFFICE_CLERK
PAPER_CHANNELS = ("provider_office", "provider_workstation")
OFFICE, PSC = "office", "psc"

# The law's wording where the channel has no completeness check of its own: the provider refuses
# to accept (Law on state services Art. 19, Law on permissions Art. 25 p.1), the centre's operator
# refuses (Art. 20; law-facts 33-34).
INCOMPLETE_BY_LAW = {
    OFFICE: {
        "kk": "Құжаттар топтамасы толық емес: құжаттарды қабылдаудан бас тартылды "
        "(«Мемлекеттік көрсетілетін қызметтер туралы» Заңның 19-бабы; «Рұқсаттар және хабарламалар "
        "туралы» Заңның 25-бабының 1-тармағы).",
        "ru": "Пакет документов неполный: в приёме документов отказано (статья 19 Закона "
        "«О государственных услугах»; пункт 1 статьи 25 Закона «О разрешениях и уведомлениях»).",
        "en": "The set of documents is incomplete: the documents are not accepted (Law on state "
        "services, Art. 19; Law on permissions and notifications, Art. 25 p.1).",
    },
    PSC: {
        "kk": "Құжаттар топтамасы толық емес: құжаттарды қабылдаудан бас тартылды "
        "(«Мемлекеттік көрсетілетін қызметтер туралы» Заңның 20-бабы).",
        "ru": "Пакет документов неполный: в приёме документов отказано "
        "(статья 20 Закона «О государственных услугах»).",
        "en": "The set of documents is incomplete: the documents are not accepted "
        "(Law on state services, Art. 20).",
    },
}
INCOMPLETE_BASIS = {
    OFFICE: "Law on state services Art. 19; Law on permissions Art. 25 p.1",
    PSC: "Law on state services Art. 20",
}
NOT_IDENTIFIED_MESSAGE = {
    "kk": "Көрсетілетін қызметті алушы мемлекеттік дерекқорда табылмады: құжаттар қабылданбайды "
    "(«Мемлекеттік көрсетілетін қызметтер туралы» Заңның 20-бабы).",
    "ru": "Услугополучатель не найден в государственной базе данных: документы не принимаются "
    "(статья 20 Закона «О государственных услугах»).",
    "en": "The applicant is not in the state database: the documents are not accepted "
    "(Law on state services, Art. 20).",
}


class ReceptionError(Exception):
    """Something the reception cannot do; the message is for the clerk or operator."""


# Which services a desk accepts --------------------------------------------------------------


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


def fee_due(reg, variant: str, at: dt.datetime | None = None) -> FeeDue | None:
    """The fee the variant carries in the year of reception (None: no fee, or no known index)."""
    return fee_for(reg, variant, timezone.localtime(at or clock.now()).year)


# Identification -----------------------------------------------------------------------------


def state_database_of(number: str) -> str:
    """Legal entities for a BIN, individuals for an IIN (a number can be valid as both: IIN wins)."""
    return "legal_entities" if iin_problem(number) and not bin_problem(number) else "individuals"


@dataclass(frozen=True)
class Identity:
    """What the state database said of the applicant: found, not found, or no answer (`found` None)."""

    found: bool | None
    name: str = ""
    system: str = ""
    lookup_id: int | None = None
    error: str = ""

    @property
    def unavailable(self) -> bool:
        return self.found is None


def identify(number: str, *, purpose: str, by: str) -> Identity:
    """Ask the state database about the applicant; the lookup is kept as evidence.

    Call it outside any transaction: it is an outside call (with retries), and its evidence row
    must stay whatever becomes of the filing. "Not found" is not a refusal here: the channel's
    own check, or the desk's rule, decides what it means.
    """
    from qyzmet.gateway.errors import GatewayError, NotFound
    from qyzmet.gateway.lookups import look_up

    system = state_database_of(number)
    try:
        lookup = look_up(system, number, purpose=purpose, initiated_by=by)
    except NotFound as exc:
        return Identity(False, system=system, lookup_id=getattr(getattr(exc, "lookup", None), "pk", None))
    except GatewayError as exc:
        return Identity(None, system=system, error=str(exc))
    answer = lookup.answer or {}
    if system == "legal_entities":
        name = answer.get("name", "")
    else:
        name = " ".join(answer.get(k, "") for k in ("surname", "first_name", "patronymic")).strip()
    return Identity(True, name=name, system=system, lookup_id=lookup.pk)


# The checklist and the one refusal of an incomplete set -------------------------------------


def required_documents(reg, variant: str | None = None) -> list[tuple[str, dict]]:
    """The list a paper set is checked against, as (code, label) pairs, each label in kk, ru and en.

    The documents the regulation lists for the variant (the same list the portal's request form
    asks for; all variants' when none is given), each by its name, a document the regulation
    only refers the Standard for naming the Standard; then the inventory the law requires. The
    labels are kept with what is recorded (receipts, refusals), so each reader gets their own
    language later (`regulations.templatetags.regulations.document_name`).
    """
    docs, seen = [], set()
    for doc in (
        reg.documents_for(variant) if variant else [d for _v, f in reg.document_lists() for d in f.documents]
    ):
        if doc.code in seen or not doc.required:
            continue
        seen.add(doc.code)
        docs.append((doc.code, _in_every_language(lambda doc=doc: _document_label(reg, doc))))
    return docs + [("inventory", _in_every_language(lambda: str(INVENTORY)))]


INVENTORY = gettext_lazy(
    "The inventory of the documents, drawn up by the applicant (Law on permissions Art. 25 p.4)"
)


def _document_label(reg, doc) -> str:
    label = in_language(doc.name)
    if doc.named:
        return label
    return _("%(document)s (the Standard: %(act)s)") % {"document": label, "act": standard_act(reg.standard)}


def _in_every_language(make) -> dict:
    labels = {}
    for language in LANGUAGES:
        with translation.override(language):
            labels[language] = make()
    return labels


@dataclass(frozen=True)
class Checklist:
    """The required documents, as presented and missing labels."""

    presented: list[str]
    missing: list[str]

    @property
    def complete(self) -> bool:
        return not self.missing


def check_documents(reg, presented: list[str], variant: str | None = None) -> Checklist:
    labels = required_documents(reg, variant)
    return Checklist(
        presented=[label for code, label in labels if code in presented],
        missing=[label for code, label in labels if code not in presented],
    )


@dataclass(frozen=True)
class Refusal:
    """A refusal to accept an incomplete set: its wording (kk/ru/en) and what it rests on."""

    message: dict
    basis: str


def _completeness_refusal_step(flow):
    """The channel's own refusal of an incomplete set: the end its completeness check leads to."""
    steps = {s.id: s for s in flow.steps}
    check = next((s for s in flow.steps if s.kind == "condition" and s.check == "documents_complete"), None)
    if check is None:
        return None
    whens = [b.when for b in check.branches]
    refusing = next((w for w in paths.REFUSING if w in whens), whens[-1] if whens else None)
    sid, seen = next((b.to for b in check.branches if b.when == refusing), None), set()
    while sid and sid not in seen:
        seen.add(sid)
        step = steps[sid]
        if step.end == "refusal":
            return step
        sid = step.next
    return None


def completeness(reg, channel: str, desk: str, checklist: Checklist) -> Refusal | None:
    """None for a complete set; else the refusal to accept it, the same rule at every desk.

    The channel's own message where it checks completeness (its refusal step), else the law's
    wording for the desk (the provider: Art. 19; a service centre: Art. 20).
    """
    if checklist.complete:
        return None
    step = _completeness_refusal_step(reg.channel(channel))
    if step is not None and step.message is not None:
        return Refusal(step.message.model_dump(), f"{channel} {step.id}")
    return Refusal(INCOMPLETE_BY_LAW[desk], INCOMPLETE_BASIS[desk])


def refuse_incomplete(
    choice: ServiceChoice,
    variant: str,
    applicant: str,
    applicant_name: str,
    presented: list[str],
    clerk,
    at=None,
) -> ReceptionRefusal:
    """The provider's clerk refuses to accept an incomplete set; the record is the numbered receipt."""
    now = at or clock.now()
    reg = choice.regulation.parsed
    checklist = check_documents(reg, presented, variant)
    refusal = completeness(reg, choice.channel, OFFICE, checklist)
    if refusal is None:
        raise ReceptionError(_("The set is complete: accept it."))
    with transaction.atomic():
        row = ReceptionRefusal.objects.create(
            number=f"new-{uuid.uuid4().hex[:24]}",  # replaced below, once the row has its id
            provider=choice.provider,
            regulation=choice.regulation,
            variant=variant,
            channel=choice.channel,
            applicant=applicant,
            applicant_name=applicant_name,
            presented=checklist.presented,
            missing=checklist.missing,
            message=refusal.message,
            basis=refusal.basis,
            clerk=clerk,
            at=now,
        )
        row.number = f"RR-{timezone.localtime(now):%y%m%d}-{row.pk:06d}"
        row.save(update_fields=["number"])
        record(
            clerk,
            AuditAction.RECEPTION_REFUSED_INCOMPLETE,
            row,
            {
                "number": row.number,
                "regulation": choice.regulation.pk,
                "provider": choice.provider.code,
                "applicant": applicant,
                "missing": checklist.missing,
                "basis": refusal.basis,
            },
            at=now,
        )
    return row
