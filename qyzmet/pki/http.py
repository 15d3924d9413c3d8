"""The certification centre's publication point over HTTP, served beside the gateway simulators.

    GET  /pki/crl              the issuing CA's CRL (DER), from the centre's own record
    GET  /pki/root-crl         the root's CRL (DER), for the issuing CA's own certificate
    GET  /pki/issuing.cer      the issuing CA's certificate (DER), the leaves' caIssuers
    POST /pki/ocsp             an OCSP request (application/ocsp-request) -> response
    GET  /pki/ocsp/<base64>    the same request, URL-encoded (RFC 6960 appendix A.1)

A plain WSGI app: `qyzmet.gateway.server` mounts it under /pki (settings.QYZMET_GATEWAY_MOUNTS).
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import unquote

from cryptography.hazmat.primitives import serialization

from .ca import CertificationCentre

# An OCSP request is a few hundred bytes; anything much larger is not one.
MAX_REQUEST = 64 * 1024


def _answer(start_response, status: str, content_type: str, data: bytes) -> list[bytes]:
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(data)))])
    return [data]


def application(environ, start_response):
    method = environ["REQUEST_METHOD"]
    # Only the leading slash goes: a base64 OCSP request without padding may end in "/" itself.
    path = environ.get("PATH_INFO", "").lstrip("/")
    ca = CertificationCentre.default()
    der = serialization.Encoding.DER
    route = path.rstrip("/")
    if method == "GET" and route == "pki/crl":
        return _answer(start_response, "200 OK", "application/pkix-crl", ca.current_crl().public_bytes(der))
    if method == "GET" and route == "pki/root-crl":
        crl = ca.current_crl("root.crl")
        return _answer(start_response, "200 OK", "application/pkix-crl", crl.public_bytes(der))
    if method == "GET" and route == "pki/issuing.cer":
        return _answer(start_response, "200 OK", "application/pkix-cert", ca.issuing.public_bytes(der))
    if route == "pki/ocsp" and method == "POST":
        length = int(environ.get("CONTENT_LENGTH") or 0)
        if not 0 < length <= MAX_REQUEST:
            return _answer(start_response, "400 Bad Request", "text/plain", b"an OCSP request is expected")
        request = environ["wsgi.input"].read(length)
        return _answer(start_response, "200 OK", "application/ocsp-response", ca.ocsp_response(request))
    if path.startswith("pki/ocsp/") and method == "GET":
        try:
            request = base64.b64decode(unquote(path[len("pki/ocsp/") :]), validate=True)
        except (binascii.Error, ValueError):
            return _answer(start_response, "400 Bad Request", "text/plain", b"not a base64 OCSP request")
        return _answer(start_response, "200 OK", "application/ocsp-response", ca.ocsp_response(request))
    return _answer(start_response, "404 Not Found", "text/plain", f"no route {method} /{path}".encode())
