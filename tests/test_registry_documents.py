"""Signed PDFs of the register, checked by an independent validator, and the signed QR payload."""

import base64
import io
import json

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from qyzmet.registry import documents, keys, qr, services

from . import registry_helpers
from .registry_helpers import CERTIFICATE, LICENCE, PROVIDER_CODE, drive

# fixtures
centre, key_files = registry_helpers.centre, registry_helpers.key_files
provider, ministry = registry_helpers.provider, registry_helpers.ministry

pytestmark = pytest.mark.django_db


def _validate(pdf: bytes, centre):
    """pyhanko's own validator, with only the test centre's root trusted and no network."""
    root = asn1_x509.Certificate.load(centre.root.public_bytes(serialization.Encoding.DER))
    context = ValidationContext(trust_roots=[root], allow_fetching=False, revocation_mode="soft-fail")
    signatures = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    assert len(signatures) == 1
    return validate_pdf_signature(signatures[0], context)


def _captured(monkeypatch):
    """Replace the HTML-to-PDF step by a recorder of the template and its context."""
    seen = {}

    def render(template, context, signer, title, reason):
        seen.update(template=template, context=context)
        return b"%PDF"

    monkeypatch.setattr(documents, "_render", render)
    return seen


def test_licence_pdf_passes_an_independent_signature_validator(provider, centre):
    entry = services.enter_result(drive(provider, LICENCE, "S6"))
    pdf = documents.entry_pdf(entry)
    assert pdf.startswith(b"%PDF")
    status = _validate(pdf, centre)
    assert status.intact and status.valid and status.trusted and status.bottom_line
    assert f"BIN{keys._demo_numbers(PROVIDER_CODE)[0]}" in status.signing_cert.subject.human_friendly


def test_a_pdf_changed_after_signing_fails_validation(provider, centre):
    pdf = documents.entry_pdf(services.enter_result(drive(provider, LICENCE, "S6")))
    start = pdf.index(b"/Type /Page") if b"/Type /Page" in pdf else 200
    tampered = pdf[:start] + pdf[start:].replace(b"/MediaBox", b"/MediaBoX", 1)
    status = _validate(tampered, centre)
    assert not status.intact and not status.bottom_line


def test_untrusted_root_is_not_accepted(provider, tmp_path):
    from qyzmet.pki.ca import CertificationCentre

    pdf = documents.entry_pdf(services.enter_result(drive(provider, LICENCE, "S6")))
    stranger = CertificationCentre(tmp_path / "other").ensure()
    assert not _validate(pdf, stranger).trusted


def test_reasoned_refusal_cites_the_regulations_grounds(provider, monkeypatch):
    app = drive(provider, LICENCE, "S6-refusal")
    seen = _captured(monkeypatch)
    documents.refusal_pdf(app)
    assert seen["template"] == "registry/pdf/refusal.html"
    ground = seen["context"]["grounds"][0]
    assert ground["code"] == app.refusal_grounds[0] and ground["ru"] and ground["kk"]
    assert seen["context"]["refusal_text"] == app.refusal_text


def test_incomplete_documents_give_the_refusal_of_further_consideration(ministry, centre):
    app = drive(ministry, CERTIFICATE, "S3-not-considered")  # turned away at S2: incomplete
    assert documents.refused_for_incomplete_documents(app)
    pdf = documents.refusal_pdf(app)
    assert _validate(pdf, centre).bottom_line


def test_receipt_is_signed(ministry, centre, monkeypatch):
    app = drive(ministry, CERTIFICATE, "S5", data={"documents": ["Заявление / Өтініш", "Диплом"]})
    assert _validate(documents.receipt_pdf(app), centre).bottom_line
    seen = _captured(monkeypatch)
    documents.application_document(app)
    assert seen["template"] == "registry/pdf/receipt.html"
    assert seen["context"]["documents"] == ["Заявление / Өтініш", "Диплом"]


def test_qr_payload_verifies_and_a_forged_one_is_refused(provider, ministry, centre):
    entry = services.enter_result(drive(provider, LICENCE, "S6"))
    signer = keys.signer_for(provider)
    fields = dict(
        number=entry.number, holder=entry.holder, kind=entry.kind, issued="2015-06-01", provider=provider.code
    )
    payload = qr.make_payload(signer, **fields)
    check = qr.verify_payload(payload)
    assert check.valid and check.data["n"] == entry.number and check.data["p"] == PROVIDER_CODE

    prefix, body, signature = payload.split(".")
    data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    data["h"] = "900101300156"  # someone else's document
    forged_body = base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    assert not qr.verify_payload(f"{prefix}.{forged_body}.{signature}")
    assert not qr.verify_payload(payload[:-4] + ("AAAA" if not payload.endswith("AAAA") else "BBBB"))
    assert not qr.verify_payload("garbage")
    # genuinely signed, but by another provider's key while naming this provider
    other = qr.make_payload(keys.signer_for(ministry), **fields)
    assert qr.verify_payload(other).problem == "the key belongs to another provider"


def test_a_provider_with_a_long_name_is_named_in_full_in_its_certificate(db, centre):
    import subprocess

    from cryptography.x509.oid import NameOID
    from weasyprint import HTML

    from . import cast

    full = (
        "Государственное учреждение «Управление здравоохранения города Алматы» "
        "(лицензиар медицинской и фармацевтической деятельности)"
    )
    assert len(full) > 64
    provider = cast.provider_for(LICENCE, "reg-test-long-name")
    provider.name = {"kk": full, "ru": full, "en": full}
    provider.save(update_fields=["name"])
    signer = keys.signer_for(provider)
    named = signer.certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    assert [a.value for a in named] == [full]
    # OpenSSL and pyhanko (asn1crypto) read the whole name back from the certificate and the PDF.
    pem = signer.certificate.public_bytes(serialization.Encoding.PEM)
    subject = subprocess.run(
        ["openssl", "x509", "-noout", "-subject", "-nameopt", "utf8,sep_multiline"],
        input=pem,
        capture_output=True,
        check=True,
    ).stdout.decode()
    assert f"O={full}" in subject
    status = _validate(documents.sign_pdf(HTML(string="<p>Лицензия</p>").write_pdf(), signer), centre)
    assert status.bottom_line and full in status.signing_cert.subject.human_friendly
