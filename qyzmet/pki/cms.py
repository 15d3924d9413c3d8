"""CMS (PKCS#7) detached signatures, the format NCALayer produces for requests and documents.

`sign_detached` makes a SignedData over the signed bytes (SHA-256 with RSA, signed attributes
content type, message digest and signing time, the signer's certificate and the issuing CA's
embedded, the content left out); `verify_detached` checks one with pyhanko's CMS validator
against the centre's root. Any CMS tool reads them, e.g. `openssl cms -verify -binary -inform DER
-in sig.p7s -content data -CAfile root.pem`.

The browser still signs in the plain format of `signing.py`; this is the server's side of the
move to CMS.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs7

from .ca import CertificationCentre, PKIError


def sign_detached(
    data: bytes,
    private_key: rsa.RSAPrivateKey,
    certificate: x509.Certificate,
    chain: Iterable[x509.Certificate] = (),
) -> bytes:
    """A detached CMS SignedData (DER) over `data` by `private_key`, its certificate embedded."""
    builder = (
        pkcs7.PKCS7SignatureBuilder().set_data(data).add_signer(certificate, private_key, hashes.SHA256())
    )
    for extra in chain:
        builder = builder.add_certificate(extra)
    # Binary: the bytes are signed as they are (no S/MIME text canonicalisation); no S/MIME
    # capabilities attribute, which means nothing outside e-mail.
    options = [
        pkcs7.PKCS7Options.DetachedSignature,
        pkcs7.PKCS7Options.Binary,
        pkcs7.PKCS7Options.NoCapabilities,
    ]
    return builder.sign(serialization.Encoding.DER, options)


def verify_detached(data: bytes, signature: bytes, centre: CertificationCentre) -> x509.Certificate:
    """The signer's certificate if `signature` is a valid detached CMS signature over `data` by a
    certificate chaining to the centre's root and not revoked; PKIError otherwise. Revocation is
    checked offline, against the centre's own CRLs (the issuing CA's and the root's)."""
    from asn1crypto import cms
    from asn1crypto import crl as asn1_crl
    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign.validation.generic_cms import async_validate_detached_cms
    from pyhanko_certvalidator import ValidationContext

    der = serialization.Encoding.DER
    try:
        info = cms.ContentInfo.load(signature)
        signed_data = info["content"]
        if info["content_type"].native != "signed_data":
            raise ValueError("not a SignedData")
    except ValueError as exc:
        raise PKIError(f"malformed CMS signature: {exc}") from exc
    crls = [centre.current_crl(), centre.current_crl("root.crl")]
    context = ValidationContext(
        trust_roots=[asn1_x509.Certificate.load(centre.root.public_bytes(der))],
        other_certs=[asn1_x509.Certificate.load(centre.issuing.public_bytes(der))],
        crls=[asn1_crl.CertificateList.load(c.public_bytes(der)) for c in crls],
        allow_fetching=False,
        revocation_mode="hard-fail",
    )
    try:
        status = asyncio.run(
            async_validate_detached_cms(data, signed_data, signer_validation_context=context)
        )
    except Exception as exc:  # pyhanko raises its own errors for unreadable structures
        raise PKIError(f"CMS signature not verified: {exc}") from exc
    if not (status.intact and status.valid):
        raise PKIError("CMS signature does not match the signed content")
    if not status.trusted:
        raise PKIError("CMS signer certificate is not trusted or is revoked")
    return x509.load_der_x509_certificate(status.signing_cert.dump())
