"""GET /api/v1/portal/services and /services/{service}/providers: what is in force today, and where.

Public (no sign-in), like the catalogue pages; "today" is the platform clock's.
"""

import pytest

from qyzmet.regulations.loader import catalogue

from .portal_api_helpers import IN_FORCE_2015, MEDICAL, get, provider_of

pytestmark = pytest.mark.django_db


def test_services_in_force_today_with_terms_fees_channels_and_providers(client, monkeypatch):
    monkeypatch.setenv("QYZMET_TODAY", IN_FORCE_2015)
    provider_of(MEDICAL)
    services = get(client, "/services").json()
    in_force = {r.id for r in catalogue().values() if r.in_force.from_.isoformat() <= IN_FORCE_2015}
    in_force -= {
        r.id
        for r in catalogue().values()
        if r.in_force.until and r.in_force.until.isoformat() <= IN_FORCE_2015
    }
    assert {s["regulation"] for s in services} == in_force
    medical = next(s for s in services if s["regulation"] == MEDICAL)
    assert medical["providers"] == ["aed"] and medical["portal_channel"] == "egov_portal"
    issue = next(v for v in medical["variants"] if v["code"] == "issue")
    assert issue["fee"]["tenge"] == 10 * 1982 and issue["fee"]["sources"]
    assert "egov_portal" in [c["code"] for c in medical["channels"]]


def test_providers_of_a_service(client, monkeypatch):
    monkeypatch.setenv("QYZMET_TODAY", IN_FORCE_2015)
    provider_of(MEDICAL)
    service = catalogue()[MEDICAL].service
    providers = get(client, f"/services/{service}/providers").json()
    assert providers == [{"code": "aed", "name": providers[0]["name"], "region": "", "regulation": MEDICAL}]
    monkeypatch.setenv("QYZMET_TODAY", "2030-01-01")
    assert get(client, f"/services/{service}/providers").json() == []


def test_every_portal_endpoint_is_documented(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    portal = {p for p in paths if p.startswith("/api/v1/portal/")}
    assert portal == {
        "/api/v1/portal/services",
        "/api/v1/portal/services/{service}/providers",
        "/api/v1/portal/me/prefill",
        "/api/v1/portal/me/applications",
        "/api/v1/portal/me/applications/{number}",
        "/api/v1/portal/me/applications/{number}/answer",
        "/api/v1/portal/me/lookups",
        "/api/v1/portal/payments",
        "/api/v1/portal/payments/{payment_id}",
        "/api/v1/portal/submissions",
    }
    submit = paths["/api/v1/portal/submissions"]["post"]
    assert {"201", "202", "403", "404", "422"} <= set(submit["responses"])
