"""Shared set-up for the portal tests: the demo day, a provider, applicants with key files.

The certification centre is the run's (conftest) and the key files are issued once per run (RSA
key generation is the slow part). The clock stands on 2015-10-14, when the Almaty medical-licence
regulation was in force; its portal channel checks the log-in, the licence fee and the EDS.
"""

import pytest

from qyzmet.gateway import faults
from qyzmet.gateway.testing import FAST_POLICY, fresh_gateway, ordinary_iin
from qyzmet.notifications.sms import MemorySmsClient
from qyzmet.pki.ca import AUTH, SIGN

from . import cast

LICENCE = "almaty-2015-2-279/medical-licence"
NOT_IN_FORCE = "mhsd-2015-401/specialist-certificate"
DEMO_DAY = "2015-10-14"
PASSWORD = "portal-test-password"  # noqa: S105 (test logins only)
KEY_PASSWORD = "key-pw"  # noqa: S105
APPLICANT = ordinary_iin(seed=101)
OTHER = ordinary_iin(seed=102)
NOT_FOUND = faults.magic_iin("not_found")
TIMEOUT = faults.magic_iin("timeout")
PDF = b"%PDF-1.4\n% test document\n"


@pytest.fixture(scope="session")
def centre(centre):
    """The run's test certification centre (conftest), kept under this module's old name."""
    return centre


@pytest.fixture(scope="module")
def keys(centre):
    """Key files by (IIN, purpose): the applicant's and another person's (issued once per run)."""
    return {
        (iin, purpose): cast.key_file(centre, iin, purpose, password=KEY_PASSWORD)
        for iin in (APPLICANT, OTHER)
        for purpose in (AUTH, SIGN)
    }


@pytest.fixture(autouse=True)
def platform(centre, monkeypatch, settings):
    monkeypatch.setenv("QYZMET_PKI_DIR", str(centre.directory))
    monkeypatch.setenv("QYZMET_TODAY", DEMO_DAY)
    settings.QYZMET_GATEWAY_URL = None
    settings.QYZMET_GATEWAY_POLICY = FAST_POLICY
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.QYZMET_SMS_BACKEND = "qyzmet.notifications.sms.MemorySmsClient"
    MemorySmsClient.outbox.clear()
    with fresh_gateway():
        yield


@pytest.fixture
def provider(db):
    return cast.provider_for(LICENCE, "aed-test")


def applicant(username=APPLICANT, password=PASSWORD):
    return cast.person(username, password)


@pytest.fixture
def person(db):
    return applicant()


@pytest.fixture
def signed_in(client, person):
    client.force_login(person)
    return client
