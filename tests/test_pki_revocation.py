"""Revocation as NUC RK publishes it: each certificate names its CRL and its OCSP responder, both
answered beside the gateway simulators, and a strict validator checks a signed result with them."""

import io
import os
import urllib.request

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID

from qyzmet.gateway.server import start_in_thread
from qyzmet.pki.ca import CertificationCentre

from .registry_helpers import LICENCE, drive

IIN = "870412300129"


@pytest.fixture
def published(tmp_path, monkeypatch, settings):
    """The simulators' service on a loopback port, and a certification centre of this test that
    publishes there: it is the platform's centre for the test ($QYZMET_PKI_DIR)."""
    httpd, url = start_in_thread()
    settings.QYZMET_PKI_URL = url
    monkeypatch.setenv("QYZMET_PKI_DIR", str(tmp_path / "pki"))
    centre = CertificationCentre.default().ensure()
    yield centre, url
    httpd.shutdown()
    httpd.server_close()


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - a loopback test server
        assert answer.status == 200
        return answer.read()


def _ocsp(url: str, certificate, issuer, nonce: bytes = b"0123456789abcdef"):
    request = (
        ocsp.OCSPRequestBuilder()
        .add_certificate(certificate, issuer, hashes.SHA256())
        .add_extension(x509.OCSPNonce(nonce), critical=False)
        .build()
    )
    post = urllib.request.Request(  # noqa: S310 - a loopback test server
        url,
        data=request.public_bytes(serialization.Encoding.DER),
        headers={"Content-Type": "application/ocsp-request"},
    )
    with urllib.request.urlopen(post, timeout=10) as answer:  # noqa: S310
        return ocsp.load_der_ocsp_response(answer.read())


def test_every_certificate_names_its_crl_and_ocsp_responder(centre, settings):
    issued = centre.issue(iin=IIN, password="pw")
    base = settings.QYZMET_PKI_URL.rstrip("/")
    points = issued.certificate.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    assert [n.value for p in points for n in p.full_name] == [f"{base}/pki/crl"]
    access = issued.certificate.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    by_method = {d.access_method: d.access_location.value for d in access}
    assert by_method[AuthorityInformationAccessOID.OCSP] == f"{base}/pki/ocsp"
    assert by_method[AuthorityInformationAccessOID.CA_ISSUERS] == f"{base}/pki/issuing.cer"


def test_the_pki_address_defaults_to_the_simulators(settings):
    from qyzmet import settings as platform_settings

    assert platform_settings.QYZMET_PKI_URL == (
        os.environ.get("QYZMET_PKI_URL") or platform_settings.QYZMET_GATEWAY_URL or "http://127.0.0.1:8101"
    )


def test_published_crl_is_signed_by_the_ca_and_lists_a_revoked_certificate(published):
    centre, url = published
    kept, revoked = centre.issue(iin=IIN, password="pw"), centre.issue(iin=IIN, password="pw")
    centre.revoke(revoked.serial, x509.ReasonFlags.key_compromise)
    crl = x509.load_der_x509_crl(_get(f"{url}/pki/crl"))
    assert crl.is_signature_valid(centre.issuing.public_key())
    entry = crl.get_revoked_certificate_by_serial_number(revoked.certificate.serial_number)
    assert entry is not None
    assert (
        entry.extensions.get_extension_for_class(x509.CRLReason).value.reason
        == x509.ReasonFlags.key_compromise
    )
    assert crl.get_revoked_certificate_by_serial_number(kept.certificate.serial_number) is None
    root_crl = x509.load_der_x509_crl(_get(f"{url}/pki/root-crl"))
    assert root_crl.is_signature_valid(centre.root.public_key()) and len(root_crl) == 0
    assert x509.load_der_x509_certificate(_get(f"{url}/pki/issuing.cer")) == centre.issuing


def test_ocsp_answers_good_then_revoked_signed_by_the_ca(published):
    centre, url = published
    issued = centre.issue(iin=IIN, password="pw")
    good = _ocsp(f"{url}/pki/ocsp", issued.certificate, centre.issuing)
    assert good.response_status == ocsp.OCSPResponseStatus.SUCCESSFUL
    assert good.certificate_status == ocsp.OCSPCertStatus.GOOD
    assert good.serial_number == issued.certificate.serial_number
    assert good.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce == b"0123456789abcdef"
    centre.issuing.public_key().verify(
        good.signature,
        good.tbs_response_bytes,
        padding.PKCS1v15(),
        good.signature_hash_algorithm,
    )

    centre.revoke(issued.serial, x509.ReasonFlags.superseded)
    revoked = _ocsp(f"{url}/pki/ocsp", issued.certificate, centre.issuing)
    assert revoked.certificate_status == ocsp.OCSPCertStatus.REVOKED
    assert revoked.revocation_reason == x509.ReasonFlags.superseded


def test_ocsp_refuses_a_certificate_of_another_ca(published, centre):
    _, url = published
    foreign = centre.issue(iin=IIN, password="pw")  # the run's centre, not this test's
    answer = _ocsp(f"{url}/pki/ocsp", foreign.certificate, centre.issuing)
    assert answer.response_status == ocsp.OCSPResponseStatus.UNAUTHORIZED


def _strict_validation(pdf: bytes, centre):
    """pyhanko's validator as `pyhanko sign validate --force-revinfo` runs it: revocation
    information required for every certificate on the path, fetched from where they point."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    root = asn1_x509.Certificate.load(centre.root.public_bytes(serialization.Encoding.DER))
    context = ValidationContext(trust_roots=[root], allow_fetching=True, revocation_mode="require")
    (signature,) = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    return validate_pdf_signature(signature, context)


@pytest.mark.django_db
def test_strict_validator_accepts_a_signed_result_and_refuses_it_once_the_key_is_revoked(published):
    from qyzmet.registry import documents, keys, services

    from . import cast

    centre, _ = published
    provider = cast.provider_for(LICENCE, "reg-test-revinfo")
    entry = services.enter_result(drive(provider, LICENCE, "S6"))
    pdf = documents.entry_pdf(entry)
    status = _strict_validation(pdf, centre)
    assert status.intact and status.valid and status.trusted and status.bottom_line, (
        status.pretty_print_details()
    )

    centre.revoke(keys.signer_for(provider).serial, x509.ReasonFlags.key_compromise)
    assert not _strict_validation(pdf, centre).bottom_line


def test_ocsp_by_get_and_a_malformed_request(published):
    import base64
    from urllib.parse import quote

    centre, url = published
    issued = centre.issue(iin=IIN, password="pw")
    request = (
        ocsp.OCSPRequestBuilder().add_certificate(issued.certificate, centre.issuing, hashes.SHA1()).build()
    )
    encoded = quote(base64.b64encode(request.public_bytes(serialization.Encoding.DER)).decode(), safe="")
    answer = ocsp.load_der_ocsp_response(_get(f"{url}/pki/ocsp/{encoded}"))
    assert answer.certificate_status == ocsp.OCSPCertStatus.GOOD
    post = urllib.request.Request(f"{url}/pki/ocsp", data=b"not an OCSP request")  # noqa: S310
    with urllib.request.urlopen(post, timeout=10) as reply:  # noqa: S310 - a loopback test server
        malformed = ocsp.load_der_ocsp_response(reply.read())
    assert malformed.response_status == ocsp.OCSPResponseStatus.MALFORMED_REQUEST


def test_ocsp_by_get_whose_base64_ends_in_a_slash(published):
    """Base64 without padding may end in "/": the responder must keep it (once, 1 run in ~200 failed)."""
    import base64
    from urllib.parse import quote

    centre, url = published
    issued = centre.issue(iin=IIN, password="pw")
    for attempt in range(5000):
        request = (
            ocsp.OCSPRequestBuilder()
            .add_certificate(issued.certificate, centre.issuing, hashes.SHA1())
            .add_extension(x509.OCSPNonce(attempt.to_bytes(4, "big") + os.urandom(11)), critical=False)
            .build()
        )
        encoded = base64.b64encode(request.public_bytes(serialization.Encoding.DER)).decode()
        if encoded.endswith("/"):
            break
    assert encoded.endswith("/")
    answer = ocsp.load_der_ocsp_response(_get(f"{url}/pki/ocsp/{quote(encoded, safe='')}"))
    assert answer.certificate_status == ocsp.OCSPCertStatus.GOOD
