"""The papers the reception hands the applicant, as the register's signed PDFs.

The receipt for accepted documents is the register's (`registry.documents.receipt_pdf`). The
receipt for a refused incomplete set has no application behind it, so the register's
refusal-to-accept template is filled here from the `ReceptionRefusal` record, signed by the
provider's key in the same way.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from qyzmet.engine.models import Application
from qyzmet.intake.paper.models import ReceptionRefusal
from qyzmet.intake.paper.reception import refusal_receipt


def receipt_pdf(application: Application) -> bytes:
    from qyzmet.registry.documents import receipt_pdf as register_receipt

    return register_receipt(application)


def refusal_to_accept_pdf(refusal: ReceptionRefusal) -> bytes:
    """The register's "refusal to accept documents (incomplete set)" form, for a reception refusal."""
    from weasyprint import HTML

    from qyzmet.registry import qr
    from qyzmet.registry.documents import INCOMPLETE, sign_pdf, verify_url
    from qyzmet.registry.keys import signer_for

    signer = signer_for(refusal.provider)
    moment = timezone.localtime(refusal.at)
    payload = qr.make_payload(
        signer,
        number=refusal.number,
        holder=refusal.applicant,
        kind=INCOMPLETE,
        issued=moment.date().isoformat(),
        provider=refusal.provider.code,
    )
    reg = refusal.regulation.parsed
    context = {
        "app": refusal,
        "activity": reg.title.model_dump(),
        "provider_name": refusal.provider.name,
        "day": moment.date(),
        "moment": moment,
        **refusal_receipt(refusal),  # what it lists is the paper intake's
        "codes": {
            "payload": payload,
            "payload_qr": qr.png_data_uri(payload, scale=2),
            "url": verify_url(refusal.number),
            "url_qr": qr.png_data_uri(verify_url(refusal.number), scale=3),
        },
        "signed_by": f"№ {signer.serial}",
        "title": f"{refusal.number} incomplete",
    }
    html = render_to_string("registry/pdf/incomplete.html", context)
    pdf = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
    return sign_pdf(pdf, signer, reason=refusal.number)
