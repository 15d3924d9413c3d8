"""A step the regulation ties to one channel runs in that channel only.

Almaty's passenger transport licence (seed 004): the Passenger Transport Department's conclusion
is condition 4 of the portal route alone (clause 4 item 14, lines 7244-7250); the Centre's route
(clause 5, lines 7257-7283) and the provider's own procedure (clause 8, lines 7339-7352) have no
such step. An application received at the office or a PSC goes from the documents' check straight
to the head's signature and waits for no body; one filed through the portal asks the department.
"""

import pytest

from qyzmet.engine import paths, services
from qyzmet.engine.models import ConclusionRequest
from qyzmet.gateway.testing import ordinary_iin
from qyzmet.regulations.loader import catalogue

from .engine_helpers import complete_as_staff, filing_moment, provider_for

PASSENGER = "almaty-2015-2-279/passenger-bus-transport-licence"

pytestmark = pytest.mark.django_db


def _filed(provider, channel: str):
    reg = catalogue()[PASSENGER]
    app = services.file_application(
        service=reg.service,
        provider=provider,
        variant="issue",
        channel=channel,
        applicant=ordinary_iin(seed=7),  # the regulation admits individuals and legal entities
        filed_at=filing_moment(reg),
    )
    return reg, app


def _drive(reg, provider, app) -> list[str]:
    """Complete every step on the way to the licence; the ids of the steps that ran."""
    run, ran = app.steps.get(), []
    while run is not None:
        ran.append(run.step_id)
        outcome = "approve" if run.step_id == "S2" else None
        if run.step_id == "S3":
            outcome = "positive"
        run = complete_as_staff(reg, provider, run, outcome, run.started_at.replace(minute=30))
    return ran


def test_engine_skips_portal_only_step_in_office_channel():
    reg = catalogue()[PASSENGER]
    conclusion = reg.step("examination", "S3")
    assert conclusion.applies_to.channels == ["egov_portal"]
    assert conclusion.applies_to.source.lines == (7244, 7250)
    provider = provider_for(reg)

    for channel in ("provider_office", "psc"):
        reg, app = _filed(provider, channel)
        assert _drive(reg, provider, app) == ["S1", "S2", "S4"], channel
        app.refresh_from_db()
        assert app.status == "issued" and not ConclusionRequest.objects.filter(application=app).exists()
        planned = paths.plan(reg, "issue", app.filed_at, provider.calendar(), channel=channel)
        assert "S3" not in [p.step.id for p in planned if p.flow == "examination"], channel

    reg, app = _filed(provider, "egov_portal")
    assert _drive(reg, provider, app) == ["S1", "S2", "S3", "S4"]
    asked = ConclusionRequest.objects.filter(application=app).values_list("body", flat=True)
    assert list(asked) == ["almaty-passenger-transport-department"]
    planned = paths.plan(reg, "issue", app.filed_at, provider.calendar(), channel="egov_portal")
    assert "S3" in [p.step.id for p in planned if p.flow == "examination"]
    # the procedure planned on its own for an office application passes over the step too
    alone = paths.plan(reg, "issue", app.filed_at, provider.calendar(), via="provider_office")
    assert [p.step.id for p in alone] == ["S1", "S2", "S4"]
