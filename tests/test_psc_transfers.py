"""Transfers between a centre and the provider, due by the channel's norms on the provider's calendar.

Documents go to the provider within the channel's courier norm (3 working hours for the foreign
specialists' certificate, P4); the result comes back within the norm of the collection step
(P6, 3 hours from the decision), or, where the channel gives none, a day before the term ends
(Law on state services Art. 5 p.2). Each transfer is judged kept or late when it arrives.
"""

import datetime as dt

import pytest

from qyzmet.gateway.testing import ordinary_bin, ordinary_iin
from qyzmet.psc import services
from qyzmet.psc.models import Acceptance, Transfer
from qyzmet.regulations.loader import catalogue
from qyzmet.regulations.models import Regulation

from .psc_helpers import centre_pki, drive, make_centre, platform, provider_for, working_moment  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("platform")]

NARCOTICS = "almaty-2015-2-279/narcotics-licence"
SPECIALISTS = "mhsd-2015-401/foreign-specialists-admission"


def _accept(reg_id, applicant, at):
    centre, operator = make_centre()
    provider = provider_for(reg_id)
    acceptance = services.accept(
        centre=centre,
        operator=operator,
        regulation=Regulation.objects.get(pk=reg_id),
        provider=provider,
        variant=catalogue()[reg_id].variants[0].code,
        applicant=applicant,
        documents=["standard", "inventory"],
        consent=True,
        at=at,
    )
    return acceptance, provider


def _step(reg_id, step_id):
    return catalogue()[reg_id].channel("psc").step(step_id)


def test_documents_are_due_at_the_provider_by_the_courier_norm_and_judged_on_arrival():
    at = working_moment(SPECIALISTS)
    acceptance, provider = _accept(SPECIALISTS, ordinary_iin(seed=11), at)
    transfer = acceptance.transfers.get(direction=Transfer.Direction.DOCUMENTS)
    assert transfer.sent_at == at
    assert transfer.due_at == provider.calendar().due(at, _step(SPECIALISTS, "P4").norm)
    assert at + dt.timedelta(hours=3) <= transfer.due_at <= at + dt.timedelta(hours=5)  # lunch counts not
    services.receive(transfer, "courier", at=transfer.due_at + dt.timedelta(minutes=1))
    transfer.refresh_from_db()
    assert transfer.kept is False and transfer.received_by == "courier"
    with pytest.raises(services.PscError):
        services.receive(transfer, "courier")  # an arrival is recorded once


def test_the_result_comes_back_within_the_collection_norm_and_is_kept_when_on_time():
    at = working_moment(SPECIALISTS)
    acceptance, provider = _accept(SPECIALISTS, ordinary_iin(seed=12), at)
    transfer = acceptance.transfers.get()
    services.receive(transfer, "courier", at=transfer.due_at - dt.timedelta(minutes=30))
    transfer.refresh_from_db()
    assert transfer.kept is True
    acceptance.refresh_from_db()
    app = drive(acceptance.application)
    assert app.status == "issued"
    back = services.send_result(acceptance, "provider clerk", at=app.closed_at)
    assert back.basis == "psc P6"
    assert back.due_at == provider.calendar().due(app.closed_at, _step(SPECIALISTS, "P6").norm)
    services.receive(back, "operator", at=back.due_at)
    back.refresh_from_db()
    acceptance.refresh_from_db()
    assert back.kept is True and acceptance.state == Acceptance.State.RESULT_AT_CENTRE


def test_without_a_courier_norm_the_result_is_due_a_day_before_the_term_ends():
    at = working_moment(NARCOTICS)
    acceptance, _ = _accept(NARCOTICS, ordinary_bin(seed=13), at)
    assert not acceptance.transfers.exists()  # sent electronically: nothing to carry
    app = drive(acceptance.application)
    back = services.send_result(acceptance, "provider", at=app.closed_at)
    assert back.basis == services.RESULT_DELIVERY_LAW
    assert back.due_at == app.due_at - dt.timedelta(days=1)
    services.receive(back, "operator", at=app.due_at)
    back.refresh_from_db()
    assert back.kept is False


def test_a_result_is_sent_only_once_the_application_is_decided():
    acceptance, _ = _accept(NARCOTICS, ordinary_bin(seed=14), working_moment(NARCOTICS))
    with pytest.raises(services.PscError, match=acceptance.application.number):
        services.send_result(acceptance, "provider")
