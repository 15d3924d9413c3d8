"""The OpenAPI document and the docs page: the committed copy is what the app serves, and the
docs page loads nothing from outside the app."""

import json
import re
from pathlib import Path

import pytest

COMMITTED = Path(__file__).resolve().parent.parent / "docs" / "openapi.json"


def test_committed_openapi_is_what_the_app_serves(client):
    served = client.get("/api/v1/openapi.json")
    assert served.status_code == 200
    assert served.json() == json.loads(COMMITTED.read_text(encoding="utf-8")), (
        "docs/openapi.json is stale: run `.venv/bin/python -m qyzmet api schema --output docs/openapi.json`"
    )


def test_every_endpoint_is_documented_with_its_errors(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    # the applicant API's paths are checked in test_api_portal_services.py
    assert {p for p in paths if not p.startswith("/api/v1/portal/")} == {
        "/api/v1/inbox",
        "/api/v1/applications/{number}",
        "/api/v1/applications/{number}/steps/{run_id}/complete",
        "/api/v1/applications/{number}/steps/{run_id}/assign",
        "/api/v1/applications/{number}/conclusions/{conclusion_id}",
        "/api/v1/applications/{number}/pause",
        "/api/v1/applications/{number}/resume",
        "/api/v1/providers/{code}/dashboard",
    }
    complete = paths["/api/v1/applications/{number}/steps/{run_id}/complete"]["post"]
    assert {"200", "403", "404", "409", "422"} <= set(complete["responses"])
    assert complete["operationId"] == "complete_step"


@pytest.mark.django_db
def test_docs_page_uses_no_cdn(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.content.decode())
    assert sources and all(s.startswith("/api/v1/docs/assets/") for s in sources), sources
    for src in sources:
        asset = client.get(src)
        assert asset.status_code == 200
        asset.close()
    assert client.get("/api/v1/docs/assets/..%2Fmain.py").status_code == 404
