"""The documents the register hands out, as signed PDFs in Kazakh and Russian.

Four documents, each an HTML template turned into PDF by WeasyPrint and signed by the provider
(PAdES baseline B, pyhanko): the result itself (licence, certificate, permit, talon... worded
by kind), the reasoned refusal, the receipt for accepted documents, and the refusal to accept
an incomplete set of documents. The texts are in both languages on one page, Kazakh first, as
state documents are; so they are written out in the templates rather than translated.

Each document carries two QR codes: the signed payload (qr.py), checkable offline with the
provider's certificate, and the address of its live verification page.
"""

from __future__ import annotations

import io
import os

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from qyzmet.engine.models import Application, Status
from qyzmet.pki.ca import CertificationCentre, subject_numbers

from . import qr
from .keys import Signer, signer_for
from .models import Kind, RegisterEntry
from .services import current_status

RECEIPT = "receipt"
REFUSAL = "refusal"
INCOMPLETE = "incomplete"  # refusal to accept the documents: the set was incomplete
APPLICATION_DOCUMENTS = (RECEIPT, REFUSAL, INCOMPLETE)

LICENCE_KINDS = (Kind.LICENCE, Kind.LICENCE_ANNEX, Kind.REISSUED_LICENCE, Kind.DUPLICATE)

# How each kind names its holder and issuer, and what links it to an earlier entry (kk, ru).
WORDING = {
    "licence": {"holder": ("Лицензиат", "Лицензиат"), "issuer": ("Лицензиар", "Лицензиар")},
    "generic": {
        "holder": ("Көрсетілетін қызметті алушы", "Услугополучатель"),
        "issuer": ("Берген орган", "Выдавший орган"),
    },
    Kind.TALON: {
        "holder": ("Бекітілген адам", "Прикреплённое лицо"),
        "issuer": ("Медициналық ұйым", "Медицинская организация"),
    },
}
ORIGINAL_LABEL = {
    Kind.DUPLICATE: ("Түпнұсқаның нөмірі", "Номер подлинника"),
    Kind.REISSUED_LICENCE: ("Қайта ресімделген құжаттың нөмірі", "Номер переоформленного документа"),
}
KIND_NOTE = {
    Kind.DUPLICATE: ("Телнұсқа", "Дубликат"),
    Kind.DATABASE_INCLUSION: ("Деректер базасына енгізілді", "Включён в базу данных"),
    Kind.LICENCE_ANNEX: ("Лицензияға қосымша", "Приложение к лицензии"),
}
STATUS_TEXT = {
    "valid": ("Жарамды", "Действует"),
    "suspended": ("Тоқтатыла тұрды", "Приостановлено"),
    "terminated": ("Тоқтатылды", "Прекращено"),
}


def public_url(path: str) -> str:
    """An absolute address on the public site ($QYZMET_PUBLIC_URL, by default the dev server)."""
    base = getattr(settings, "QYZMET_PUBLIC_URL", None) or os.environ.get(
        "QYZMET_PUBLIC_URL", "http://127.0.0.1:8000"
    )
    return base.rstrip("/") + path


def verify_url(number: str) -> str:
    return public_url(reverse("registry:verify-number", args=[number]))


def _pair(text) -> dict:
    """A kk/ru/en `Text` (model or dict) as a dict."""
    if text is None:
        return {"kk": "", "ru": "", "en": ""}
    return text if isinstance(text, dict) else text.model_dump()


def _codes(signer: Signer, *, number, holder, kind, issued, provider) -> dict:
    payload = qr.make_payload(
        signer, number=number, holder=holder, kind=kind, issued=issued, provider=provider
    )
    url = verify_url(number)
    return {
        "payload": payload,
        "payload_qr": qr.png_data_uri(payload, scale=2),
        "url": url,
        "url_qr": qr.png_data_uri(url, scale=3),
    }


def _signed_by(signer: Signer) -> str:
    """Who signed, as people read it: name, organisation, BIN and the certificate's serial."""
    subject = signer.certificate.subject

    def first(oid):
        values = subject.get_attributes_for_oid(oid)
        return str(values[0].value) if values else ""

    _, bin_ = subject_numbers(signer.certificate)
    parts = [first(NameOID.COMMON_NAME), first(NameOID.ORGANIZATION_NAME), f"БСН/БИН {bin_}" if bin_ else ""]
    return ", ".join(p for p in parts if p) + f" · № {signer.serial}"


def _render(template: str, context: dict, signer: Signer, title: str, reason: str) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, {**context, "signed_by": _signed_by(signer), "title": title})
    pdf = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
    return sign_pdf(pdf, signer, reason=reason)


def sign_pdf(pdf: bytes, signer: Signer, reason: str = "", location: str = "Қазақстан / Казахстан") -> bytes:
    """PAdES signature (baseline B) by the provider's key, the issuing CA's certificate embedded."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    der = serialization.Encoding.DER
    key = asn1_keys.PrivateKeyInfo.load(
        signer.private_key.private_bytes(der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    issuing = CertificationCentre.default().issuing
    pdf_signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(signer.certificate.public_bytes(der)),
        signing_key=key,
        cert_registry=SimpleCertificateStore.from_certs(
            [asn1_x509.Certificate.load(issuing.public_bytes(der))]
        ),
    )
    meta = signers.PdfSignatureMetadata(
        field_name="ProviderSignature",
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason or None,
        location=location,
    )
    out = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), meta, signer=pdf_signer)
    return out.getvalue()


def entry_pdf(entry: RegisterEntry) -> bytes:
    """The issued result, worded by its kind, with its current status."""
    signer = signer_for(entry.provider)
    family = "licence" if entry.kind in LICENCE_KINDS else entry.kind
    wording = WORDING.get(family, WORDING["generic"])
    status = current_status(entry)
    context = {
        "entry": entry,
        "name": _pair(entry.name),
        "activity": _pair(entry.activity),
        "provider_name": _pair(entry.provider.name),
        "holder_label": wording["holder"],
        "issuer_label": wording["issuer"],
        "original_label": ORIGINAL_LABEL.get(entry.kind, ("Бастапқы құжат", "Исходный документ")),
        "kind_note": KIND_NOTE.get(entry.kind),
        "status": status,
        "status_text": STATUS_TEXT[status],
        "codes": _codes(
            signer,
            number=entry.number,
            holder=entry.holder,
            kind=entry.kind,
            issued=entry.issued_on.isoformat(),
            provider=entry.provider.code,
        ),
    }
    return _render(
        "registry/pdf/entry.html", context, signer, f"{entry.number} {entry.name.get('ru', '')}", entry.number
    )


def refused_for_incomplete_documents(application: Application) -> bool:
    """The application was turned away at the completeness check, not refused on the merits."""
    reg = application.regulation.parsed
    checks = {
        (flow.code, step.id)
        for flow in [*reg.procedures, *reg.channels]
        for step in flow.steps
        if step.check == "documents_complete"
    }
    return any(
        (run.flow, run.step_id) in checks and run.outcome in ("incomplete", "no")
        for run in application.steps.all()
    )


def _application_context(application: Application, signer: Signer, which: str, moment) -> dict:
    reg = application.regulation.parsed
    variant = reg.variant(application.variant)
    return {
        "app": application,
        "activity": _pair(reg.title),
        "variant": _pair(variant.name if variant else None),
        "provider_name": _pair(application.provider.name),
        "day": timezone.localtime(moment).date(),
        "moment": timezone.localtime(moment),
        "due": timezone.localtime(application.due_at) if application.due_at else None,
        "documents": application.data.get("documents") or [],
        "codes": _codes(
            signer,
            number=application.number,
            holder=application.applicant,
            kind=which,
            issued=timezone.localtime(moment).date().isoformat(),
            provider=application.provider.code,
        ),
    }


def receipt_pdf(application: Application) -> bytes:
    """The receipt for the documents accepted (given on registration)."""
    signer = signer_for(application.provider)
    context = _application_context(application, signer, RECEIPT, application.registered_at)
    return _render(
        "registry/pdf/receipt.html", context, signer, f"{application.number} receipt", application.number
    )


def refusal_pdf(application: Application) -> bytes:
    """The reasoned refusal, or the refusal to accept incomplete documents, as the case was."""
    if application.status != Status.REFUSED:
        raise ValueError(f"application {application.number} was not refused")
    reg = application.regulation.parsed
    signer = signer_for(application.provider)
    incomplete = refused_for_incomplete_documents(application)
    which = INCOMPLETE if incomplete else REFUSAL
    context = _application_context(application, signer, which, application.closed_at)
    texts = {g.code: g.text for g in reg.refusal_grounds}
    result = next((r for r in reg.results if r.code == application.result), None)
    context.update(
        {
            "result_name": _pair(result.name if result else None),
            "grounds": [_pair(texts.get(code)) | {"code": code} for code in application.refusal_grounds],
            "refusal_text": application.refusal_text,
        }
    )
    template = "registry/pdf/incomplete.html" if incomplete else "registry/pdf/refusal.html"
    return _render(template, context, signer, f"{application.number} {which}", application.number)


def application_document(application: Application, which: str | None = None) -> bytes:
    """A document of an application: `receipt`, or the refusal it ended in (the default when refused)."""
    which = which or (REFUSAL if application.status == Status.REFUSED else RECEIPT)
    if which == RECEIPT:
        return receipt_pdf(application)
    return refusal_pdf(application)
