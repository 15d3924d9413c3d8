"""Receipts given on paper are signed documents made once: at the reception desk and at the
service centre they are issued when the documents are accepted or refused, and stored."""

import hashlib

import pytest
from django.urls import reverse

from qyzmet.engine.models import Application
from qyzmet.gateway.testing import ordinary_bin, ordinary_iin
from qyzmet.intake.paper.models import ReceptionRefusal
from qyzmet.psc.models import Acceptance
from qyzmet.registry import documents
from qyzmet.registry.models import IssuedDocument

from . import test_office_reception as reception
from .psc_helpers import make_centre
from .psc_helpers import provider_for as psc_provider_for
from .test_office_reception import PNG, _file, _submit

# fixtures: the reception desk's (its gateway and certification centre serve the centre's tests too)
desk, platform = reception.desk, reception.platform

pytestmark = pytest.mark.django_db

NARCOTICS = "almaty-2015-2-279/narcotics-licence"


def _served_as_stored(response, issued: IssuedDocument) -> None:
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert hashlib.sha256(response.content).hexdigest() == issued.sha256 == response["ETag"].strip('"')
    assert response.content == documents.read(issued)


def test_the_refusal_to_accept_an_incomplete_set_is_stored_when_given(client, desk):
    provider, _clerk = desk
    _submit(client, provider, ordinary_iin(seed=4), ["standard-clause-9"])
    refusal = ReceptionRefusal.objects.get()
    issued = IssuedDocument.objects.get(kind=IssuedDocument.Kind.INCOMPLETE, reference=refusal.number)
    assert issued.provider == provider and issued.application is None
    _served_as_stored(client.get(reverse("office:reception-refusal-pdf", args=[refusal.number])), issued)
    assert IssuedDocument.objects.count() == 1  # served again, not made again


def test_the_refusal_to_accept_prints_the_refusals_wording_and_the_missing_documents(
    client, desk, monkeypatch
):
    provider, _clerk = desk
    printed = []
    render = documents.render_to_string
    monkeypatch.setattr(
        documents,
        "render_to_string",
        lambda template, context: printed.append(context) or render(template, context),
    )
    _submit(client, provider, ordinary_iin(seed=6), ["standard-clause-9"])
    refusal = ReceptionRefusal.objects.get()
    (context,) = [c for c in printed if c["app"] == refusal]
    assert refusal.message and context["grounds"] == [{"code": refusal.basis, **refusal.message}]
    # each missing document on its own line, named in Kazakh and in Russian
    lines = context["refusal_text"].split("\n")
    assert refusal.missing and len(lines) == len(refusal.missing)
    for line, missing in zip(lines, refusal.missing, strict=True):
        assert missing["kk"] in line and missing["ru"] in line


def test_the_receipt_for_accepted_documents_is_stored_when_filed(client, desk):
    provider, _clerk = desk
    response = _submit(
        client,
        provider,
        ordinary_iin(seed=5),
        ["standard-clause-9", "inventory"],
        [_file("licence-form.png", PNG)],
    )
    assert response.status_code == 302
    app = Application.objects.get()
    issued = IssuedDocument.objects.get(kind=IssuedDocument.Kind.RECEIPT, application=app)
    _served_as_stored(client.get(reverse("office:reception-receipt", args=[app.number])), issued)
    task = client.get(reverse("office:task", args=[app.number])).content.decode()
    assert issued.sha256 in task  # the application's file shows the digest
    _served_as_stored(client.get(reverse("office:document", args=[app.number, issued.pk])), issued)


def test_the_service_centres_receipt_is_stored_at_acceptance(client, monkeypatch):
    monkeypatch.setenv("QYZMET_TODAY", "2015-10-14")
    centre, operator = make_centre()
    client.force_login(operator)
    provider = psc_provider_for(NARCOTICS)
    response = client.post(
        reverse("psc:accept", args=[centre.code]),
        {
            "service": f"{provider.pk}:{NARCOTICS}:issue",
            "applicant": ordinary_bin(seed=41),
            "documents": ["standard", "inventory"],
            "consent": "on",
        },
    )
    acceptance = Acceptance.objects.get()
    assert response.status_code == 302
    issued = IssuedDocument.objects.get(kind=IssuedDocument.Kind.PSC_RECEIPT, reference=acceptance.number)
    assert issued.provider == centre  # signed by the centre that accepted
    _served_as_stored(client.get(reverse("psc:receipt-pdf", args=[centre.code, acceptance.number])), issued)
    page = client.get(reverse("psc:receipt", args=[centre.code, acceptance.number])).content.decode()
    assert issued.sha256 in page
