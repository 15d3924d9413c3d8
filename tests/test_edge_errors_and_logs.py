"""Server errors leave a trace and show nothing: DEBUG is off by default, every error is logged.

With DEBUG at its default the traceback, settings and environment were shown, and with DEBUG off
none of ~93 server errors was logged (issue 11, hole 4). Now DEBUG is on only by the developer
switch QYZMET_DEBUG=1; a server error is logged as one JSON line with its traceback and the
request id, which the response carries in X-Request-ID and the error page shows.
"""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
import structlog
from django.conf import settings as django_settings
from django.test import Client

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.django_db


def _debug_with(env: dict) -> str:
    environment = {k: v for k, v in os.environ.items() if k != "QYZMET_DEBUG"} | env
    out = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.DEBUG)"],
        env=environment | {"DJANGO_SETTINGS_MODULE": "qyzmet.settings", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return out.stdout.strip()


def test_debug_is_off_unless_the_developer_switch_turns_it_on():
    assert _debug_with({}) == "False"
    assert _debug_with({"QYZMET_DEBUG": "1"}) == "True"


@pytest.fixture
def log_lines():
    """What the project's log handler writes, as parsed JSON lines."""
    stream = io.StringIO()
    root = logging.getLogger()
    handler = logging.StreamHandler(stream)
    # the formatter the project configured (settings.LOGGING), on a handler of our own
    handler.setFormatter(
        next(
            h.formatter for h in root.handlers if isinstance(h.formatter, structlog.stdlib.ProcessorFormatter)
        )
    )
    root.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines() if line.startswith("{")]
    root.removeHandler(handler)


@pytest.fixture
def failing_site(settings):
    settings.ROOT_URLCONF = "tests.edge_boom_urls"


def test_a_server_error_is_logged_with_its_request_id_and_the_page_shows_only_the_id(failing_site, log_lines):
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")
    response = client.get("/boom/")
    assert response.status_code == 500
    request_id = response["X-Request-ID"]
    page = response.content.decode()
    assert request_id in page and "Something went wrong on our side" in page
    assert "the database said no" not in page and "Traceback" not in page
    failed = [line for line in log_lines() if line.get("event") == "request_failed"]
    assert len(failed) == 1
    assert failed[0]["request_id"] == request_id and failed[0]["level"] == "error"
    assert "RuntimeError: the database said no" in failed[0]["exception"]
    assert failed[0]["request"] == "GET /boom/"


def test_an_api_server_error_is_json_with_the_request_id(failing_site):
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="ru")
    response = client.get("/api/boom/")
    assert response.status_code == 500
    body = response.json()
    assert body["request_id"] == response["X-Request-ID"]
    assert "Запрос не удалось выполнить" in body["detail"]


def test_a_database_that_cannot_be_reached_gets_503_with_retry_after_not_500(failing_site):
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="ru")
    page = client.get("/database-gone/")
    assert page.status_code == 503 and page["Retry-After"] == "5"
    assert "Сервис ненадолго недоступен" in page.content.decode()
    assert "administrator command" not in page.content.decode()
    api = client.get("/api/database-gone/")
    assert api.status_code == 503 and api["Retry-After"] == "5"
    assert api.json()["retry_after"] == 5 and api.json()["request_id"] == api["X-Request-ID"]


def test_every_response_carries_a_request_id(client):
    first, second = client.get("/register/"), client.get("/register/")
    assert first["X-Request-ID"] and first["X-Request-ID"] != second["X-Request-ID"]


def test_the_secret_key_is_not_a_well_known_one():
    assert "dev-only" not in django_settings.SECRET_KEY and len(django_settings.SECRET_KEY) >= 50
