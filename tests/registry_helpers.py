"""Shared set-up for register tests: a provider with its signing key, and applications driven to an end.

The certification centre is the run's (conftest) and the providers' key files are made once per
run (RSA key generation is the slow part); each test installs the key file in its own database.
"""

import datetime as dt

import pytest

from qyzmet.calendar.workcal import ALMATY
from qyzmet.engine import services
from qyzmet.providers.models import Provider
from qyzmet.registry import keys
from qyzmet.regulations.loader import catalogue

from . import cast
from .engine_helpers import complete_as_staff

LICENCE = "almaty-2015-2-279/medical-licence"
CERTIFICATE = "mhsd-2015-401/specialist-certificate"
PROVIDER_CODE = "reg-test-health"
HOLDER = "870412300129"
OTHER_HOLDER = "900101300156"
# A resident legal entity's BIN whose digits do not also read as an IIN (its 7th digit is 0).
ENTITY = "150340000003"


def holder_for(reg_id: str) -> str:
    """The applicant of a test application: HOLDER (a person), or ENTITY where the regulation
    admits legal entities only (e.g. the narcotics licence, seed 004 lines 2620-2621)."""
    return ENTITY if catalogue()[reg_id].admitted_applicants() == ["legal_entity"] else HOLDER


@pytest.fixture(scope="session")
def centre(centre):
    """The run's test certification centre, which is the platform's ($QYZMET_PKI_DIR; conftest)."""
    return centre


MINISTRY_CODE = "reg-test-ministry"


@pytest.fixture(scope="module")
def key_files(centre):
    """Signing key files of the two test providers, as `keys.issue_key` would have them issued."""
    files = {}
    for code in (PROVIDER_CODE, MINISTRY_CODE):
        bin_, official = keys._demo_numbers(code)
        files[code] = cast.key_file(
            centre, official, bin=bin_, name="SIGNING OFFICIAL", password=keys.key_password(code)
        ).p12
    return files


def make_provider(reg_id: str, code: str = PROVIDER_CODE, key_files=None) -> Provider:
    provider = cast.provider_for(reg_id, code)
    if key_files:
        keys.install_key(provider, key_files[code])
    return provider


@pytest.fixture
def provider(db, key_files):
    """Almaty's licensing provider (medical licences) with its signing key installed."""
    return make_provider(LICENCE, PROVIDER_CODE, key_files)


@pytest.fixture
def ministry(db, key_files):
    """The ministry's provider of certificates and permits, with its signing key installed."""
    return make_provider(CERTIFICATE, MINISTRY_CODE, key_files)


def filing_moment(reg_id: str, days: int = 10) -> dt.datetime:
    day = catalogue()[reg_id].in_force.from_ + dt.timedelta(days=days)
    return dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=ALMATY)


def drive(
    provider, reg_id, end_id, *, variant="issue", applicant=None, name="ТОО «Шипагер»", days=10, data=None
):
    """File an application and have the provider's staff complete every step on the way to `end_id`
    (by `applicant`, by default `holder_for` the regulation)."""
    reg = catalogue()[reg_id]
    applicant = applicant or holder_for(reg_id)
    app = services.file_application(
        service=reg.service,
        provider=provider,
        variant=variant,
        channel="provider_office",
        applicant=applicant,
        applicant_name=name,
        filed_at=filing_moment(reg_id, days),
        data=data,
    )
    proc = reg.procedure(app.procedure)
    choices = proc.path_to(end_id)
    run = app.steps.get()
    for _ in range(len(proc.steps) + 1):
        outcome = choices.get(run.step_id)
        moment = run.started_at + dt.timedelta(minutes=1)
        run = complete_as_staff(reg, provider, run, outcome, moment, note="Нет справки / Анықтама жоқ")
        if run is None:
            break
    app.refresh_from_db()
    return app
