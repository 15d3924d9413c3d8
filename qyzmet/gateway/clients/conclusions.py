"""Conclusions of other state bodies on an application (sanitary, fire safety, police...).

`ConclusionsClient.request(body, application_number, subject)` asks a named body; the answer
comes later, so `poll(request_id)` returns {"status": "pending" | "positive" | "negative", ...}.
Asking the same body again about the same application returns the same request (idempotent).

Simulator rules (magic application numbers, for demos and tests):
  ends with NEGATIVE_SUFFIX ("-NEG")   the body refuses, with a reason
  ends with PENDING_SUFFIX ("-PEND")   the body never answers: stays pending
  anything else                        positive
The first POLLS_BEFORE_ANSWER polls of a request are "pending", as a real body takes days.
The applicant's IIN/BIN is the subject, so the magic numbers of `faults.py` apply.
"""

from __future__ import annotations

import hashlib
import threading

from django.utils import timezone

from ..errors import InvalidRequest, NotFound
from . import BaseClient
from .tax import check_number

BODIES = {
    "sanitary": "ҚР ДСМ Санитариялық-эпидемиологиялық бақылау комитеті",
    "fire_safety": "ҚР ТЖМ Өрт қауіпсіздігі органы",
    "police": "ҚР ІІМ",
    "ecology": "ҚР ЭГТРМ Экологиялық реттеу және бақылау комитеті",
    "pharmacy": "ҚР ДСМ Фармация комитеті",
}
NEGATIVE_SUFFIX = "-NEG"
PENDING_SUFFIX = "-PEND"
POLLS_BEFORE_ANSWER = 1
PENDING, POSITIVE, NEGATIVE = "pending", "positive", "negative"


class Simulator:
    def __init__(self):
        self.requests: dict[str, dict] = {}
        self._lock = threading.Lock()

    def handle(self, operation: str, params: dict) -> dict:
        if operation == "request":
            return self.request(params)
        if operation == "poll":
            return self.poll(params.get("request_id", ""))
        raise InvalidRequest(f"conclusions has no operation {operation!r}")

    def request(self, params: dict) -> dict:
        body = params.get("body")
        if body not in BODIES:
            raise InvalidRequest(f"unknown body {body!r}; known: {', '.join(BODIES)}")
        application_number = str(params.get("application_number") or "")
        if not application_number:
            raise InvalidRequest("application_number is required")
        request_id = "C" + hashlib.sha256(f"{body}|{application_number}".encode()).hexdigest()[:16].upper()
        with self._lock:
            if request_id not in self.requests:
                self.requests[request_id] = {
                    "request_id": request_id,
                    "body": body,
                    "body_name": BODIES[body],
                    "application_number": application_number,
                    "subject": check_number(params.get("subject", "")),
                    "status": PENDING,
                    "reason": None,
                    "requested_at": timezone.now().isoformat(),
                    "answered_at": None,
                    "polls": 0,
                }
            return self._public(self.requests[request_id])

    def poll(self, request_id: str) -> dict:
        with self._lock:
            request = self.requests.get(request_id)
            if request is None:
                raise NotFound(f"no conclusion request {request_id}")
            request["polls"] += 1
            number = request["application_number"]
            if (
                request["status"] == PENDING
                and request["polls"] > POLLS_BEFORE_ANSWER
                and not number.endswith(PENDING_SUFFIX)
            ):
                if number.endswith(NEGATIVE_SUFFIX):
                    request["status"] = NEGATIVE
                    request["reason"] = "Объект санитариялық талаптарға сәйкес келмейді"
                else:
                    request["status"] = POSITIVE
                request["answered_at"] = timezone.now().isoformat()
            return self._public(request)

    @staticmethod
    def _public(request: dict) -> dict:
        return {k: v for k, v in request.items() if k != "polls"}


class ConclusionsClient(BaseClient):
    system = "conclusions"

    def request(
        self, body: str, application_number: str, subject: str, *, correlation_id: str | None = None
    ) -> dict:
        if body not in BODIES:
            raise InvalidRequest(f"unknown body {body!r}; known: {', '.join(BODIES)}")
        subject = check_number(subject)
        params = {"body": body, "application_number": application_number, "subject": subject}
        return self._call("request", subject, params, correlation_id)

    def poll(self, request_id: str, *, correlation_id: str | None = None) -> dict:
        return self._call("poll", request_id, {"request_id": request_id}, correlation_id)
