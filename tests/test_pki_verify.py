"""The `check: eds` conditions of the regulations: what the portal accepts and refuses, and why."""

import base64
import datetime as dt
import json
import random
import shutil
import subprocess

import pytest
from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization

from qyzmet.identity import numbers
from qyzmet.pki.ca import AUTH, CertificationCentre, Trust
from qyzmet.pki.signing import canonical, sign, sign_challenge
from qyzmet.pki.verify import (
    GENERIC_REFUSAL,
    Reason,
    refusal_message,
    verify_auth_challenge,
    verify_signed_request,
)

IIN = "870412300129"
OTHER_IIN = numbers.generate_iin(rng=random.Random(7))
BIN = numbers.generate_bin(rng=random.Random(7))
OTHER_BIN = numbers.generate_bin(rng=random.Random(8))
SPECIALIST = "mhsd-2015-401/specialist-certificate"  # the portal checks the IIN
STEM_CELLS = "mhsd-2015-401/stem-cells-import-export-conclusion"  # E-licensing checks the BIN
SPECIALIST_REFUSAL = "The requested service is refused because the applicant's EDS is not confirmed"
STEM_CELLS_REFUSAL = (
    "The requested service is refused because the authenticity of the applicant's EDS is not confirmed"
)
UTC = dt.UTC


@pytest.fixture(scope="session")
def ca(centre):
    """The run's test certification centre (conftest)."""
    return centre


@pytest.fixture(scope="module")
def keys(ca):
    """One key file of each kind, issued once for the module (RSA key generation is the slow part)."""
    return {
        "sign": ca.issue(iin=IIN, password="pw", name="ТЕСТОВ ТЕСТ"),
        "auth": ca.issue(iin=IIN, password="pw", purpose=AUTH),
        "employee": ca.issue(iin=IIN, bin=BIN, organisation="ТОО «Тест»", password="pw"),
        "expired": ca.issue(
            iin=IIN,
            password="pw",
            not_before=dt.datetime(2020, 1, 1, tzinfo=UTC),
            not_after=dt.datetime(2021, 1, 1, tzinfo=UTC),
        ),
        "future": ca.issue(iin=IIN, password="pw", not_before=dt.datetime.now(UTC) + dt.timedelta(days=30)),
    }


def request(**extra):
    return {"iin": IIN, "regulation": SPECIALIST, "service": "specialist-certificate", **extra}


def signed(issued, req=None, signed_at=None):
    return sign(req or request(), issued.private_key, issued.certificate, signed_at)


def test_portal_accepts_request_signed_with_the_applicants_signing_key(ca, keys):
    result = verify_signed_request(signed(keys["sign"]), ca.trust())
    assert result.valid and result.reason is None and result.iin == IIN and result.bin is None
    assert result.refusal_message() is None


def test_signed_request_survives_a_json_round_trip(ca, keys):
    envelope = json.loads(json.dumps(signed(keys["sign"], request(note="Өтініш — заявка"))))
    assert verify_signed_request(envelope, ca.trust()).valid


def test_a_request_signed_by_openssl_cms_verifies(ca, keys, tmp_path):
    """Any CMS tool makes the signature (NCALayer, node-forge, OpenSSL): here `openssl cms -sign`."""
    req = request(note="Өтініш")
    (tmp_path / "request.json").write_bytes(canonical(req))
    (tmp_path / "key.p12").write_bytes(keys["sign"].p12)
    pem = subprocess.run(
        ["openssl", "pkcs12", "-in", tmp_path / "key.p12", "-passin", "pass:pw", "-nodes", "-nocerts"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    (tmp_path / "key.pem").write_bytes(pem)
    (tmp_path / "cert.pem").write_bytes(keys["sign"].certificate.public_bytes(serialization.Encoding.PEM))
    der = subprocess.run(
        ["openssl", "cms", "-sign", "-binary", "-md", "sha256", "-outform", "DER", "-in", tmp_path / "request.json",
         "-signer", tmp_path / "cert.pem", "-inkey", tmp_path / "key.pem"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    envelope = {"request": req, "signature": base64.b64encode(der).decode()}
    assert verify_signed_request(envelope, ca.trust()).valid


def test_canonical_form_is_sorted_compact_utf8():
    assert (
        canonical({"b": 1, "a": {"y": [1, "Ә"], "x": None}}) == '{"a":{"x":null,"y":[1,"Ә"]},"b":1}'.encode()
    )


def test_portal_refuses_expired_certificate(ca, keys):
    result = verify_signed_request(signed(keys["expired"]), ca.trust())
    assert not result.valid and result.reason == Reason.EXPIRED
    assert "expired" in result.detail
    assert result.refusal_message() == SPECIALIST_REFUSAL


def test_portal_refuses_certificate_that_expired_after_signing(ca, keys):
    """Valid when signed is not enough: the portal checks the certificate when it verifies."""
    envelope = signed(keys["sign"])
    later = keys["sign"].certificate.not_valid_after_utc + dt.timedelta(days=1)
    result = verify_signed_request(envelope, ca.trust(), at=later)
    assert result.reason == Reason.EXPIRED


def test_portal_refuses_signature_dated_outside_the_certificates_validity(ca, keys):
    signed_at = keys["sign"].certificate.not_valid_before_utc - dt.timedelta(days=1)
    result = verify_signed_request(signed(keys["sign"], signed_at=signed_at), ca.trust())
    assert result.reason == Reason.NOT_YET_VALID


def test_portal_refuses_certificate_not_yet_valid(ca, keys):
    result = verify_signed_request(signed(keys["future"]), ca.trust())
    assert result.reason == Reason.NOT_YET_VALID


def test_portal_refuses_revoked_certificate(ca):
    issued = ca.issue(iin=IIN, password="pw")
    envelope = signed(issued)
    assert verify_signed_request(envelope, ca.trust()).valid
    ca.revoke(issued.certificate.serial_number)
    result = verify_signed_request(envelope, ca.trust())
    assert result.reason == Reason.REVOKED
    assert result.refusal_message() == SPECIALIST_REFUSAL
    assert (
        result.refusal_message("ru")
        == "Отказ в запрашиваемой услуге в связи с неподтверждением ЭЦП услугополучателя"
    )


def test_portal_refuses_certificate_of_another_iin(ca, keys):
    result = verify_signed_request(signed(keys["sign"], request(iin=OTHER_IIN)), ca.trust())
    assert result.reason == Reason.IIN_MISMATCH
    assert OTHER_IIN in result.detail and IIN in result.detail


def test_elicensing_accepts_employee_certificate_of_the_same_bin(ca, keys):
    req = {"iin": IIN, "bin": BIN, "regulation": STEM_CELLS}
    result = verify_signed_request(signed(keys["employee"], req), ca.trust())
    assert result.valid and result.bin == BIN


def test_elicensing_refuses_certificate_of_another_bin(ca, keys):
    req = {"iin": IIN, "bin": OTHER_BIN, "regulation": STEM_CELLS}
    result = verify_signed_request(signed(keys["employee"], req), ca.trust())
    assert result.reason == Reason.BIN_MISMATCH
    assert result.refusal_message() == STEM_CELLS_REFUSAL


def test_individual_certificate_cannot_sign_for_a_legal_entity(ca, keys):
    req = {"iin": IIN, "bin": BIN, "regulation": STEM_CELLS}
    assert verify_signed_request(signed(keys["sign"], req), ca.trust()).reason == Reason.BIN_MISMATCH


def test_employee_certificate_cannot_sign_an_individuals_request(ca, keys):
    assert verify_signed_request(signed(keys["employee"]), ca.trust()).reason == Reason.BIN_MISMATCH


def test_authentication_key_cannot_sign_a_request(ca, keys):
    result = verify_signed_request(signed(keys["auth"]), ca.trust())
    assert result.reason == Reason.WRONG_KEY_USAGE
    assert "authentication key" in result.detail


def test_tampered_request_is_refused(ca, keys):
    envelope = signed(keys["sign"], request(amount=1))
    envelope["request"]["amount"] = 2
    result = verify_signed_request(envelope, ca.trust())
    assert result.reason == Reason.BAD_SIGNATURE
    assert result.refusal_message() == SPECIALIST_REFUSAL


def _edit_cms(envelope, edit):
    """The envelope with its CMS signature changed by `edit(signed_data, signer_info)`."""
    info = cms.ContentInfo.load(base64.b64decode(envelope["signature"]))
    signed_data = info["content"]
    edit(signed_data, signed_data["signer_infos"][0])
    return {**envelope, "signature": base64.b64encode(info.dump(force=True)).decode()}


def test_signature_with_another_persons_certificate_attached_is_refused(ca, keys):
    """The same person's other key, of the same centre, put in as the signer: the RSA check fails."""
    other = asn1_x509.Certificate.load(
        ca.issue(iin=IIN, password="pw").certificate.public_bytes(serialization.Encoding.DER)
    )

    def swap(signed_data, signer_info):
        signed_data["certificates"] = [other]
        signer_info["sid"] = cms.SignerIdentifier(
            {"issuer_and_serial_number": {"issuer": other.issuer, "serial_number": other.serial_number}}
        )

    envelope = _edit_cms(signed(keys["sign"]), swap)
    result = verify_signed_request(envelope, ca.trust())
    assert result.reason == Reason.BAD_SIGNATURE
    assert result.refusal_message() == SPECIALIST_REFUSAL


def test_certificate_from_another_ca_is_refused(ca, tmp_path):
    # Another centre names its CAs exactly as ours does: only the signatures tell them apart.
    impostor = CertificationCentre(tmp_path / "other").issue(iin=IIN, password="pw")
    result = verify_signed_request(signed(impostor), ca.trust())
    assert result.reason == Reason.UNTRUSTED


def test_revocation_list_not_signed_by_the_issuing_ca_is_not_trusted(ca, keys, tmp_path):
    forged = CertificationCentre(tmp_path / "other").crl()
    trust = Trust(root=ca.root, issuing=ca.issuing, crl=forged)
    assert verify_signed_request(signed(keys["sign"]), trust).reason == Reason.UNTRUSTED


def test_portal_refuses_when_no_revocation_list_is_published(ca, keys, tmp_path):
    copy = CertificationCentre(shutil.copytree(ca.directory, tmp_path / "copy"))
    copy.crl_path.unlink()
    assert verify_signed_request(signed(keys["sign"]), copy.trust()).reason == Reason.UNTRUSTED


def _without_signing_time(signed_data, signer_info):
    attributes = [a for a in signer_info["signed_attrs"] if a["type"].native != "signing_time"]
    signer_info["signed_attrs"] = cms.CMSAttributes(attributes)


def _unknown_key_algorithm(signed_data, _):
    certificate = signed_data["certificates"][0].chosen
    certificate["tbs_certificate"]["subject_public_key_info"]["algorithm"]["algorithm"] = "1.2.3.4"
    signed_data["certificates"] = [certificate]


def _break(envelope, how, keys):
    if how == "not an object":
        return [envelope]
    if how == "no signature":
        return {"request": envelope["request"]}
    if how == "extra field":
        return {**envelope, "note": "x"}
    if how == "the old raw RSA block":
        envelope["signature"] = {"algorithm": "RSASSA-PKCS1-v1_5-SHA256", "value": envelope["signature"]}
    if how == "bad base64":
        envelope["signature"] = "not base64!"
    if how == "not CMS":
        envelope["signature"] = base64.b64encode(b"hello").decode()
    if how == "no certificate":
        return _edit_cms(envelope, lambda signed_data, _: signed_data.__setitem__("certificates", []))
    if how == "no signing time":
        return _edit_cms(envelope, _without_signing_time)
    if how == "signer's key of an unknown algorithm":
        return _edit_cms(envelope, _unknown_key_algorithm)
    if how == "signed in the future":
        return signed(keys["sign"], signed_at=dt.datetime.now(UTC) + dt.timedelta(hours=1))
    if how == "invalid IIN":
        envelope["request"]["iin"] = IIN[:-1] + str((int(IIN[-1]) + 1) % 10)
    if how == "no IIN":
        del envelope["request"]["iin"]
    return envelope


@pytest.mark.parametrize(
    "how",
    [
        "not an object",
        "no signature",
        "extra field",
        "the old raw RSA block",
        "bad base64",
        "not CMS",
        "no certificate",
        "no signing time",
        "signer's key of an unknown algorithm",
        "signed in the future",
        "invalid IIN",
        "no IIN",
    ],
)
def test_malformed_signed_request_is_refused(ca, keys, how):
    result = verify_signed_request(_break(signed(keys["sign"]), how, keys), ca.trust())
    assert not result.valid and result.reason == Reason.MALFORMED, result


def test_refusal_message_without_a_regulation_is_generic(ca, keys):
    result = verify_signed_request(signed(keys["expired"], {"iin": IIN}), ca.trust())
    assert result.refusal_message() == GENERIC_REFUSAL["en"]
    assert result.refusal_message("kk") == GENERIC_REFUSAL["kk"]
    assert refusal_message({"iin": IIN, "regulation": "no/such"}) == GENERIC_REFUSAL["en"]


def test_refusal_message_found_by_service_code_alone():
    assert refusal_message({"iin": IIN, "service": "specialist-certificate"}) == SPECIALIST_REFUSAL


def test_eds_login_accepts_authentication_key(ca, keys):
    challenge = b"portal-login:3f9a"
    block = sign_challenge(challenge, keys["auth"].private_key, keys["auth"].certificate)
    result = verify_auth_challenge(challenge, block, ca.trust())
    assert result.valid and result.iin == IIN


def test_eds_login_refuses_signing_key(ca, keys):
    challenge = b"portal-login:3f9a"
    block = sign_challenge(challenge, keys["sign"].private_key, keys["sign"].certificate)
    assert verify_auth_challenge(challenge, block, ca.trust()).reason == Reason.WRONG_KEY_USAGE


def test_eds_login_refuses_signature_over_another_challenge(ca, keys):
    block = sign_challenge(b"portal-login:old", keys["auth"].private_key, keys["auth"].certificate)
    assert verify_auth_challenge(b"portal-login:new", block, ca.trust()).reason == Reason.BAD_SIGNATURE


def test_eds_login_refuses_revoked_authentication_key(ca):
    issued = ca.issue(iin=IIN, password="pw", purpose=AUTH)
    ca.revoke(issued.certificate.serial_number)
    block = sign_challenge(b"c", issued.private_key, issued.certificate)
    assert verify_auth_challenge(b"c", block, ca.trust()).reason == Reason.REVOKED
