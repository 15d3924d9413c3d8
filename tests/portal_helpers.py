"""Shared set-up for the portal tests: the demo day, a provider, applicants with key files.

The certification centre and the key files are made once per test module (RSA key generation is
the slow part). The clock stands on 2015-10-14, when the Almaty medical-licence regulation was in
force; its portal channel checks the log-in, the licence fee and the EDS.
"""

import pytest
from django.contrib.auth import get_user_model

from qyzmet.gateway import faults
from qyzmet.gateway.testing import FAST_POLICY, fresh_gateway, ordinary_iin
from qyzmet.notifications.sms import MemorySmsClient
from qyzmet.office.testing import load_regulations
from qyzmet.pki.ca import AUTH, SIGN, CertificationCentre
from qyzmet.providers.models import Provider
from qyzmet.regulations.loader import catalogue

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


@pytest.fixture(scope="module")
def centre(tmp_path_factory):
    directory = tmp_path_factory.mktemp("pki")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("QYZMET_PKI_DIR", str(directory))
        yield CertificationCentre(directory).ensure()


@pytest.fixture(scope="module")
def keys(centre):
    """Key files by (IIN, purpose): the applicant's and another person's."""
    return {
        (iin, purpose): centre.issue(iin=iin, purpose=purpose, password=KEY_PASSWORD, name="ТЕСТОВ ТЕСТ")
        for iin in (APPLICANT, OTHER)
        for purpose in (AUTH, SIGN)
    }


@pytest.fixture(autouse=True)
def platform(centre, monkeypatch, settings):
    monkeypatch.setenv("QYZMET_PKI_DIR", str(centre.directory))
    monkeypatch.setenv("QYZMET_TODAY", DEMO_DAY)
    settings.QYZMET_GATEWAY_URL = None
    settings.QYZMET_GATEWAY_POLICY = FAST_POLICY
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.QYZMET_SMS_BACKEND = "qyzmet.notifications.sms.MemorySmsClient"
    MemorySmsClient.outbox.clear()
    with fresh_gateway():
        yield


@pytest.fixture
def provider(db):
    # A transactional test before this one (a browser test) may have flushed the catalogue.
    load_regulations(LICENCE)
    reg = catalogue()[LICENCE]
    return Provider.objects.create(
        code="aed-test", acts_as=reg.provider.code, name=reg.provider.name.model_dump()
    )


def applicant(username=APPLICANT, password=PASSWORD):
    return get_user_model().objects.create_user(username=username, password=password, email="")


@pytest.fixture
def person(db):
    return applicant()


@pytest.fixture
def signed_in(client, person):
    client.force_login(person)
    return client
