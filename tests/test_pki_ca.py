"""The test certification centre: key files shaped like NUC RK's, the register and the CRL."""

import datetime as dt
import random

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from qyzmet.identity import numbers
from qyzmet.pki import registry
from qyzmet.pki.ca import AUTH, SIGN, CertificationCentre, PKIError, crl_number, load_p12, purpose_of
from qyzmet.pki.models import IssuedCertificate

IIN = "870412300129"
BIN = numbers.generate_bin(rng=random.Random(3))
UTC = dt.UTC


@pytest.fixture(scope="session")
def ca(centre):
    """The run's test certification centre (conftest)."""
    return centre


@pytest.fixture(scope="module")
def signing(ca):
    return ca.issue(iin=IIN, password="secret", name="ТЕСТОВ ТЕСТ")


@pytest.fixture(scope="module")
def auth(ca):
    return ca.issue(iin=IIN, password="secret", purpose=AUTH)


def _subject(cert, oid):
    return [a.value for a in cert.subject.get_attributes_for_oid(oid)]


def _usage(cert):
    return cert.extensions.get_extension_for_class(x509.KeyUsage).value


def test_signing_key_file_is_shaped_like_the_national_one(signing):
    key, cert = load_p12(signing.p12, "secret")
    assert isinstance(key, rsa.RSAPrivateKey) and key.key_size == 2048
    assert _subject(cert, NameOID.SERIAL_NUMBER) == [f"IIN{IIN}"]
    assert _subject(cert, NameOID.COMMON_NAME) == ["ТЕСТОВ ТЕСТ"]
    usage = _usage(cert)
    assert usage.digital_signature and usage.content_commitment and not usage.key_encipherment
    assert purpose_of(cert) == SIGN
    bundle = pkcs12.load_pkcs12(signing.p12, b"secret")
    assert bundle.cert.friendly_name.startswith(b"RSA256_")
    assert [c.certificate.subject for c in bundle.additional_certs] == [cert.issuer]


def test_authentication_key_file_is_a_separate_key_for_log_in(signing, auth):
    _, cert = load_p12(auth.p12, "secret")
    usage = _usage(cert)
    assert usage.digital_signature and usage.key_encipherment and not usage.content_commitment
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.CLIENT_AUTH]
    assert purpose_of(cert) == AUTH
    assert pkcs12.load_pkcs12(auth.p12, b"secret").cert.friendly_name.startswith(b"AUTH_RSA256_")
    assert cert.public_key().public_numbers() != signing.certificate.public_key().public_numbers()


def test_employee_certificate_carries_bin(ca):
    cert = ca.issue(iin=IIN, bin=BIN, organisation="ТОО «Тест»", password="pw").certificate
    assert _subject(cert, NameOID.ORGANIZATIONAL_UNIT_NAME) == [f"BIN{BIN}"]
    assert _subject(cert, NameOID.ORGANIZATION_NAME) == ["ТОО «Тест»"]
    assert _subject(cert, NameOID.SERIAL_NUMBER) == [f"IIN{IIN}"]


def test_validity_dates_are_settable(ca):
    start, end = dt.datetime(2015, 3, 20, 4, tzinfo=UTC), dt.datetime(2016, 3, 20, 4, tzinfo=UTC)
    cert = ca.issue(iin=IIN, password="pw", not_before=start, not_after=end).certificate
    assert (cert.not_valid_before_utc, cert.not_valid_after_utc) == (start, end)
    with pytest.raises(PKIError):
        ca.issue(iin=IIN, password="pw", not_before=end, not_after=start)


def test_wrong_password_does_not_open_the_key_file(signing):
    with pytest.raises(PKIError, match="wrong password"):
        load_p12(signing.p12, "guess")


def test_issuing_ca_is_under_the_root(ca):
    ca.issuing.verify_directly_issued_by(ca.root)
    assert ca.issuing.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


def test_centre_is_created_once_and_kept(ca):
    again = CertificationCentre(ca.directory)
    assert again.root == ca.root and again.issuing == ca.issuing


def test_default_centre_is_in_QYZMET_PKI_DIR(monkeypatch, tmp_path):
    monkeypatch.setenv("QYZMET_PKI_DIR", str(tmp_path / "elsewhere"))
    assert CertificationCentre.default().directory == tmp_path / "elsewhere"


def test_default_centre_is_under_var_dir(monkeypatch, settings, tmp_path):
    monkeypatch.delenv("QYZMET_PKI_DIR", raising=False)
    settings.VAR_DIR = tmp_path
    assert CertificationCentre.default().directory == tmp_path / "pki"


def test_revoking_publishes_a_new_crl_signed_by_the_issuing_ca(ca):
    issued = ca.issue(iin=IIN, password="pw")
    before = crl_number(ca.crl())
    crl = ca.revoke(issued.certificate.serial_number, x509.ReasonFlags.key_compromise)
    assert crl_number(crl) == before + 1
    published = ca.crl()
    assert published.is_signature_valid(ca.issuing.public_key()) and published.issuer == ca.issuing.subject
    entry = published.get_revoked_certificate_by_serial_number(issued.certificate.serial_number)
    assert (
        entry.extensions.get_extension_for_class(x509.CRLReason).value.reason
        == x509.ReasonFlags.key_compromise
    )


def test_next_crl_keeps_earlier_revocations(ca):
    first, second = ca.issue(iin=IIN, password="pw"), ca.issue(iin=IIN, password="pw")
    ca.revoke(first.certificate.serial_number)
    crl = ca.revoke(second.certificate.serial_number)
    assert crl.get_revoked_certificate_by_serial_number(first.certificate.serial_number)
    assert crl.get_revoked_certificate_by_serial_number(second.certificate.serial_number)


def test_revoking_twice_publishes_nothing_new(ca):
    issued = ca.issue(iin=IIN, password="pw")
    number = crl_number(ca.revoke(issued.certificate.serial_number))
    assert crl_number(ca.revoke(issued.certificate.serial_number)) == number


def test_revoking_a_certificate_the_centre_did_not_issue_is_refused(ca):
    with pytest.raises(PKIError, match="not issued"):
        ca.revoke(12345)


@pytest.mark.django_db
def test_issued_certificates_are_recorded(ca):
    issued, record = registry.issue(ca, iin=IIN, bin=BIN, name="ТЕСТОВ ТЕСТ", password="pw")
    record.refresh_from_db()
    assert (record.serial, record.iin, record.bin, record.purpose) == (issued.serial, IIN, BIN, "sign")
    assert record.not_after == issued.certificate.not_valid_after_utc
    assert record.revoked_at is None and registry.find_by_p12(issued.p12) == record


@pytest.mark.django_db
def test_revocation_is_recorded_with_its_reason(ca):
    issued, _ = registry.issue(ca, iin=IIN, password="pw")
    registry.revoke(issued.serial, x509.ReasonFlags.superseded, ca)
    record = IssuedCertificate.objects.get(serial=issued.serial)
    assert record.revoked and record.reason == "superseded"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "iin,bin_,problem", [("870412300128", None, "invalid IIN"), (IIN, "123", "invalid BIN")]
)
def test_register_refuses_invalid_numbers(ca, iin, bin_, problem):
    with pytest.raises(PKIError, match=problem):
        registry.issue(ca, iin=iin, bin=bin_, password="pw")
    assert not IssuedCertificate.objects.exists()


@pytest.fixture
def open_umask():
    """A umask that hides nothing, so only the code's own modes keep key files private."""
    import os

    previous = os.umask(0)
    yield
    os.umask(previous)


def test_ca_private_keys_are_owner_only_and_certificates_public(tmp_path, open_umask):
    centre = CertificationCentre(tmp_path / "fresh-ca").ensure()
    issued = centre.issue(iin=IIN, password="secret")
    modes = {p.name: p.stat().st_mode & 0o777 for p in centre.directory.rglob("*") if p.is_file()}
    assert modes["root.key.pem"] == modes["issuing.key.pem"] == 0o600
    assert modes["root.pem"] == modes["issuing.pem"] == modes["issuing.crl"] == 0o644
    assert modes[f"{issued.serial}.pem"] == 0o644


def test_write_private_makes_an_owner_only_file_even_over_a_public_one(tmp_path, open_umask):
    from qyzmet.pki.ca import write_private

    path = tmp_path / "key.p12"
    path.write_bytes(b"old")
    path.chmod(0o666)
    write_private(path, b"key file")
    assert path.read_bytes() == b"key file" and path.stat().st_mode & 0o777 == 0o600
