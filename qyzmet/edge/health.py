"""`/health/`: what a load balancer or an orchestrator probes (django-health-check).

The database always; the Celery broker when a real one is configured (`CELERY_BROKER_URL` other
than the embedded `memory://`); the gateway service when the app reaches it over HTTP
(`QYZMET_GATEWAY_URL`). A failing check answers 503, the status probes read as "take this
instance out of rotation, try again" (the library's own 500 would read as a bug in the app).
HTML by default, JSON with `?format=json` or `Accept: application/json`.
"""

from __future__ import annotations

import dataclasses
import datetime

import httpx
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from health_check.base import HealthCheck
from health_check.checks import Database
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView, MediaType
from kombu import Connection

from .responses import problem

PROBE_TIMEOUT = datetime.timedelta(seconds=3)


@dataclasses.dataclass
class Broker(HealthCheck):
    """The Celery broker, reached with kombu as the worker and the outbox reach it (any broker
    Celery speaks, RabbitMQ's AMQP here), so the check fails exactly when publishing would."""

    url: str = dataclasses.field(repr=False)
    timeout = PROBE_TIMEOUT

    def __repr__(self) -> str:
        return "Broker"

    def run(self) -> None:
        seconds = self.timeout.total_seconds()
        try:
            with Connection(self.url, connect_timeout=seconds) as conn:
                conn.ensure_connection(max_retries=1, timeout=seconds)
        except Exception as exc:  # kombu raises the transport's own errors; all mean "unreachable"
            raise ServiceUnavailable(f"broker unreachable ({type(exc).__name__})") from exc


@dataclasses.dataclass
class Gateway(HealthCheck):
    """The e-government gateway service (its `GET /health`)."""

    url: str = dataclasses.field(repr=False)
    timeout = PROBE_TIMEOUT

    def __repr__(self) -> str:
        return "Gateway"

    def run(self) -> None:
        try:
            answer = httpx.get(self.url.rstrip("/") + "/health", timeout=self.timeout.total_seconds())
        except httpx.HTTPError as exc:
            raise ServiceUnavailable(f"gateway unreachable ({type(exc).__name__})") from exc
        if answer.status_code != 200:
            raise ServiceUnavailable(f"gateway answered {answer.status_code}")


def checks() -> list[HealthCheck]:
    """The checks this configuration calls for, read from settings at each request."""
    found: list[HealthCheck] = [Database()]
    if settings.CELERY_BROKER_URL and not settings.CELERY_BROKER_URL.startswith("memory://"):
        found.append(Broker(url=settings.CELERY_BROKER_URL))
    if settings.QYZMET_GATEWAY_URL:
        found.append(Gateway(url=settings.QYZMET_GATEWAY_URL))
    return found


class HealthView(HealthCheckView):
    def get_checks(self):
        return checks()

    async def get(self, request, *args, **kwargs):
        # The library raises on an Accept header it cannot parse; that is the caller's mistake (400).
        if "format" not in request.GET:
            try:
                list(MediaType.parse_header(request.headers.get("accept", "*/*")))
            except ValueError:
                return problem(
                    request,
                    400,
                    _("The request cannot be accepted"),
                    _("The Accept header names no media type; ask for text/html or application/json."),
                )
        response = await super().get(request, *args, **kwargs)
        if response.status_code == 500:
            response.status_code = 503
        return response
