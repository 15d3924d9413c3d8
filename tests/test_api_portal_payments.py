"""POST /api/v1/portal/payments and GET /payments/{id}: the fee of the variant, idempotently.

The amount comes from the regulation in force, never from the client; the same reference gives
the same payment; another payer's payment does not exist for me.
"""

import pytest

from qyzmet.regulations.loader import catalogue

from .portal_api_helpers import MEDICAL, applicant, get, portal_platform, post, provider_of

pytestmark = pytest.mark.django_db
SERVICE = catalogue()[MEDICAL].service


@pytest.fixture(autouse=True)
def platform(centre, monkeypatch, settings):
    provider_of(MEDICAL)
    with portal_platform(centre, monkeypatch, settings):
        yield


def test_the_fee_is_asked_once_per_reference(client):
    user, headers = applicant()
    payload = {"provider": "aed", "service": SERVICE, "variant": "issue", "client_reference": "form-1"}
    first = post(client, "/payments", headers, payload)
    assert first.status_code == 201, first.json()
    assert first.json()["amount"] == "19820.00" and first.json()["payer"] == user.username
    assert first.json()["client_reference"] == "form-1"
    again = post(client, "/payments", headers, payload).json()
    assert again["payment_id"] == first.json()["payment_id"]
    other = post(client, "/payments", headers, {**payload, "client_reference": "form-2"}).json()
    assert other["payment_id"] != again["payment_id"]


def test_my_payment_and_not_anothers(client):
    _, headers = applicant(seed=1)
    payment = post(
        client, "/payments", headers, {"provider": "aed", "service": SERVICE, "variant": "issue"}
    ).json()
    mine = get(client, f"/payments/{payment['payment_id']}", headers)
    assert mine.status_code == 200 and mine.json()["status"] == "paid"
    _, stranger = applicant(seed=2)
    assert get(client, f"/payments/{payment['payment_id']}", stranger).status_code == 404
    assert get(client, "/payments/PNOSUCH", headers).status_code == 404


def test_unknown_variant_and_provider(client):
    _, headers = applicant()
    base = {"provider": "aed", "service": SERVICE, "variant": "issue"}
    assert post(client, "/payments", headers, {**base, "variant": "nope"}).status_code == 404
    assert post(client, "/payments", headers, {**base, "provider": "nope"}).status_code == 404
