"""Signed requests: the canonical form of a request and the signed envelope around it.

A request is a JSON object carrying the applicant's `iin` (and `bin` for a legal entity) and
optionally `regulation` (a catalogue id) and `service`. Its signed form is

    {"request": {...},
     "signature": {"algorithm": "RSASSA-PKCS1-v1_5-SHA256", "value": <base64>,
                   "certificate": <base64 DER>, "signed_at": <ISO 8601>}}

with the signature over `canonical(request)`. The format is kept this plain on purpose: a browser
makes it with WebCrypto alone (`crypto.subtle.sign("RSASSA-PKCS1-v1_5", key, bytes)` with an
RSA key imported for SHA-256, and JSON.stringify over recursively key-sorted objects, which
gives the same bytes for strings, integers, booleans, null, lists and objects; avoid floats,
whose text differs between Python and JavaScript).

`signed_at` is the signer's claim and is not covered by the signature; verification therefore
also checks the certificate at the moment of verification (see verify.py).
"""

from __future__ import annotations

import base64
import datetime as dt
import json

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from .ca import load_p12

ALGORITHM = "RSASSA-PKCS1-v1_5-SHA256"


def canonical(request: dict) -> bytes:
    """The bytes that are signed: sorted keys, no spaces, UTF-8 (not \\u escapes)."""
    return json.dumps(request, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def raw_sign(data: bytes, private_key: rsa.RSAPrivateKey) -> bytes:
    return private_key.sign(data, padding.PKCS1v15(), hashes.SHA256())


def signature_block(
    data: bytes,
    private_key: rsa.RSAPrivateKey,
    certificate: x509.Certificate,
    signed_at: dt.datetime | None = None,
) -> dict:
    """The `signature` object of the envelope for any bytes (a request, or a log-in challenge)."""
    signed_at = signed_at or dt.datetime.now(dt.UTC)
    if signed_at.tzinfo is None:
        raise ValueError("signed_at needs a time zone")
    return {
        "algorithm": ALGORITHM,
        "value": base64.b64encode(raw_sign(data, private_key)).decode(),
        "certificate": base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode(),
        "signed_at": signed_at.isoformat(),
    }


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
        "signature": signature_block(canonical(request), private_key, certificate, signed_at),
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
) -> dict:
    """The `signature` object for an EDS log-in challenge (the bytes the portal handed out)."""
    return signature_block(challenge, private_key, certificate, signed_at)
