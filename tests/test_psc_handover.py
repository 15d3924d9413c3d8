"""The result at the centre: handed over to the applicant and recorded, or kept and then returned.

Uncollected results stay on the centre's storage list for the storage period (the seeds are
silent: `QYZMET_PSC_STORAGE_DAYS`, 30 calendar days by default) and then go back to the provider.
"""

import datetime as dt

import pytest

from qyzmet.audit.models import AuditEntry
from qyzmet.gateway.testing import ordinary_bin
from qyzmet.psc import services
from qyzmet.psc.models import Acceptance, Transfer
from qyzmet.regulations.models import Regulation

from .psc_helpers import centre_pki, drive, make_centre, platform, provider_for, working_moment  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("platform")]

NARCOTICS = "almaty-2015-2-279/narcotics-licence"


@pytest.fixture
def at_centre():
    """An acceptance whose licence was issued and has reached the centre."""
    centre, operator = make_centre()
    acceptance = services.accept(
        centre=centre,
        operator=operator,
        regulation=Regulation.objects.get(pk=NARCOTICS),
        provider=provider_for(NARCOTICS),
        variant="issue",
        applicant=ordinary_bin(seed=21),
        documents=["standard", "inventory"],
        consent=True,
        at=working_moment(NARCOTICS),
    )
    app = drive(acceptance.application)
    back = services.send_result(acceptance, "provider", at=app.closed_at)
    services.receive(back, operator, at=app.closed_at + dt.timedelta(hours=1))
    acceptance.refresh_from_db()
    return acceptance, operator


def test_the_handover_is_recorded_with_who_collected(at_centre):
    acceptance, operator = at_centre
    moment = acceptance.result_at_centre_at + dt.timedelta(days=2)
    services.hand_over(acceptance, operator, handed_to="Ахметов Ержан (by power of attorney)", at=moment)
    acceptance.refresh_from_db()
    assert acceptance.state == Acceptance.State.HANDED_OVER
    assert acceptance.handed_over_at == moment and acceptance.handed_over_by == operator
    assert AuditEntry.objects.filter(action="psc_result_handed_over", subject_id=str(acceptance.pk)).exists()
    with pytest.raises(services.PscError):
        services.hand_over(acceptance, operator, at=moment)  # handed over once
    assert not services.kept_results(acceptance.centre).exists()


def test_an_uncollected_result_is_kept_for_the_storage_period_then_returned(at_centre, settings):
    settings.QYZMET_PSC_STORAGE_DAYS = 30
    acceptance, operator = at_centre
    assert list(services.kept_results(acceptance.centre)) == [acceptance]
    assert acceptance.keep_until == acceptance.result_at_centre_at + dt.timedelta(days=30)
    with pytest.raises(services.PscError, match="kept until"):
        services.return_uncollected(acceptance, operator, at=acceptance.keep_until - dt.timedelta(minutes=1))
    transfer = services.return_uncollected(acceptance, operator, at=acceptance.keep_until)
    acceptance.refresh_from_db()
    assert transfer.direction == Transfer.Direction.UNCOLLECTED
    assert acceptance.state == Acceptance.State.RETURNED
    assert not services.kept_results(acceptance.centre).exists()
    with pytest.raises(services.PscError):
        services.hand_over(acceptance, operator)
