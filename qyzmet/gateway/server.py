"""The simulators as a separate HTTP service: `python -m qyzmet gateway serve --port 8101`.

A plain WSGI app (no Django request handling, no database) on wsgiref's server with a thread
per request, so one hanging "timeout" call does not hold up the others. The protocol is in
`transport.py`. Extra routes: GET /health; GET/POST/DELETE /_faults reads, sets or resets the
fault switch of this process (`faults.py`), for drills against a running service. Services
published beside the simulators (the certification centre's CRL and OCSP under /pki) are WSGI
apps mounted by settings.QYZMET_GATEWAY_MOUNTS.

`start_in_thread(port=0)` runs it in a background thread (tests; port 0 = any free port).
"""

from __future__ import annotations

import functools
import json
import threading
import time
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from . import faults
from .errors import Conflict, InvalidRequest, NotFound, Timeout, UpstreamError
from .transport import SYSTEMS, simulate

STATUS_TEXT = {
    200: "200 OK",
    400: "400 Bad Request",
    404: "404 Not Found",
    409: "409 Conflict",
    500: "500 Internal Server Error",
    504: "504 Gateway Timeout",
}
# A "timeout" answer is held this much past the caller's deadline, so the caller gives up
# first; capped, so a caller that sends no deadline does not pin a thread for long.
HANG_MARGIN = 0.2
HANG_CAP = 30.0
DEFAULT_DEADLINE = 10.0


def _json(start_response, status: int, body: dict) -> list[bytes]:
    data = json.dumps(body, ensure_ascii=False, default=str).encode()
    start_response(
        STATUS_TEXT[status],
        [("Content-Type", "application/json; charset=utf-8"), ("Content-Length", str(len(data)))],
    )
    return [data]


def _read_json(environ) -> dict:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    raw = environ["wsgi.input"].read(length) if length else b"{}"
    body = json.loads(raw or b"{}")
    if not isinstance(body, dict):
        raise InvalidRequest("the body must be a JSON object")
    return body


@functools.cache
def _mounted(segment: str):
    from django.conf import settings
    from django.utils.module_loading import import_string

    target = getattr(settings, "QYZMET_GATEWAY_MOUNTS", {}).get(segment) if settings.configured else None
    return import_string(target) if target else None


def application(environ, start_response):
    method = environ["REQUEST_METHOD"]
    path = environ.get("PATH_INFO", "").strip("/")
    mounted = _mounted(path.partition("/")[0])
    if mounted is not None:
        return mounted(environ, start_response)
    try:
        if path == "health":
            return _json(start_response, 200, {"data": {"status": "ok", "systems": list(SYSTEMS)}})
        if path == "_faults":
            if method == "POST":
                faults.switch.set(**_read_json(environ))
            elif method == "DELETE":
                faults.switch.reset()
            return _json(start_response, 200, {"data": faults.switch.as_dict()})
        system, _, operation = path.partition("/")
        if method != "POST" or system not in SYSTEMS or not operation:
            return _json(start_response, 404, {"error": "not_found", "detail": f"no route {method} /{path}"})
        body = _read_json(environ)
        try:
            deadline = min(float(environ.get("HTTP_X_DEADLINE") or DEFAULT_DEADLINE), HANG_CAP)
        except ValueError:
            deadline = DEFAULT_DEADLINE
        try:
            data = simulate(system, operation, body.get("subject"), body.get("params") or {}, deadline)
        except Timeout as exc:
            time.sleep(HANG_MARGIN)
            return _json(start_response, 504, {"error": "timeout", "detail": str(exc)})
        return _json(
            start_response, 200, {"data": data, "correlation_id": environ.get("HTTP_X_CORRELATION_ID")}
        )
    except NotFound as exc:
        return _json(start_response, 404, {"error": "not_found", "detail": str(exc)})
    except Conflict as exc:
        return _json(start_response, 409, {"error": "conflict", "detail": str(exc)})
    except (InvalidRequest, TypeError, ValueError) as exc:
        return _json(start_response, 400, {"error": "invalid", "detail": str(exc)})
    except UpstreamError as exc:
        return _json(start_response, 500, {"error": "error", "detail": str(exc)})


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True  # a hanging simulated call must not keep the process alive


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # the base class names it `format`
        pass


def make(host: str = "127.0.0.1", port: int = 8101, quiet: bool = False) -> WSGIServer:
    handler = QuietHandler if quiet else WSGIRequestHandler
    return make_server(host, port, application, server_class=ThreadingWSGIServer, handler_class=handler)


def start_in_thread(host: str = "127.0.0.1", port: int = 0) -> tuple[WSGIServer, str]:
    """Serve in a daemon thread; returns the server (call `.shutdown()`) and its base URL."""
    server = make(host, port, quiet=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    return server, f"http://{host}:{server.server_port}"


def create_app():
    """The simulators for a WSGI server of one's choice, e.g. gunicorn with one process (the
    simulators keep state in memory): `gunicorn -w 1 --threads 16 "qyzmet.gateway.server:create_app()"`."""
    from qyzmet.cli import setup_django

    setup_django()
    return application
