"""CMS (PKCS#7) detached signatures over requests and documents, checked by OpenSSL itself."""

import pytest
from cryptography import x509

from qyzmet.pki.ca import PKIError, load_p12
from qyzmet.pki.cms import sign_detached, verify_detached
from qyzmet.pki.signing import canonical

from .openssl import cms_verify

IIN = "870412300129"
REQUEST = {"iin": IIN, "regulation": "mhsd-2015-401/specialist-certificate", "note": "Өтініш"}


@pytest.fixture(scope="module")
def signer(centre):
    issued = centre.issue(iin=IIN, password="pw", name="ТЕСТОВ ТЕСТ")
    return load_p12(issued.p12, "pw")


def _openssl_verify(tmp_path, centre, content: bytes, signature: bytes, crl=False):
    return cms_verify(tmp_path, centre, content, signature, crl)


def test_a_signed_request_verifies_with_openssl_cms(tmp_path, centre, signer):
    key, certificate = signer
    signature = sign_detached(canonical(REQUEST), key, certificate, [centre.issuing])
    result = _openssl_verify(tmp_path, centre, canonical(REQUEST), signature, crl=True)
    assert result.returncode == 0 and "Verification successful" in result.stderr, result.stderr
    assert verify_detached(canonical(REQUEST), signature, centre) == certificate


def test_a_signed_pdf_verifies_with_openssl_cms_and_a_changed_one_does_not(tmp_path, centre, signer):
    from weasyprint import HTML

    key, certificate = signer
    pdf = HTML(string="<p>Рұқсат</p>").write_pdf()
    signature = sign_detached(pdf, key, certificate, [centre.issuing])
    assert _openssl_verify(tmp_path, centre, pdf, signature).returncode == 0
    changed = _openssl_verify(tmp_path, centre, pdf + b"\n", signature)
    assert changed.returncode != 0 and "verification failure" in changed.stderr.lower()
    with pytest.raises(PKIError, match="does not match"):
        verify_detached(pdf + b"\n", signature, centre)


def test_a_revoked_signers_cms_signature_is_refused(tmp_path, centre):
    issued = centre.issue(iin=IIN, password="pw")
    key, certificate = load_p12(issued.p12, "pw")
    signature = sign_detached(canonical(REQUEST), key, certificate, [centre.issuing])
    centre.revoke(issued.serial, x509.ReasonFlags.key_compromise)
    result = _openssl_verify(tmp_path, centre, canonical(REQUEST), signature, crl=True)
    assert result.returncode != 0 and "revoked" in result.stderr
    with pytest.raises(PKIError, match="not trusted or is revoked"):
        verify_detached(canonical(REQUEST), signature, centre)


def test_garbage_is_not_a_cms_signature(centre):
    with pytest.raises(PKIError, match="malformed CMS signature"):
        verify_detached(b"data", b"not DER", centre)
