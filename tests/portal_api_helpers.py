"""Shared set-up for the applicant API tests: a test certification centre, the gateway's
simulators in-process with fast timeouts, the demo clock on a day a regulation was in force,
and applicants who sign in with a token as their IIN.

The catalogue is in the test database already (conftest); each test adds only its provider.
"""

import contextlib

import pytest

from qyzmet.gateway.testing import FAST_POLICY, fresh_gateway, ordinary_iin
from qyzmet.pki.signing import sign
from qyzmet.providers.models import Provider

from . import cast
from .api_helpers import bearer

# egov_portal: log-in, licence fee, EDS, then the provider's examination (internal procedure)
MEDICAL = "almaty-2015-2-279/medical-licence"
IN_FORCE_2015 = "2015-10-14"
# elicense_portal with the applicant's record in the state database among its checks
STEM_CELLS = "mhsd-2015-401/stem-cells-import-export-conclusion"
IN_FORCE_2018 = "2018-03-14"

BASE = "/api/v1/portal"


@contextlib.contextmanager
def portal_platform(centre, monkeypatch, settings, today: str = IN_FORCE_2015):
    monkeypatch.setenv("QYZMET_PKI_DIR", str(centre.directory))
    monkeypatch.setenv("QYZMET_TODAY", today)
    settings.QYZMET_GATEWAY_URL = None
    settings.QYZMET_GATEWAY_POLICY = FAST_POLICY
    with fresh_gateway():
        yield


def provider_of(reg_id: str, code: str = "aed") -> Provider:
    return cast.provider_for(reg_id, code, existing=True)


def applicant(iin: str | None = None, seed: int = 1) -> tuple[object, dict]:
    """A user signed in as `iin` (an ordinary one by default) and the headers of their token."""
    user = cast.person(iin or ordinary_iin(seed=seed))
    return user, bearer(user)


def signed(centre, iin: str, request: dict) -> dict:
    """`request` signed with the signing key of `iin` (one key file per IIN per centre)."""
    key = cast.key_file(centre, iin)
    return sign(request, key.private_key, key.certificate)


def post(client, path: str, headers: dict, payload: dict):
    return client.post(BASE + path, payload, content_type="application/json", headers=headers)


def get(client, path: str, headers: dict | None = None, **params):
    return client.get(BASE + path, params, headers=headers or {})


def paid(client, headers: dict, provider: str, service: str, variant: str = "issue") -> str:
    answer = post(
        client, "/payments", headers, {"provider": provider, "service": service, "variant": variant}
    )
    assert answer.status_code == 201, answer.json()
    return answer.json()["payment_id"]


@pytest.fixture(autouse=True)
def platform(centre, monkeypatch, settings):
    """The platform of the applicant API tests: the module's CA, simulators, the 2015 demo day."""
    with portal_platform(centre, monkeypatch, settings):
        yield
