"""Shared set-up for the service-centre and office-channel tests.

`platform` isolates the gateway and points at the run's certification centre (conftest);
`make_centre` gives a centre with an operator; `drive` has the provider's staff complete every
open step of an application on the way that keeps it going (documents complete, approve, a
positive conclusion, its own variant), as tests/test_engine_procedures.py does step by step.
"""

import datetime as dt

import pytest
from django.utils import translation

from qyzmet.calendar.workcal import ALMATY
from qyzmet.engine import paths
from qyzmet.gateway.testing import FAST_POLICY, fresh_gateway
from qyzmet.providers.models import Provider
from qyzmet.regulations.loader import catalogue

from . import cast
from .engine_helpers import complete_as_staff


@pytest.fixture(scope="session")
def centre_pki(centre):
    """The run's test certification centre (conftest), under this module's old name."""
    return centre


@pytest.fixture
def platform(centre_pki, monkeypatch, settings):
    monkeypatch.setenv("QYZMET_PKI_DIR", str(centre_pki.directory))
    settings.QYZMET_GATEWAY_URL = None
    settings.QYZMET_GATEWAY_POLICY = FAST_POLICY
    # Messages are asserted in English; the suite's default language is Kazakh.
    with fresh_gateway(), translation.override("en"):
        yield


def make_centre(code: str = "psc-test-1"):
    return cast.service_centre(code)


def provider_for(reg_id: str, code: str | None = None) -> Provider:
    return cast.provider_for(reg_id, code)


def working_moment(reg_id: str, days: int = 10, hour: int = 10) -> dt.datetime:
    """A working morning some days after the regulation came into force (Monday to Friday)."""
    day = catalogue()[reg_id].in_force.from_ + dt.timedelta(days=days)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=ALMATY)


def drive(app, branch: str = "approve"):
    """Complete the application's open steps until it closes; return it refreshed."""
    reg = app.regulation.parsed
    refused = False
    for _ in range(60):
        run = app.steps.filter(completed_at__isnull=True).first()
        if run is None:
            break
        step = reg.step(run.flow, run.step_id)
        outcome = None
        if step.branches:
            outcome = paths.choose(step, app.variant, branch=branch, refused_yet=refused)
            refused = refused or outcome in paths.REFUSING
        complete_as_staff(reg, app.provider, run, outcome, run.started_at + dt.timedelta(minutes=1))
    app.refresh_from_db()
    return app
