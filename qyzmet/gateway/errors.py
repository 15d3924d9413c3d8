"""What can go wrong when asking an outside system, as the caller must tell it apart.

`NotFound` is the only answer that lets a caller tell the applicant the regulation's "data
cannot be obtained": the database answered and has no record. Everything under `Unavailable`
(a timeout, an error, an open circuit) says nothing about the applicant; the caller must keep
the application and try again later (`lookups.look_up_or_queue`).
"""

from __future__ import annotations


class GatewayError(Exception):
    """Any failure of a call through the gateway."""

    outcome = "error"


class NotFound(GatewayError):
    """The system answered: it has no record for this number (or request id)."""

    outcome = "not_found"


class InvalidRequest(GatewayError, ValueError):
    """Our request is wrong (a malformed IIN, an unknown body): retrying will not help."""

    outcome = "invalid"


class Conflict(GatewayError):
    """The request contradicts an earlier one, e.g. a payment reference reused for another amount."""

    outcome = "conflict"


class Unavailable(GatewayError):
    """The system did not give a usable answer now; the same request may succeed later."""

    outcome = "unavailable"


class Timeout(Unavailable):
    outcome = "timeout"


class UpstreamError(Unavailable):
    """The system answered with an error (HTTP 5xx, a broken reply, a refused connection)."""

    outcome = "error"


class CircuitOpen(Unavailable):
    """Not even tried: the system failed too often lately and is being given time to recover."""

    outcome = "circuit_open"
