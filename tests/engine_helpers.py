"""Shared set-up for engine tests: providers with staff for every role, and a driver."""

import datetime as dt

from qyzmet.calendar.workcal import ALMATY
from qyzmet.engine import paths, services
from qyzmet.engine.models import ConclusionRequest
from qyzmet.providers.models import Provider

from . import cast

COMMISSION = ["Ахметов Н. С.", "Омарова Г. Б.", "Қасымов А. Қ.", "Сәрсенбаева Д. М."]


def applicant_for(reg, seed: int | None = None) -> str:
    """An applicant's number the regulation admits: a legal entity's BIN where it admits legal
    entities only (e.g. the narcotics licence, seed 004 lines 2620-2621), else a person's IIN."""
    from qyzmet.gateway.testing import entity_bin
    from qyzmet.identity.numbers import generate_iin

    if reg.admitted_applicants() == ["legal_entity"]:
        return entity_bin(seed or 0)
    return generate_iin()


def provider_for(reg) -> Provider:
    """A provider acting as the one the regulation names."""
    return cast.provider_for(reg)


def filing_moment(reg) -> dt.datetime:
    """10:00 on the tenth day the regulation is in force."""
    day = reg.in_force.from_ + dt.timedelta(days=10)
    return dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=ALMATY)


def staff_for(provider: Provider, role: str):
    return cast.staff_for(provider, role)


def protocol_for(reg, run, moment, number: str = "No. 12") -> dict:
    """`complete_step`'s keyword arguments for the protocol of `run`'s step: the meeting's minutes
    when a commission or council decides it (a `collegial` step), held at `moment`; else none."""
    if not reg.step(run.flow, run.step_id).collegial:
        return {}
    return {
        "protocol": {
            "number": number,
            "meeting_at": moment,
            "chair": COMMISSION[0],
            "members": COMMISSION,
            "secretary": "Жұмабаева А. С.",
            "reasoning": "The materials were examined against the requirements; decided by a majority of votes.",
        }
    }


def complete_as_staff(reg, provider, run, outcome, moment, *, note="does not meet the requirements"):
    """Complete `run` at `moment` as staff holding its role: the bodies' pending conclusions
    answered positively first, a refusing outcome with the regulation's first ground and `note`,
    a collegial step with its meeting's protocol. Returns the next run (None at the end)."""
    for request in run.conclusions.filter(answer=ConclusionRequest.Answer.PENDING):
        services.answer_conclusion(request.pk, "positive", by="body", at=moment)
    extra = {}
    if outcome in paths.REFUSING:
        extra = {"grounds": [g.code for g in reg.refusal_grounds[:1]], "note": note}
    extra.update(protocol_for(reg, run, moment))
    return services.complete_step(run.pk, staff_for(provider, run.role), outcome, at=moment, **extra)
