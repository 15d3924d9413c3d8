"""The one seam for outbound calls: every client reaches its system through a `Transport`.

`QYZMET_GATEWAY_URL` (read with getattr, so settings need not define it) picks one:

* unset/None: `InProcessTransport` runs the simulator beside each client in this process;
* a URL: `HttpTransport` posts JSON to the simulator service at that URL (`python -m qyzmet
  gateway serve`), or later to a real adapter speaking the same protocol.

The protocol: POST {url}/{system}/{operation} with {"subject": number, "params": {...}} and
headers X-Correlation-ID and X-Deadline (the caller's timeout in seconds). 200 {"data": ...};
404 not found; 400 invalid; 409 conflict; 5xx error. Each attempt has its own timeout;
retries and breakers are above this layer (`resilience.py`).

Tests patch nothing here: they pick the transport by setting and force faults with
`faults.py`, so the code under test is the code that runs.
"""

from __future__ import annotations

import abc
import importlib
import threading
import time

import httpx
from django.conf import settings

from . import faults
from .errors import Conflict, InvalidRequest, NotFound, Timeout, UpstreamError

SYSTEMS = ("individuals", "legal_entities", "tax", "payments", "conclusions")

_simulators: dict[str, object] = {}
_simulators_lock = threading.Lock()


def simulator_for(system: str):
    """The process-wide simulator of a system (payments and conclusions keep state in it)."""
    if system not in SYSTEMS:
        raise InvalidRequest(f"unknown system {system!r}")
    with _simulators_lock:
        if system not in _simulators:
            # Imported late: the client modules import this one for their transport.
            module = importlib.import_module(f"qyzmet.gateway.clients.{system}")
            _simulators[system] = module.Simulator()
        return _simulators[system]


def reset_simulators() -> None:
    with _simulators_lock:
        _simulators.clear()


def simulate(system: str, operation: str, subject: str | None, params: dict, deadline: float) -> dict:
    """Answer a call the way the outside system would, faults included.

    A forced delay longer than `deadline` sleeps until the deadline and raises `Timeout`: the
    in-process caller then sees what an HTTP caller sees, in the same wall time.
    """
    fault = faults.plan(system, subject)
    if fault and fault.kind == faults.TIMEOUT:
        time.sleep(deadline)
        raise Timeout(f"{system}.{operation}: no answer in {deadline} s")
    if fault and fault.delay:
        if fault.delay >= deadline:
            time.sleep(deadline)
            raise Timeout(f"{system}.{operation}: no answer in {deadline} s")
        time.sleep(fault.delay)
    if fault and fault.kind == faults.ERROR:
        raise UpstreamError(f"{system}.{operation}: the system answered with an internal error")
    if fault and fault.kind == faults.NOT_FOUND:
        raise NotFound(f"{system}: no record for {subject}")
    return simulator_for(system).handle(operation, params)


class Transport(abc.ABC):
    """How a request reaches an outside system: in this process, or over HTTP."""

    @abc.abstractmethod
    def send(
        self,
        system: str,
        operation: str,
        subject: str | None,
        params: dict,
        *,
        timeout: float,
        correlation_id: str,
    ) -> dict:
        """The system's answer, or a gateway error (NotFound, Timeout, UpstreamError, ...)."""


class InProcessTransport(Transport):
    name = "in-process"

    def send(self, system, operation, subject, params, *, timeout, correlation_id):
        return simulate(system, operation, subject, params, timeout)


ERRORS_BY_STATUS = {404: NotFound, 400: InvalidRequest, 409: Conflict}


class HttpTransport(Transport):
    name = "http"

    def __init__(self, base_url: str):
        self.base_url = base_url.rstrip("/")
        # One pooled client per URL; the timeout is set per request because policies differ.
        self.client = httpx.Client(base_url=self.base_url)

    def send(self, system, operation, subject, params, *, timeout, correlation_id):
        try:
            response = self.client.post(
                f"/{system}/{operation}",
                json={"subject": subject, "params": params},
                headers={"X-Correlation-ID": correlation_id, "X-Deadline": str(timeout)},
                timeout=httpx.Timeout(timeout),
            )
        except httpx.TimeoutException as exc:
            raise Timeout(f"{system}.{operation}: no answer in {timeout} s ({type(exc).__name__})") from exc
        except httpx.HTTPError as exc:
            raise UpstreamError(f"{system}.{operation}: {type(exc).__name__}: {exc}") from exc
        try:
            body = response.json()
        except ValueError as exc:
            raise UpstreamError(f"{system}.{operation}: HTTP {response.status_code}, not JSON") from exc
        if response.status_code == 200 and isinstance(body, dict) and "data" in body:
            return body["data"]
        error = ERRORS_BY_STATUS.get(response.status_code, UpstreamError)
        detail = body.get("detail") if isinstance(body, dict) else None
        raise error(f"{system}.{operation}: HTTP {response.status_code}: {detail or body}")


_in_process = InProcessTransport()
_http: dict[str, HttpTransport] = {}


def transport_from_settings() -> Transport:
    url = getattr(settings, "QYZMET_GATEWAY_URL", None)
    if not url:
        return _in_process
    if url not in _http:
        _http[url] = HttpTransport(url)
    return _http[url]
