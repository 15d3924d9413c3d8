"""The signed documents of the platform, made once: render, sign, store, record.

The one pipeline for every document a provider or service centre issues: the result itself
(licence, certificate, permit, talon... worded by kind), the reasoned refusal, the receipt for
accepted documents, the refusal to accept an incomplete set (of an application, or at a
reception desk), the protocol of a commission's meeting, and the service centre's receipt.
Each is an HTML template turned into PDF by WeasyPrint, signed by the issuer's key (PAdES
baseline B, pyhanko), kept through Django's storage API (`STORAGES["documents"]`) and recorded
once with its SHA-256 (`IssuedDocument`). Every download afterwards serves the stored bytes,
checked against that digest: the same document has the same bytes every time.

The pipeline lives in the register because the register already owns what it needs, the
providers' signing keys (keys.py), the signed QR payloads (qr.py) and the public verification
pages; a separate app would import all of it and be imported back for `issue_documents`.

Documents are issued when what they record happens: results and refusals once the closing is
committed, protocols once their step is, receipts at the reception desk. A document of
something that happened before documents were kept (or whose issuing failed) is made on its
first download by its owner or the staff (`obtain`), never by an anonymous page (`stored`).

The texts are in both languages on one page, Kazakh first, as state documents are; so they are
written out in the templates rather than translated. Each document carries two QR codes: the
signed payload (qr.py), checkable offline with the provider's certificate, and the address of
its live verification page.
"""

from __future__ import annotations

import base64
import hashlib
import io
import logging
import os
from urllib.parse import urlencode

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import get_valid_filename

from qyzmet import clock
from qyzmet.audit.actions import AuditAction
from qyzmet.audit.log import record
from qyzmet.engine.models import Application, Protocol, Status
from qyzmet.engine.statuses import refusal_act
from qyzmet.pki.ca import CertificationCentre, subject_numbers
from qyzmet.regulations import refusals

from . import qr
from .keys import Signer, signer_for
from .models import IssuedDocument, Kind, OfficialSignature, RegisterEntry, RegisterEvent

log = logging.getLogger(__name__)

RECEIPT = IssuedDocument.Kind.RECEIPT.value
REFUSAL = IssuedDocument.Kind.REFUSAL.value
INCOMPLETE = IssuedDocument.Kind.INCOMPLETE.value  # refusal to accept the documents: the set was incomplete
NOT_CONSIDERED = IssuedDocument.Kind.NOT_CONSIDERED.value  # refusal of further consideration (incomplete set)
PROTOCOL = IssuedDocument.Kind.PROTOCOL.value
PSC_RECEIPT = IssuedDocument.Kind.PSC_RECEIPT.value
DECISION = IssuedDocument.Kind.DECISION.value  # of a register event: the licensor's decision
APPLICATION_DOCUMENTS = (RECEIPT, REFUSAL, INCOMPLETE, NOT_CONSIDERED, PROTOCOL, PSC_RECEIPT)
# Each of the three refusals is its own document (`qyzmet.regulations.refusals`): kind and template.
REFUSAL_DOCUMENTS = {
    refusals.ACCEPTANCE: (INCOMPLETE, "registry/pdf/incomplete.html"),
    refusals.CONSIDERATION: (NOT_CONSIDERED, "registry/pdf/not_considered.html"),
    refusals.SERVICE: (REFUSAL, "registry/pdf/refusal.html"),
}
REFUSAL_KINDS = tuple(kind for kind, _template in REFUSAL_DOCUMENTS.values())

# A document's title (the PDF's metadata, shown by a reader's viewer) in Kazakh and Russian.
RECEIPT_TITLE = "Құжаттарды қабылдау туралы қолхат / Расписка о приёме документов"

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
    "void": ("Жарамсыз (телнұсқамен ауыстырылды)", "Недействителен (заменён дубликатом)"),
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


def _document_pair(label) -> str:
    """A recorded document's name as a kk/ru document writes it ("kk / ru"; a plain name as it is)."""
    if isinstance(label, dict):
        return " / ".join(dict.fromkeys(label.get(code) or "" for code in ("kk", "ru") if label.get(code)))
    return str(label)


def _codes(signer: Signer, *, number, holder, kind, issued, provider) -> dict:
    payload = qr.make_payload(
        signer, number=number, holder=holder, kind=kind, issued=issued, provider=provider
    )
    if kind in APPLICATION_DOCUMENTS:
        # Not in the register: its page checks the signed payload, and says nothing to a mere number.
        url = public_url(reverse("registry:verify")) + "?" + urlencode({"q": payload})
    else:
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


def render_html(template: str, context: dict, signer: Signer, title: str) -> str:
    """The HTML a document's PDF is made from: its every word (the language test reads it)."""
    return render_to_string(template, {**context, "signed_by": _signed_by(signer), "title": title})


def _render(template: str, context: dict, signer: Signer, title: str, reason: str) -> bytes:
    from weasyprint import HTML

    html = render_html(template, context, signer, title)
    pdf = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
    return sign_pdf(pdf, signer, reason=reason)


# Bytes kept in the PDF for the CMS signature (hex, so twice its DER): an RSA-2048 signature with
# the signer's and the issuing CA's certificates takes about 4 kB of DER.
SIGNATURE_ROOM = 16384


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
    # Room for the signature given up front: otherwise pyhanko signs once more only to measure it.
    out = signers.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(pdf)), meta, signer=pdf_signer, bytes_reserved=SIGNATURE_ROOM
    )
    return out.getvalue()


def entry_pdf(entry: RegisterEntry, signer: Signer | None = None) -> bytes:
    """The issued result, worded by its kind, with its status (when issued: valid)."""
    signer = signer or signer_for(entry.provider)
    family = "licence" if entry.kind in LICENCE_KINDS else entry.kind
    wording = WORDING.get(family, WORDING["generic"])
    from .services import lineage_dates  # services issues documents: imported when one is made

    status = entry.events.order_by("-seq").values_list("status", flat=True).first() or entry.status
    context = {
        **lineage_dates(entry),  # a duplicate states the first issue and the re-issue (Art. 43 p.4)
        "official": _official_signature(IssuedDocument.Kind.RESULT, entry.application),
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


# The actions of a decision on a permit's status, as the document names them (kk, ru).
DECISION_ACTION = {
    "suspended": ("Рұқсаттың қолданылуын тоқтата тұру", "Приостановление действия разрешения"),
    "resumed": ("Рұқсаттың қолданылуын қайта бастау", "Возобновление действия разрешения"),
    "withdrawn": ("Рұқсаттан айыру (кері қайтарып алу)", "Лишение (отзыв) разрешения"),
    "terminated": ("Рұқсаттың қолданылуын тоқтату", "Прекращение действия разрешения"),
    "voided": ("Бланкті жарамсыз деп тану", "Признание бланка недействительным"),
}


def decision_reference(event: RegisterEvent) -> str:
    return f"{event.entry.number}#{event.seq}"


def decision_pdf(event: RegisterEvent, signer: Signer | None = None) -> bytes:
    """The licensor's decision on a permit's status, as recorded in the register's chain: what,
    on which ground of which law, from when (and until when, for a suspension), by whom."""
    from . import grounds  # the grounds' texts, read once

    entry = event.entry
    signer = signer or signer_for(entry.provider)
    ground = grounds.get(event.data.get("ground", ""))
    context = {
        "entry": entry,
        "event": event,
        "name": _pair(entry.name),
        "provider_name": _pair(entry.provider.name),
        "action": DECISION_ACTION.get(event.action, (event.action, event.action)),
        "ground": ground.name if ground else {"kk": event.data.get("ground", ""), "ru": ""},
        "data": event.data,
        "moment": timezone.localtime(event.at),
        "codes": _codes(
            signer,
            number=entry.number,
            holder=entry.holder,
            kind=DECISION,
            issued=event.data.get("from") or timezone.localtime(event.at).date().isoformat(),
            provider=entry.provider.code,
        ),
    }
    reference = decision_reference(event)
    return _render(
        "registry/pdf/decision.html",
        context,
        signer,
        f"{reference} {' / '.join(DECISION_ACTION.get(event.action, (event.action,)))}",
        reference,
    )


def refused_for_incomplete_documents(application: Application) -> bool:
    """The application was turned away for an incomplete set (not accepted, or not considered
    further), not refused on the merits."""
    return refusal_act(application) in (refusals.ACCEPTANCE, refusals.CONSIDERATION)


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


def receipt_pdf(application: Application, signer: Signer | None = None) -> bytes:
    """The receipt for the documents accepted (given on registration)."""
    signer = signer or signer_for(application.provider)
    context = _application_context(application, signer, RECEIPT, application.registered_at)
    return _render(
        "registry/pdf/receipt.html",
        context,
        signer,
        f"{application.number} {RECEIPT_TITLE}",
        application.number,
    )


def refusal_pdf(application: Application, signer: Signer | None = None) -> bytes:
    """The refusal the application ended in, as its own act: the refusal to accept the documents,
    the reasoned refusal of further consideration, or the reasoned refusal to provide the service."""
    if application.status != Status.REFUSED:
        raise ValueError(f"application {application.number} was not refused")
    reg = application.regulation.parsed
    signer = signer or signer_for(application.provider)
    act = refusals.ACTS[refusal_act(application)]
    which, template = REFUSAL_DOCUMENTS[act.code]
    context = _application_context(application, signer, which, application.closed_at)
    texts = {g.code: g.text for g in reg.refusal_grounds}
    result = next((r for r in reg.results if r.code == application.result), None)
    calendar = application.provider.calendar()
    context.update(
        {
            "act": act,
            "registered": timezone.localtime(application.registered_at),
            "term_due": timezone.localtime(
                calendar.due(application.registered_at, refusals.CONSIDERATION_TERM)
            )
            if act.code == refusals.CONSIDERATION
            else None,
            "result_name": _pair(result.name if result else None),
            "grounds": [_pair(texts.get(code)) | {"code": code} for code in application.refusal_grounds],
            "refusal_text": application.refusal_text,
            "official": _official_signature(which, application),
        }
    )
    return _render(template, context, signer, f"{application.number} {act.kk} / {act.ru}", application.number)


def application_document(application: Application, which: str | None = None) -> bytes:
    """A document of an application: `receipt`, or the refusal it ended in (the default when
    refused), as stored when issued (made now, once, if it never was: call on behalf of the
    applicant or the staff only)."""
    return read(obtain_for_application(application, which))


def protocol_pdf(protocol: Protocol, signer: Signer | None = None) -> bytes:
    """The protocol of the meeting at which a commission or council decided a step."""
    application = protocol.application
    signer = signer or signer_for(application.provider)
    reg = application.regulation.parsed
    run = protocol.step_run
    step = reg.step(run.flow, run.step_id)
    context = _application_context(application, signer, PROTOCOL, protocol.recorded_at)
    context.update(
        {
            "protocol": protocol,
            "meeting_at": timezone.localtime(protocol.meeting_at),
            "step_action": _pair(step.action if step else None),
            "step_id": run.step_id,
        }
    )
    return _render(
        "registry/pdf/protocol.html",
        context,
        signer,
        f"{application.number} Хаттама / Протокол {protocol.number}",
        application.number,
    )


def incomplete_set_pdf(refusal, signer: Signer | None = None) -> bytes:
    """The "refusal to accept documents (incomplete set)" form for a refusal at a reception desk,
    which has no application behind it: `refusal` names its number, provider, regulation,
    applicant, moment (`at`), the documents `missing` and its `grounds()` (the paper intake's
    wording: the channel's own, or the law's)."""
    signer = signer or signer_for(refusal.provider)
    moment = timezone.localtime(refusal.at)
    context = {
        "app": refusal,
        "activity": _pair(refusal.regulation.parsed.title),
        "provider_name": _pair(refusal.provider.name),
        "day": moment.date(),
        "moment": moment,
        "grounds": refusal.grounds(),
        "refusal_text": "\n".join(_document_pair(m) for m in refusal.missing),
        "codes": _codes(
            signer,
            number=refusal.number,
            holder=refusal.applicant,
            kind=INCOMPLETE,
            issued=moment.date().isoformat(),
            provider=refusal.provider.code,
        ),
    }
    return _render(
        "registry/pdf/incomplete.html",
        context,
        signer,
        f"{refusal.number} {refusals.ACTS[refusals.ACCEPTANCE].kk} / {refusals.ACTS[refusals.ACCEPTANCE].ru}",
        refusal.number,
    )


def psc_receipt_pdf(acceptance, signer: Signer | None = None) -> bytes:
    """The service centre's receipt for documents accepted (or not), signed by the centre's key."""
    signer = signer or signer_for(acceptance.centre)
    moment = timezone.localtime(acceptance.accepted_at)
    application = acceptance.application
    context = {
        "a": acceptance,
        "activity": _pair(acceptance.regulation.parsed.title),
        "provider_name": _pair(acceptance.centre.name),
        "to_provider": _pair(acceptance.provider.name),
        "moment": moment,
        "due": timezone.localtime(application.due_at) if application and application.due_at else None,
        "message": _pair(acceptance.message) if acceptance.message else None,
        "codes": _codes(
            signer,
            number=acceptance.number,
            holder=acceptance.applicant,
            kind=PSC_RECEIPT,
            issued=moment.date().isoformat(),
            provider=acceptance.centre.code,
        ),
    }
    return _render(
        "registry/pdf/psc_receipt.html",
        context,
        signer,
        f"{acceptance.number} {RECEIPT_TITLE}",
        acceptance.number,
    )


# The pipeline --------------------------------------------------------------------------------


class DocumentAltered(Exception):
    """The stored bytes no longer have the SHA-256 recorded when the document was issued."""


def storage():
    return storages["documents"]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _language(application: Application | None) -> str:
    language = ((application.data or {}).get("language") if application is not None else None) or ""
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _issue(kind: str, reference: str, provider, make, *, application=None, entry=None) -> IssuedDocument:
    """Render and sign (`make(signer)`), store and record a document, once: if it was issued
    already, the record of the first. No transaction is held while rendering and signing."""
    found = stored(kind, reference)
    if found is not None:
        return found
    signer = signer_for(provider)
    language = _language(application)
    with translation.override(language):
        pdf = make(signer)
    now = clock.now()
    official = _official_signature(kind, application)
    name = storage().save(
        f"{kind}/{now:%Y/%m}/{get_valid_filename(reference)}.pdf", ContentFile(pdf, name=f"{reference}.pdf")
    )
    try:
        with transaction.atomic():
            document = IssuedDocument.objects.create(
                kind=kind,
                reference=reference,
                application=application,
                register_entry=entry,
                provider=provider,
                language=language,
                storage_name=name,
                sha256=sha256(pdf),
                size=len(pdf),
                signer_serial=signer.serial,
                official_signature=official,
                created_at=now,
            )
            # The digest goes into the audit chain too: a stored file swapped together with its
            # row would still differ from what the chain recorded when it was issued.
            record(
                "system",
                AuditAction.DOCUMENT_ISSUED,
                application or document,
                {"kind": kind, "reference": reference, "sha256": document.sha256, "size": document.size},
                at=now,
            )
            return document
    except IntegrityError:
        storage().delete(name)  # issued meanwhile by another process: the first one stands
        return IssuedDocument.objects.get(kind=kind, reference=reference)


def _official_signature(kind: str, application) -> OfficialSignature | None:
    """The official's EDS signature over the decision a result or refusal records (signed in the
    browser before the step was completed, `decisions.sign_decision`), kept with the document."""
    if application is None or kind not in (IssuedDocument.Kind.RESULT, *REFUSAL_KINDS):
        return None
    return (
        OfficialSignature.objects.filter(application=application, document__isnull=True)
        .order_by("-id")
        .first()
    )


def stored(kind: str, reference: str) -> IssuedDocument | None:
    """The document as issued, or None: never renders, signs or writes (for public pages)."""
    return IssuedDocument.objects.filter(kind=kind, reference=reference).first()


def read(document: IssuedDocument) -> bytes:
    """The stored bytes of a document, checked against the SHA-256 recorded at issue."""
    with storage().open(document.storage_name, "rb") as file:
        data = file.read()
    if sha256(data) != document.sha256:
        raise DocumentAltered(f"{document.storage_name}: SHA-256 differs from the one recorded at issue")
    return data


def issue_result(entry: RegisterEntry) -> IssuedDocument:
    return _issue(
        IssuedDocument.Kind.RESULT,
        entry.number,
        entry.provider,
        lambda signer: entry_pdf(entry, signer),
        application=entry.application,
        entry=entry,
    )


def issue_decision(event: RegisterEvent) -> IssuedDocument:
    entry = event.entry
    return _issue(
        DECISION,
        decision_reference(event),
        entry.provider,
        lambda signer: decision_pdf(event, signer),
        application=entry.application,
        entry=entry,
    )


def issue_receipt(application: Application) -> IssuedDocument:
    return _issue(
        RECEIPT,
        application.number,
        application.provider,
        lambda signer: receipt_pdf(application, signer),
        application=application,
    )


def issue_refusal(application: Application) -> IssuedDocument:
    """The refusal the application ended in, as the document of its own act (`refusal_pdf`)."""
    kind, _template = REFUSAL_DOCUMENTS[refusal_act(application)]
    return _issue(
        kind,
        application.number,
        application.provider,
        lambda signer: refusal_pdf(application, signer),
        application=application,
    )


def issue_protocol(protocol: Protocol) -> IssuedDocument:
    application = protocol.application
    return _issue(
        PROTOCOL,
        f"{application.number}/{protocol.pk}",
        application.provider,
        lambda signer: protocol_pdf(protocol, signer),
        application=application,
    )


def issue_incomplete_set(refusal) -> IssuedDocument:
    """The receipt for a set of documents refused at a reception desk (see `incomplete_set_pdf`)."""
    return _issue(
        INCOMPLETE, refusal.number, refusal.provider, lambda signer: incomplete_set_pdf(refusal, signer)
    )


def issue_psc_receipt(acceptance) -> IssuedDocument:
    return _issue(
        PSC_RECEIPT,
        acceptance.number,
        acceptance.centre,
        lambda signer: psc_receipt_pdf(acceptance, signer),
        application=acceptance.application,
    )


def issue_documents(entry: RegisterEntry) -> IssuedDocument:
    """What entering a result in the register issues: the signed result."""
    return issue_result(entry)


def issue_for_application(application: Application) -> list[IssuedDocument]:
    """Every document the application's state calls for and that is not issued yet: its result
    or refusal once closed, the protocols of its meetings. Safe to call again: each is made once."""
    issued = [issue_protocol(p) for p in application.protocols.select_related("step_run")]
    entry = RegisterEntry.objects.filter(application=application).select_related("provider").first()
    if entry is not None:
        issued.append(issue_result(entry))
    elif application.status == Status.REFUSED:
        issued.append(issue_refusal(application))
    return issued


def obtain_result(entry: RegisterEntry) -> IssuedDocument:
    """The result as issued, made now if it never was (for its holder or the staff, not anonymously)."""
    return stored(IssuedDocument.Kind.RESULT, entry.number) or issue_result(entry)


def obtain_for_application(application: Application, which: str | None = None) -> IssuedDocument:
    """An application's `receipt`, or the refusal it ended in (the default when refused), as
    issued; made now if it never was (for the applicant or the staff, not anonymously)."""
    which = which or (REFUSAL if application.status == Status.REFUSED else RECEIPT)
    if which == RECEIPT:
        return stored(RECEIPT, application.number) or issue_receipt(application)
    if application.status != Status.REFUSED:
        raise ValueError(f"application {application.number} was not refused")
    found = IssuedDocument.objects.filter(kind__in=REFUSAL_KINDS, reference=application.number).first()
    return found or issue_refusal(application)


def documents_of(application: Application) -> list[IssuedDocument]:
    """Every document issued for the application, its result's included, oldest first."""
    return list(IssuedDocument.objects.filter(application=application).order_by("created_at", "id"))


def http_response(document: IssuedDocument, filename: str, *, attachment: bool = False):
    """The stored bytes of `document` as a PDF response, with their SHA-256 (checked on reading)
    as the ETag and in `Repr-Digest` (RFC 9530), so a client can check what it received."""
    data = read(document)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'{"attachment" if attachment else "inline"}; filename="{filename}"'
    response["ETag"] = f'"{document.sha256}"'
    response["Repr-Digest"] = f"sha-256=:{base64.b64encode(bytes.fromhex(document.sha256)).decode()}:"
    return response


def issue_now(issue, subject) -> IssuedDocument | None:
    """`issue(subject)` at the moment the document is given (a reception desk, a service centre),
    where what it records is already committed: if making it fails, that is logged and the
    document is made on its first download instead."""
    try:
        return issue(subject)
    except Exception:
        log.exception(
            "issuing %s for %s failed; it will be made on its first download", issue.__name__, subject
        )
        return None
