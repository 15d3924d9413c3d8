"""The edge middleware: admission control, and refusal of input no view can take.

Both answer before the session, the user or any view is touched, so what they refuse costs
almost nothing and a refusal can never be a server error.
"""

from __future__ import annotations

import json
import threading

from django.conf import settings
from django.core.exceptions import (
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .responses import problem

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


# Admission control ---------------------------------------------------------------------------


class AdmissionControl:
    """A bounded number of requests in progress in this process; past it, a waiting room.

    A server that takes every request in a surge makes all of them slow: each waits behind all the
    others, and past a point the clients time out and retry, so nothing gets done. Here requests
    that change state (posts: submissions, sign-ins, reception) and reads have separate budgets
    per process (QYZMET_ADMISSION_WRITES, QYZMET_ADMISSION_READS); a request that finds its budget
    spent waits at most QYZMET_ADMISSION_WAIT_MS for a slot and is otherwise answered at once with
    503 and Retry-After: a waiting-room page that retries by itself on the portal, JSON for the
    API. Nothing of a refused request has been read or stored, so it is safe to send again, and
    the admitted requests keep the latency of a server that is not overloaded.

    The budgets together must stay below the server's threads per process (gunicorn --threads):
    the spare threads answer the refusals; without them the queue forms in front of the threads,
    where no one can shed it. This middleware comes first, before the request id and the access
    log, so that a refusal costs next to nothing while the server is busiest.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.gates = {
            "write": _gate(settings.QYZMET_ADMISSION_WRITES),
            "read": _gate(settings.QYZMET_ADMISSION_READS),
        }
        self.wait = settings.QYZMET_ADMISSION_WAIT_MS / 1000
        self.retry_after = settings.QYZMET_ADMISSION_RETRY_AFTER
        self.exempt = tuple(settings.QYZMET_ADMISSION_EXEMPT)

    def __call__(self, request):
        gate = self.gates["read" if request.method in SAFE_METHODS else "write"]
        if gate is None or request.path.startswith(self.exempt):
            return self.get_response(request)
        if not gate.acquire(timeout=self.wait):
            return waiting_room(request, self.retry_after)
        try:
            return self.get_response(request)
        finally:
            gate.release()


def _gate(bound: int) -> threading.BoundedSemaphore | None:
    return threading.BoundedSemaphore(bound) if bound > 0 else None


def waiting_room(request, retry_after: int):
    return problem(
        request,
        503,
        _("Too many requests at once"),
        lambda: (
            ngettext(
                "The service is taking too many requests at this moment. Nothing you sent was received "
                "or saved. Please try again in %(seconds)d second.",
                "The service is taking too many requests at this moment. Nothing you sent was received "
                "or saved. Please try again in %(seconds)d seconds.",
                retry_after,
            )
            % {"seconds": retry_after}
        ),
        retry_after=retry_after,
        template="edge/waiting_room.html",
    )


# Bad input -----------------------------------------------------------------------------------

WHERE = {
    "path": _("the address"),
    "query": _("the query string"),
    "header": _("a request header"),
    "form": _("a form field"),
    "file": _("an uploaded file's name"),
    "json": _("the JSON body"),
}


class RejectBadInput:
    """Refuse NUL bytes and broken Unicode, too many fields, and posts over the size limits.

    A NUL byte cannot be stored in a PostgreSQL text column and a lone surrogate (JSON's
    "\\ud800") cannot be encoded as UTF-8, so either one, anywhere a view could take it from,
    used to end as a server error. They are refused here with 400 and a message naming where
    they were: the address, the query string, a header, a form field, an uploaded file's name or
    the JSON body. A post whose declared length is over QYZMET_UPLOAD_MAX_REQUEST_BYTES is
    refused with 413 before its body is read (files are streamed to temporary files, never held
    in memory: FILE_UPLOAD_MAX_MEMORY_SIZE).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            too_big = _declared_length(request) > settings.QYZMET_UPLOAD_MAX_REQUEST_BYTES
        except ValueError:
            return _bad_request(request, _("The request's Content-Length is not a number."))
        if too_big:
            return _too_big(request)
        try:
            where = _bad_place(request)
        except RequestDataTooBig:
            return _too_big(request)
        except (TooManyFieldsSent, TooManyFilesSent):
            return _bad_request(request, _("The form has too many fields or files."))
        except (MultiPartParserError, SuspiciousOperation):
            return _bad_request(request, _("The form data is malformed and could not be read."))
        if where is not None:
            return _bad_request(
                request,
                lambda: (
                    gettext(
                        "A character that cannot be accepted (a NUL byte or broken Unicode) was found in "
                        "%(where)s. Remove it and send the request again."
                    )
                    % {"where": WHERE[where]}
                ),
                where=where,
            )
        return self.get_response(request)


def _declared_length(request) -> int:
    length = request.META.get("CONTENT_LENGTH") or "0"
    return int(length)


def unacceptable(text: str) -> bool:
    """A NUL byte, or a lone surrogate (which has no UTF-8 form)."""
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _any_unacceptable(value) -> bool:
    """Whether any string in a parsed JSON value (keys included) is unacceptable."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if unacceptable(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _bad_place(request) -> str | None:
    """Where the request carries an unacceptable character, or None. Reading the form here is
    no extra work: the CSRF check would read it next anyway, and Django keeps it."""
    if unacceptable(request.path) or unacceptable(request.path_info):
        return "path"
    if unacceptable(request.META.get("QUERY_STRING", "")) or any(
        unacceptable(key) or any(unacceptable(v) for v in values) for key, values in request.GET.lists()
    ):
        return "query"
    for key, value in request.META.items():
        if (key.startswith("HTTP_") or key in ("CONTENT_TYPE", "CONTENT_LENGTH")) and isinstance(value, str):
            if unacceptable(value):
                return "header"
    if request.method in SAFE_METHODS:
        return None
    content_type = request.content_type or ""
    if content_type in FORM_TYPES:
        if _declared_length(request) <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            # Read the body first, so that a view that reads it (django-ninja does) still can;
            # larger uploads are parsed as a stream, as Django would.
            request.body  # noqa: B018
        for key, values in request.POST.lists():
            if unacceptable(key) or any(unacceptable(v) for v in values):
                return "form"
        for key, files in request.FILES.lists():
            if unacceptable(key) or any(unacceptable(f.name or "") for f in files):
                return "file"
        return None
    body = request.body
    if not body:
        return None
    if b"\x00" in body and not content_type.startswith(
        ("application/octet-stream", "image/", "application/pdf")
    ):
        return "json" if "json" in content_type else "form"
    try:
        parsed = json.loads(body)
    except ValueError:
        return None  # not JSON: the view says what it expected
    return "json" if _any_unacceptable(parsed) else None


def _bad_request(request, detail, where: str | None = None):
    return problem(
        request, 400, _("The request cannot be accepted"), detail, extra={"where": where} if where else None
    )


def _too_big(request):
    limit_mb = settings.QYZMET_UPLOAD_MAX_REQUEST_BYTES / 1024 / 1024
    return problem(
        request,
        413,
        _("Too much data in one request"),
        lambda: (
            gettext(
                "Everything sent at once, files included, may be at most %(limit)s MB; each file at most "
                "%(file_limit)s MB. Send fewer or smaller files."
            )
            % {
                "limit": f"{limit_mb:g}",
                "file_limit": f"{settings.QYZMET_UPLOAD_MAX_FILE_BYTES / 1024 / 1024:g}",
            }
        ),
    )
