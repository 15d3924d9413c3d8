"""CMS (PKCS#7) detached signatures: the one format of signed requests, EDS log-ins and documents.

It is what NCALayer produces and what the portal's page makes with node-forge
(`forge.pkcs7.createSignedData()`): a SignedData whose content (the signed bytes) is left out,
one SignerInfo with SHA-256 and RSA, the signed attributes content type, signing time and message
digest, and the signer's certificate embedded. Any CMS tool reads them, e.g.
`openssl cms -verify -binary -inform DER -in sig.p7s -content data -CAfile root+issuing.pem`.

`sign_detached` makes one (asn1crypto for the structure, cryptography for the RSA signature, so
that the signing time can be given); `read_detached` parses one and `Signed.covers` checks that
it is a signature over given bytes (pyhanko's CMS integrity check: the message digest attribute
against the bytes, the RSA signature over the signed attributes against the signer's key). Who
the signer is and whether to trust the certificate is decided in verify.py, the one verifier.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from asn1crypto import algos, cms, core
from asn1crypto import tsp as _tsp  # noqa: F401 - see below
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from .ca import CertificationCentre, PKIError

# asn1crypto freezes each OID type's name-to-OID map the first time a name is looked up. Importing
# `tsp` first registers "signing_certificate_v2" (which pyhanko's PAdES signer asks for by name)
# before this module looks up any attribute name; the other order made every later PDF signature
# in the process fail with "invalid literal for int() ... 'signing_certificate_v2'".

DIGESTS = {"sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}


def _asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def sign_detached(
    data: bytes,
    private_key: rsa.RSAPrivateKey,
    certificate: x509.Certificate,
    chain: Iterable[x509.Certificate] = (),
    signed_at: dt.datetime | None = None,
) -> bytes:
    """A detached CMS SignedData (DER) over `data` by `private_key`, its certificate (and `chain`)
    embedded, signed at `signed_at` (now by default)."""
    signed_at = signed_at or dt.datetime.now(dt.UTC)
    if signed_at.tzinfo is None:
        raise ValueError("signed_at needs a time zone")
    digest = hashes.Hash(hashes.SHA256())
    digest.update(data)
    signer = _asn1(certificate)
    attributes = cms.CMSAttributes(
        [
            cms.CMSAttribute({"type": "content_type", "values": ["data"]}),
            cms.CMSAttribute({"type": "signing_time", "values": [cms.Time({"utc_time": signed_at})]}),
            cms.CMSAttribute({"type": "message_digest", "values": [digest.finalize()]}),
        ]
    )
    # The signature is over the DER of the attributes as a SET OF (RFC 5652, 5.4).
    value = private_key.sign(attributes.dump(), padding.PKCS1v15(), hashes.SHA256())
    sha256 = algos.DigestAlgorithm({"algorithm": "sha256"})
    signer_info = cms.SignerInfo(
        {
            "version": "v1",
            "sid": cms.SignerIdentifier(
                {
                    "issuer_and_serial_number": cms.IssuerAndSerialNumber(
                        {"issuer": signer.issuer, "serial_number": signer.serial_number}
                    )
                }
            ),
            "digest_algorithm": sha256,
            "signed_attrs": attributes,
            "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": "rsassa_pkcs1v15"}),
            "signature": value,
        }
    )
    signed_data = cms.SignedData(
        {
            "version": "v1",
            "digest_algorithms": [sha256],
            "encap_content_info": {"content_type": "data"},
            "certificates": [signer, *(_asn1(c) for c in chain)],
            "signer_infos": [signer_info],
        }
    )
    return cms.ContentInfo({"content_type": "signed_data", "content": signed_data}).dump()


@dataclass(frozen=True)
class Signed:
    """A CMS signature as read: its signer's certificate and claimed signing time. Nothing checked
    yet but the form; `covers(data)` checks the signature."""

    certificate: x509.Certificate
    signed_at: dt.datetime
    signed_data: cms.SignedData = field(repr=False)

    def covers(self, data: bytes) -> bool:
        """True if this is a valid signature over exactly `data` by the certificate's key."""
        from pyhanko.sign.validation.generic_cms import extract_signer_info, validate_sig_integrity

        content = self.signed_data["encap_content_info"]["content"]
        if content.native is not None and content.native != data:
            return False  # an attached signature, over something else
        signer_info = extract_signer_info(self.signed_data)
        algorithm = DIGESTS[signer_info["digest_algorithm"]["algorithm"].native]()
        digest = hashes.Hash(algorithm)
        digest.update(data)
        try:
            intact, valid = validate_sig_integrity(
                signer_info, _asn1(self.certificate), "data", digest.finalize()
            )
        except ValueError:  # pyhanko's errors are ValueErrors
            return False
        return intact and valid


def read_detached(signature: bytes) -> Signed:
    """The signer's certificate and signing time of a CMS signature; PKIError when it is not one
    signer's SignedData over data, with SHA-2, the signing time and the signer's certificate."""
    from pyhanko.sign.validation.generic_cms import (
        extract_certs_for_validation,
        extract_self_reported_ts,
        extract_signer_info,
    )

    try:
        info = cms.ContentInfo.load(signature, strict=True)
        if info["content_type"].native != "signed_data":
            raise PKIError("not a SignedData")
        signed_data = info["content"]
        if signed_data["encap_content_info"]["content_type"].native != "data":
            raise PKIError("the signed content is not data")
        signer_info = extract_signer_info(signed_data)
        if signer_info["signed_attrs"] is core.VOID:
            raise PKIError("no signed attributes (content type, signing time, message digest)")
        if signer_info["digest_algorithm"]["algorithm"].native not in DIGESTS:
            raise PKIError(f"the digest algorithm must be one of {', '.join(DIGESTS)}")
        certificate = extract_certs_for_validation(signed_data).signer_cert
        signed_at = extract_self_reported_ts(signer_info)
        if signed_at is None:
            raise PKIError("no signing time among the signed attributes")
        signer = x509.load_der_x509_certificate(certificate.dump())
        signer.public_key()  # read now: cryptography parses the key lazily
        return Signed(certificate=signer, signed_at=signed_at.astimezone(dt.UTC), signed_data=signed_data)
    except PKIError as exc:
        raise PKIError(f"malformed CMS signature: {exc}") from exc
    except (ValueError, TypeError, KeyError, UnsupportedAlgorithm, x509.InvalidVersion) as exc:
        # asn1crypto raises ValueError/TypeError on bad DER, lazily, on first access; pyhanko's
        # errors are ValueErrors
        raise PKIError(f"malformed CMS signature: {exc}") from exc


def verify_detached(data: bytes, signature: bytes, centre: CertificationCentre) -> x509.Certificate:
    """The signer's certificate if `signature` is a valid detached CMS signature over `data` by a
    signing key of the centre, valid and not revoked now; PKIError otherwise (verify.py's checks)."""
    from .verify import Reason, verify_signature

    result = verify_signature(data, signature, centre.trust())
    if result.valid:
        return result.certificate
    if result.reason == Reason.MALFORMED:
        raise PKIError(result.detail)
    if result.reason == Reason.BAD_SIGNATURE:
        raise PKIError(f"CMS signature does not match the signed content: {result.detail}")
    raise PKIError(f"CMS signer certificate is not trusted or is revoked: {result.detail}")
