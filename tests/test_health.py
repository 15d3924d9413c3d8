"""`/health/`: the probe a load balancer reads (qyzmet/edge/health.py, django-health-check)."""

from __future__ import annotations

import socket

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    """A loopback port nobody listens on (bound and released: connecting is refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@override_settings(QYZMET_GATEWAY_URL=None, CELERY_BROKER_URL="memory://")
def test_health_answers_200_when_the_database_answers(client):
    response = client.get("/health/?format=json")
    assert response.status_code == 200
    assert response.json() == {"Database(alias='default')": "OK"}


@override_settings(QYZMET_GATEWAY_URL=None, CELERY_BROKER_URL="memory://")
def test_health_page_is_html_for_a_browser(client):
    response = client.get("/health/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert b"Database" in response.content


@override_settings(QYZMET_GATEWAY_URL=None, CELERY_BROKER_URL="memory://")
def test_health_refuses_a_malformed_accept_header_with_400(client):
    response = client.get("/health/", HTTP_ACCEPT="garbage")
    assert response.status_code == 400
    assert b"Accept" in response.content


def test_health_fails_with_503_when_the_gateway_is_down(client):
    with override_settings(
        QYZMET_GATEWAY_URL=f"http://127.0.0.1:{closed_port()}", CELERY_BROKER_URL="memory://"
    ):
        response = client.get("/health/?format=json")
    assert response.status_code == 503
    body = response.json()
    assert body["Database(alias='default')"] == "OK"
    assert body["Gateway"].startswith("Unavailable: gateway unreachable")


def test_health_passes_when_the_gateway_service_answers(client):
    from qyzmet.gateway.server import start_in_thread

    server, url = start_in_thread(port=0)
    try:
        with override_settings(QYZMET_GATEWAY_URL=url, CELERY_BROKER_URL="memory://"):
            response = client.get("/health/?format=json")
    finally:
        server.shutdown()
    assert response.status_code == 200, response.content
    assert response.json()["Gateway"] == "OK"


def test_health_fails_with_503_when_the_broker_is_down(client):
    with override_settings(
        QYZMET_GATEWAY_URL=None, CELERY_BROKER_URL=f"amqp://guest@127.0.0.1:{closed_port()}//"
    ):
        response = client.get("/health/?format=json")
    assert response.status_code == 503
    assert response.json()["Broker"].startswith("Unavailable: broker unreachable")


RABBITMQ = "amqp://guest@127.0.0.1//"


def rabbitmq_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5672), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not rabbitmq_reachable(), reason="RabbitMQ is not listening on 127.0.0.1:5672")
def test_health_passes_when_rabbitmq_answers(client):
    with override_settings(QYZMET_GATEWAY_URL=None, CELERY_BROKER_URL=RABBITMQ):
        response = client.get("/health/?format=json")
    assert response.status_code == 200, response.content
    assert response.json()["Broker"] == "OK"
