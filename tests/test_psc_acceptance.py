"""Acceptance at a service centre: consent, identification, the required list, the channel's checks.

The operator needs the applicant's written consent; the applicant is identified in the state
database (the lookup is kept with the operator's name); an incomplete set is refused (Law on
state services Art. 20, or the channel's own message where the channel checks completeness); a
complete set goes through the regulation's psc channel and is filed with the provider, at once
when the operator sends it electronically, when the courier delivers it otherwise.
"""

import pytest

from qyzmet.engine.models import Application
from qyzmet.gateway import faults
from qyzmet.gateway.models import DataLookup
from qyzmet.gateway.testing import ordinary_bin, ordinary_iin
from qyzmet.intake.paper import reception
from qyzmet.psc import services
from qyzmet.psc.models import Acceptance, Transfer
from qyzmet.regulations.loader import catalogue
from qyzmet.regulations.models import Regulation

from .psc_helpers import centre_pki, make_centre, platform, provider_for, working_moment  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("platform")]

NARCOTICS = "almaty-2015-2-279/narcotics-licence"  # the operator sends the request electronically
SPECIALISTS = "mhsd-2015-401/foreign-specialists-admission"  # documents go by courier in 3 hours
BOTH = ["standard", "inventory"]


def _accept(reg_id, centre, operator, provider, applicant, documents=BOTH, consent=True, **kwargs):
    return services.accept(
        centre=centre,
        operator=operator,
        regulation=Regulation.objects.get(pk=reg_id),
        provider=provider,
        variant=catalogue()[reg_id].variants[0].code,
        applicant=applicant,
        documents=documents,
        consent=consent,
        at=kwargs.pop("at", working_moment(reg_id)),
        **kwargs,
    )


def test_written_consent_is_required_and_nothing_is_accepted_without_it():
    centre, operator = make_centre()
    with pytest.raises(services.PscError, match="consent"):
        _accept(NARCOTICS, centre, operator, provider_for(NARCOTICS), ordinary_bin(seed=1), consent=False)
    assert not Acceptance.objects.exists() and not DataLookup.objects.exists()


def test_a_complete_set_is_filed_with_the_provider_through_the_channel():
    centre, operator = make_centre()
    provider = provider_for(NARCOTICS)
    applicant = ordinary_bin(seed=2)
    at = working_moment(NARCOTICS)
    acceptance = _accept(NARCOTICS, centre, operator, provider, applicant, at=at)
    assert acceptance.state == Acceptance.State.AT_PROVIDER
    assert acceptance.number.startswith("PSC-TEST-1-") and acceptance.consent_at == at
    assert acceptance.identified and acceptance.applicant_name  # prefilled from the state database
    app = acceptance.application
    assert app.channel == "psc" and app.provider == provider and app.registered_at == at
    assert app.data["psc"]["receipt"] == acceptance.number
    # the centre certified the request it sent with its EDS, naming the applicant it accepted
    from qyzmet.pki.verify import verify_signed_request

    signed = app.data["operator_signature"]
    assert signed["request"]["applicant"] == applicant and signed["request"]["receipt"] == acceptance.number
    assert verify_signed_request(signed).valid
    # the term counts from the day after acceptance: the day of acceptance is not counted
    reg = catalogue()[NARCOTICS]
    assert app.due_at == provider.calendar().due(at, reg.variant("issue").term)
    assert app.due_at.date() > at.date()
    lookups = DataLookup.objects.filter(subject=applicant)
    assert {lk.initiated_by for lk in lookups} == {operator.username}
    assert any("identification" in lk.purpose for lk in lookups)


def test_an_incomplete_set_is_refused_under_the_law_when_the_channel_does_not_check_it():
    centre, operator = make_centre()
    acceptance = _accept(
        NARCOTICS, centre, operator, provider_for(NARCOTICS), ordinary_bin(seed=3), documents=["standard"]
    )
    assert acceptance.state == Acceptance.State.REFUSED
    assert acceptance.message == reception.INCOMPLETE_BY_LAW[reception.PSC] and len(acceptance.missing) == 1
    assert not Application.objects.exists()


def test_an_incomplete_set_is_refused_with_the_channels_message_where_it_checks_completeness():
    centre, operator = make_centre()
    acceptance = _accept(
        SPECIALISTS,
        centre,
        operator,
        provider_for(SPECIALISTS),
        ordinary_iin(seed=4),
        documents=["inventory"],
    )
    refusal = next(s for s in catalogue()[SPECIALISTS].channel("psc").steps if s.id == "P3-refusal")
    assert acceptance.state == Acceptance.State.REFUSED
    assert acceptance.message == refusal.message.model_dump()
    assert not Application.objects.exists() and not Transfer.objects.exists()


def test_an_applicant_the_state_database_does_not_know_is_refused_with_the_regulations_message():
    centre, operator = make_centre()
    acceptance = _accept(NARCOTICS, centre, operator, provider_for(NARCOTICS), faults.magic_bin("not_found"))
    refusal = next(s for s in catalogue()[NARCOTICS].channel("psc").steps if s.id == "P4")
    assert not acceptance.identified
    assert acceptance.state == Acceptance.State.REFUSED and acceptance.message == refusal.message.model_dump()
    assert not Application.objects.exists()


def test_documents_going_by_courier_are_filed_when_they_reach_the_provider():
    centre, operator = make_centre()
    provider = provider_for(SPECIALISTS)
    at = working_moment(SPECIALISTS)
    acceptance = _accept(SPECIALISTS, centre, operator, provider, ordinary_iin(seed=5), at=at)
    assert acceptance.state == Acceptance.State.IN_TRANSIT and acceptance.application is None
    transfer = acceptance.transfers.get()
    assert transfer.basis == "psc P4"
    arrived = transfer.due_at
    services.receive(transfer, "provider clerk", at=arrived)
    acceptance.refresh_from_db()
    assert acceptance.state == Acceptance.State.AT_PROVIDER
    assert acceptance.application.registered_at == arrived  # registered where the documents arrive
