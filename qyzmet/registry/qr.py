"""The signed payload printed in a document's QR code, and the QR images themselves.

A payload is `QZ1.<data>.<signature>`, both parts base64url without padding: `data` is compact
JSON such as {"n":"LIC-2015-00001","h":"870412300129","k":"licence","d":"2015-06-01",
"p":"almaty-health","s":"5A3F..."} (number, holder IIN/BIN, kind, date issued, provider code,
serial of the provider's certificate) and `signature` is RSASSA-PKCS1-v1_5 with SHA-256 over
the `data` part's bytes, made with the provider's key. Anyone holding the provider's
certificate can check a paper document without asking the register; the register's page
/register/verify/?q=<payload> does the same check and adds the live status.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

import segno
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from qyzmet.pki.ca import CertificationCentre

from .keys import Signer, certificate_of

PREFIX = "QZ1"
FIELDS = ("n", "h", "k", "d", "p", "s")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def make_payload(signer: Signer, *, number: str, holder: str, kind: str, issued: str, provider: str) -> str:
    data = {"n": number, "h": holder, "k": kind, "d": issued, "p": provider, "s": signer.serial}
    body = _b64(json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode())
    signature = signer.private_key.sign(body.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{PREFIX}.{body}.{_b64(signature)}"


@dataclass(frozen=True)
class PayloadCheck:
    """`valid` with the signed `data`, or the `problem` (English, for logs; pages show their own)."""

    valid: bool
    data: dict | None = None
    problem: str = ""

    def __bool__(self) -> bool:
        return self.valid


def _chains_to_root(certificate: x509.Certificate) -> bool:
    trust = CertificationCentre.default().trust()
    try:
        trust.issuing.verify_directly_issued_by(trust.root)
        certificate.verify_directly_issued_by(trust.issuing)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def verify_payload(text: str) -> PayloadCheck:
    """Check a payload's form, its signature, and that the signing key is the named provider's."""
    parts = (text or "").strip().split(".")
    if len(parts) != 3 or parts[0] != PREFIX:
        return PayloadCheck(False, problem="not a register QR payload")
    try:
        data = json.loads(_unb64(parts[1]))
        signature = _unb64(parts[2])
    except (binascii.Error, ValueError):
        return PayloadCheck(False, problem="the payload is not valid base64url JSON")
    if (
        not isinstance(data, dict)
        or set(data) != set(FIELDS)
        or not all(isinstance(data[f], str) for f in FIELDS)
    ):
        return PayloadCheck(False, problem="the payload does not carry the expected fields")
    found = certificate_of(data["s"])
    if found is None:
        return PayloadCheck(False, data, "signed with a key the register does not know")
    record, certificate = found
    public_key = certificate.public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        return PayloadCheck(False, data, "the provider's key is not RSA")
    try:
        public_key.verify(signature, parts[1].encode(), padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return PayloadCheck(False, data, "the signature does not match the payload")
    if record.provider.code != data["p"]:
        return PayloadCheck(False, data, "the key belongs to another provider")
    if not _chains_to_root(certificate):
        return PayloadCheck(False, data, "the provider's certificate does not chain to the trusted root")
    return PayloadCheck(True, data)


def png_data_uri(content: str, scale: int = 3) -> str:
    """A QR code as a PNG data URI, to put in an <img> of an HTML page or a PDF."""
    return segno.make(content, error="m", micro=False).png_data_uri(scale=scale, border=2)
