"""The reception desk of the provider's office (/office/reception/): the `provider_office` channel on paper.

An incomplete set is refused with a numbered receipt; a complete set with its scans goes through
the channel and is filed, with the receipt for accepted documents; an applicant the state
database does not know is refused with the regulation's own message.
"""

import pytest
from django.urls import reverse
from django.utils.html import escape

from qyzmet.engine.models import Application
from qyzmet.gateway import faults
from qyzmet.gateway.models import DataLookup
from qyzmet.gateway.testing import FAST_POLICY, fresh_gateway, ordinary_iin
from qyzmet.intake.paper.models import ReceptionRefusal, ScannedDocument
from qyzmet.office.testing import provider_for, staff
from qyzmet.regulations.loader import catalogue

pytestmark = pytest.mark.django_db

LICENCE = "almaty-2015-2-279/medical-licence"
TODAY = "2015-10-14"  # a Wednesday while the Almaty regulations were in force
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def platform(centre, monkeypatch, settings):
    monkeypatch.setenv("QYZMET_PKI_DIR", str(centre.directory))
    monkeypatch.setenv("QYZMET_TODAY", TODAY)
    settings.QYZMET_GATEWAY_URL = None
    settings.QYZMET_GATEWAY_POLICY = FAST_POLICY
    with fresh_gateway():
        yield


@pytest.fixture
def desk(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the assertions read English labels
    provider = provider_for(LICENCE, "health-almaty")
    clerk = staff(provider, "almaty.clerk", "office-clerk")
    client.force_login(clerk)
    return provider, clerk


def _service(provider):
    return f"{provider.pk}:{LICENCE}"


def _start(client, provider, applicant):
    return client.post(reverse("office:reception"), {"service": _service(provider), "applicant": applicant})


def _submit(client, provider, applicant, documents, files=()):
    data = {
        "service": _service(provider),
        "applicant": applicant,
        "variant": "issue",
        "applicant_name": "ТОО «Шипагер»",
        "phone": "+7 701 000 00 00",
        "documents": list(documents),
    }
    if files:
        data["scans"] = list(files)
    return client.post(reverse("office:reception-submit"), data)


def _file(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_the_form_is_prefilled_from_the_state_database_with_the_clerk_as_initiator(client, desk):
    provider, clerk = desk
    applicant = ordinary_iin(seed=3)
    page = _start(client, provider, applicant)
    assert page.status_code == 200
    lookup = DataLookup.objects.get(subject=applicant)
    assert lookup.initiated_by == clerk.username and LICENCE in lookup.purpose
    surname = lookup.answer["surname"]
    assert surname in page.content.decode()
    # the list to check: the Standard's documents and the applicant's inventory
    assert (
        'value="standard-clause-9"' in page.content.decode() and 'value="inventory"' in page.content.decode()
    )


def test_an_incomplete_set_is_refused_with_a_receipt(client, desk):
    provider, clerk = desk
    applicant = ordinary_iin(seed=4)
    response = _submit(client, provider, applicant, ["standard-clause-9"])
    refusal = ReceptionRefusal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("office:reception-refusal", args=[refusal.number])
    assert refusal.number.startswith("RR-151014-")
    assert refusal.clerk == clerk and refusal.applicant == applicant
    assert len(refusal.missing) == 1 and "Art. 25 p.4" in refusal.missing[0]["en"]
    assert "п. 4 ст. 25" in refusal.missing[0]["ru"]  # kept in every language, for each reader
    page = client.get(response["Location"])
    assert page.status_code == 200 and refusal.number in page.content.decode()
    pdf = client.get(reverse("office:reception-refusal-pdf", args=[refusal.number]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert not Application.objects.exists()


def test_a_complete_set_is_filed_through_the_channel_with_its_scans_and_receipt(client, desk):
    provider, clerk = desk
    applicant = ordinary_iin(seed=5)
    response = _submit(
        client, provider, applicant, ["standard-clause-9", "inventory"], [_file("licence-form.png", PNG)]
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    app = Application.objects.get()
    assert response["Location"] == reverse("office:reception-accepted", args=[app.number])
    assert app.channel == "provider_office" and app.regulation_id == LICENCE and app.provider == provider
    assert str(app.registered_at.astimezone(app.registered_at.tzinfo).date()) <= TODAY
    assert app.data["channel_trace"][-1]["step"] == "C2"  # handed over at the provider's check
    assert [s.name for s in ScannedDocument.objects.filter(application=app)] == ["licence-form.png"]
    assert DataLookup.objects.filter(subject=applicant, initiated_by=clerk.username).count() == 1
    page = client.get(response["Location"])
    assert page.status_code == 200 and app.number in page.content.decode()
    pdf = client.get(reverse("office:reception-receipt", args=[app.number]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_no_record_in_the_state_database_gives_the_regulations_refusal_message(client, desk):
    provider, _ = desk
    applicant = faults.magic_iin("not_found")
    page = _start(client, provider, applicant)
    assert page.status_code == 200 and "has no record of this number" in page.content.decode()
    response = _submit(
        client, provider, applicant, ["standard-clause-9", "inventory"], [_file("scan.pdf", b"%PDF-1.4 x")]
    )
    expected = next(s for s in catalogue()[LICENCE].channel("provider_office").steps if s.id == "P6")
    assert response.status_code == 200
    assert escape(expected.message.en) in response.content.decode()
    assert not Application.objects.exists()


def test_a_file_that_is_not_a_pdf_jpeg_or_png_is_refused(client, desk):
    provider, _ = desk
    response = _submit(
        client,
        provider,
        ordinary_iin(seed=6),
        ["standard-clause-9", "inventory"],
        [_file("scan.pdf", b"MZ not a pdf")],
    )
    assert response.status_code == 400
    assert not Application.objects.exists()


def test_only_clerks_reach_the_desk_and_only_their_providers_receipts(client, desk):
    provider, _ = desk
    _submit(client, provider, ordinary_iin(seed=7), ["standard-clause-9"])
    number = ReceptionRefusal.objects.get().number
    other = provider_for(LICENCE, "health-other")
    client.force_login(staff(other, "other.clerk", "office-clerk"))
    assert client.get(reverse("office:reception-refusal", args=[number])).status_code == 404
    client.force_login(staff(provider, "almaty.executor", "executor"))
    assert client.get(reverse("office:reception")).status_code == 403


def test_a_file_over_10_mb_is_refused(client, desk, monkeypatch):
    from qyzmet.intake import uploads

    monkeypatch.setattr(uploads, "MAX_BYTES", 32)  # the rule, not 10 MB of test data
    provider, _ = desk
    response = _submit(
        client, provider, ordinary_iin(seed=8), ["standard-clause-9", "inventory"], [_file("big.png", PNG)]
    )
    assert response.status_code == 400 and not Application.objects.exists()


def test_demo_clerks_are_seeded_where_a_paper_channel_has_none():
    from qyzmet.demo.office import seed_reception_clerks
    from qyzmet.providers.models import StaffRole

    provider = provider_for("south-kazakhstan-2014-182/narcotics-licence", "skhd")
    assert seed_reception_clerks() == ["skhd.office-clerk"]
    assert StaffRole.objects.filter(provider=provider, role="office-clerk").exists()
    assert seed_reception_clerks() == []  # idempotent


def test_the_scans_are_shown_on_the_task_page_to_the_providers_staff(client, desk):
    provider, _ = desk
    _submit(
        client, provider, ordinary_iin(seed=9), ["standard-clause-9", "inventory"], [_file("form.png", PNG)]
    )
    app = Application.objects.get()
    client.force_login(staff(provider, "almaty.executor", "licensing-department"))
    page = client.get(reverse("office:task", args=[app.number]))
    assert page.status_code == 200 and "form.png" in page.content.decode()
    scan = ScannedDocument.objects.get()
    content = client.get(reverse("office:reception-scan", args=[app.number, scan.pk]))
    assert content.status_code == 200 and content.content == PNG and content["Content-Type"] == "image/png"
    client.force_login(staff(provider_for(LICENCE, "health-other"), "other.head", "head"))
    assert client.get(reverse("office:reception-scan", args=[app.number, scan.pk])).status_code == 404
