"""Signed requests: the canonical form of a request and the signed envelope around it.

A request is a JSON object carrying the applicant's `iin` (and `bin` for a legal entity) and
optionally `regulation` (a catalogue id) and `service`. Its signed form is

    {"request": {...}, "signature": <base64 of a DER CMS SignedData>}

where the signature is a detached CMS signature (cms.py) over `canonical(request)`: what NCALayer
makes of those bytes (`createCMSSignatureFromBase64` with the content detached), and what the
portal's page makes with node-forge (qyzmet/static/js/sign.js). The signer's
certificate and the signing time are inside it. The canonical form is kept plain so a browser
makes the same bytes: JSON.stringify over recursively key-sorted objects gives them for strings,
integers, booleans, null, lists and objects (avoid floats, whose text differs between Python
and JavaScript); the portal hands the page the canonical text anyway.

An EDS log-in is the same signature over the challenge the portal handed out (`sign_challenge`).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Iterable

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from .ca import load_p12
from .cms import sign_detached


def canonical(request: dict) -> bytes:
    """The bytes that are signed: sorted keys, no spaces, UTF-8 (not \\u escapes)."""
    return json.dumps(request, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def signature_of(
    data: bytes,
    private_key: rsa.RSAPrivateKey,
    certificate: x509.Certificate,
    signed_at: dt.datetime | None = None,
    chain: Iterable[x509.Certificate] = (),
) -> str:
    """The envelope's `signature` for any bytes: base64 of a detached CMS signature over them."""
    return base64.b64encode(sign_detached(data, private_key, certificate, chain, signed_at)).decode()


def sign(
    request: dict,
    private_key: rsa.RSAPrivateKey,
    certificate: x509.Certificate,
    signed_at: dt.datetime | None = None,
) -> dict:
    """The signed envelope of `request`."""
    if not isinstance(request, dict):
        raise ValueError("a request is a JSON object")
    return {
        "request": request,
        "signature": signature_of(canonical(request), private_key, certificate, signed_at),
    }


def sign_with_p12(
    request: dict, p12: bytes, password: str | bytes, signed_at: dt.datetime | None = None
) -> dict:
    """`sign` with the key and certificate of a PKCS#12 key file."""
    key, certificate = load_p12(p12, password)
    return sign(request, key, certificate, signed_at)


def sign_challenge(
    challenge: bytes,
    private_key: rsa.RSAPrivateKey,
    certificate: x509.Certificate,
    signed_at: dt.datetime | None = None,
) -> str:
    """The signature an EDS log-in posts: over the challenge bytes the portal handed out."""
    return signature_of(challenge, private_key, certificate, signed_at)
