"""Paper intake, the same at both counters: every case runs through the provider's office and the
Population Service Centre's pages (`office/` and `psc/` are faces of `qyzmet.intake.paper`).

A complete set is filed through the regulation's channel; an incomplete one is refused to accept
in the regulation's own words, with a receipt; while a state database is down the documents are
accepted, the registration is queued and the clerk or operator is told so, and the periodic retry
files it once the database answers, exactly once; the lookups stay as evidence when the filing
fails; and no call to the state databases is made inside a database transaction (a hook on the
gateway's transport checks `connection.in_atomic_block` on every call, so these tests run
outside the test-case transaction).
"""

from __future__ import annotations

import time

import pytest
from django.db import connection
from django.urls import reverse
from django.utils.html import escape

from qyzmet.engine.models import Application
from qyzmet.engine.scheduler import run_scheduled_jobs
from qyzmet.gateway import faults, transport
from qyzmet.gateway.models import DataLookup
from qyzmet.gateway.testing import ordinary_bin
from qyzmet.intake.paper.models import ReceptionRefusal, Registration
from qyzmet.intake.paper.reception import fee_due
from qyzmet.office.testing import load_regulations, staff
from qyzmet.psc.models import Acceptance
from qyzmet.regulations.loader import catalogue

from .psc_helpers import centre_pki, make_centre, platform, provider_for, working_moment  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("platform")]

NARCOTICS = "almaty-2015-2-279/narcotics-licence"  # both an office and a psc channel; the record is a BIN
PDF = b"%PDF-1.4\n%scan\n"
STATE_DATABASES = {"individuals", "legal_entities"}


@pytest.fixture(autouse=True)
def gateway_calls(monkeypatch):
    """Every call to an outside system is checked: it must not run inside a transaction."""
    calls, inside = [], []
    send = transport.InProcessTransport.send

    def checked(self, system, operation, subject, params, **kwargs):
        calls.append((system, operation))
        if connection.in_atomic_block:
            inside.append((system, operation, subject))
        return send(self, system, operation, subject, params, **kwargs)

    monkeypatch.setattr(transport.InProcessTransport, "send", checked)
    yield calls
    assert not inside, f"outside calls inside a transaction: {inside}"


class OfficeFace:
    """The provider's office: a clerk, /office/reception/."""

    name, channel = "office", "provider_office"
    completeness_checked = "mhsd-2015-401/free-medical-care-provider-compliance"  # C1 -> P1-refusal

    def open(self, client, monkeypatch, reg_id):
        load_regulations(reg_id)
        monkeypatch.setenv("QYZMET_TODAY", working_moment(reg_id).date().isoformat())
        self.reg_id, self.provider = reg_id, provider_for(reg_id)
        client.force_login(staff(self.provider, "desk.clerk", "office-clerk"))

    def send(self, client, applicant, documents):
        from django.core.files.uploadedfile import SimpleUploadedFile

        reg = catalogue()[self.reg_id]
        variant = reg.variants[0].code
        if "standard" in documents:  # the clerk ticks each document of the regulation's list
            documents = [d for d in documents if d != "standard"] + [
                d.code for d in reg.documents_for(variant)
            ]
        return client.post(
            reverse("office:reception-submit"),
            {
                "service": f"{self.provider.pk}:{self.reg_id}",
                "applicant": applicant,
                "variant": variant,
                "applicant_name": "ТОО «Тест»",
                "documents": documents,
                "scans": [SimpleUploadedFile("set.pdf", PDF)],
            },
        )

    def refusal_receipt(self, client, response):
        refusal = ReceptionRefusal.objects.get()
        assert response["Location"] == reverse("office:reception-refusal", args=[refusal.number])
        return refusal.number, client.get(response["Location"])

    def receipt(self, client, application):
        return client.get(reverse("office:reception-accepted", args=[application.number]))

    def follows(self, application):
        """The desk's own record shows the filed application."""
        assert application.scans.count() == 1  # the scan went with the set and stayed with it


class PscFace:
    """A Population Service Centre: an operator, /psc/<centre>/accept/."""

    name, channel = "psc", "psc"
    completeness_checked = "mhsd-2015-401/foreign-specialists-admission"  # C1 -> P3-refusal

    def open(self, client, monkeypatch, reg_id):
        load_regulations(reg_id)
        monkeypatch.setenv("QYZMET_TODAY", working_moment(reg_id).date().isoformat())
        self.reg_id, self.provider = reg_id, provider_for(reg_id)
        self.centre, operator = make_centre()
        client.force_login(operator)

    def send(self, client, applicant, documents):
        reg = catalogue()[self.reg_id]
        return client.post(
            reverse("psc:accept", args=[self.centre.code]),
            {
                "service": f"{self.provider.pk}:{self.reg_id}:{reg.variants[0].code}",
                "applicant": applicant,
                "documents": documents,
                "consent": "on",
            },
        )

    def refusal_receipt(self, client, response):
        acceptance = Acceptance.objects.get()
        assert acceptance.state == Acceptance.State.REFUSED
        return acceptance.number, client.get(
            reverse("psc:receipt", args=[self.centre.code, acceptance.number])
        )

    def receipt(self, client, application):
        number = Acceptance.objects.get().number
        return client.get(reverse("psc:receipt", args=[self.centre.code, number]))

    def follows(self, application):
        acceptance = Acceptance.objects.get()
        assert acceptance.state == Acceptance.State.AT_PROVIDER and acceptance.application == application
        assert acceptance.identified and acceptance.lookup_id  # by the desk, or by the retry


FACES = [pytest.param(OfficeFace, id="office"), pytest.param(PscFace, id="psc")]


@pytest.fixture(params=FACES)
def face(request, client, monkeypatch):
    desk = request.param()
    desk.open(client, monkeypatch, NARCOTICS)
    return desk


def _refusal_step(reg_id, channel, check="documents_complete"):
    flow = catalogue()[reg_id].channel(channel)
    steps = {s.id: s for s in flow.steps}
    condition = next(s for s in flow.steps if s.check == check)
    return steps[next(b.to for b in condition.branches if b.when in ("incomplete", "no"))]


def test_a_complete_set_is_accepted_and_filed_through_the_channel(client, face, gateway_calls):
    applicant = ordinary_bin(seed=51)
    response = face.send(client, applicant, ["standard", "inventory"])
    assert gateway_calls  # the lookups ran, and none in a transaction (checked on teardown)
    assert response.status_code == 302, response.content.decode()[:1500]
    app = Application.objects.get()
    assert app.channel == face.channel and app.applicant == applicant and app.provider == face.provider
    registration = Registration.objects.get()
    assert registration.status == Registration.Status.FILED and registration.application == app
    assert registration.desk == face.name and registration.attempts == 1
    face.follows(app)
    assert client.get(response["Location"]).status_code == 200
    # the receipt lists the licence fee the variant carries in the year of reception
    fee = fee_due(catalogue()[NARCOTICS], app.variant, app.registered_at)
    receipt = face.receipt(client, app)
    assert receipt.status_code == 200 and f"{fee.tenge} tenge" in receipt.content.decode()


@pytest.mark.parametrize("desk", FACES)
def test_an_incomplete_set_is_refused_to_accept_in_the_regulations_words_with_a_receipt(
    client, monkeypatch, desk
):
    face = desk()
    face.open(client, monkeypatch, face.completeness_checked)
    response = face.send(client, ordinary_bin(seed=52), ["inventory"])
    assert response.status_code == 302
    wording = _refusal_step(face.completeness_checked, face.channel).message
    number, receipt = face.refusal_receipt(client, response)
    assert receipt.status_code == 200
    page = receipt.content.decode()
    assert number in page and escape(wording.en) in page
    assert not Application.objects.exists() and not Registration.objects.exists()


def test_while_the_state_database_is_down_the_registration_is_queued_and_later_filed_once(
    client, face, settings, gateway_calls
):
    settings.QYZMET_GATEWAY_PENDING_BACKOFF_BASE = 0  # the next try is due at once
    applicant = ordinary_bin(seed=53)
    with faults.injected(error_rate=1.0, systems=STATE_DATABASES):
        response = face.send(client, applicant, ["standard", "inventory"])
        assert response.status_code == 302
        page = client.get(response["Location"])
        assert page.status_code == 200
        assert "the registration is queued" in page.content.decode()  # the operator is told
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
        ru = client.get(response["Location"]).content.decode()
        assert "регистрация поставлена в очередь" in ru
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "kk"
        kk = client.get(response["Location"]).content.decode()
        assert "тіркеу кезекке қойылды" in kk
        run_scheduled_jobs()  # still down: still waiting, nothing filed
    registration = Registration.objects.get()
    assert registration.status == Registration.Status.WAITING and registration.attempts == 2
    assert not Application.objects.exists()

    time.sleep(0.15)  # the state database is back; its breaker's cool-down passes
    run_scheduled_jobs()
    run_scheduled_jobs()  # a second round (or a second worker) files nothing twice
    app = Application.objects.get()
    registration.refresh_from_db()
    assert registration.status == Registration.Status.FILED and registration.application == app
    assert app.channel == face.channel and app.applicant == applicant
    face.follows(app)
    assert len(gateway_calls) > 3  # the tries and the retries, none in a transaction


def test_the_lookup_evidence_survives_a_failed_filing(client, face, monkeypatch, settings, gateway_calls):
    from qyzmet.engine import services

    settings.QYZMET_GATEWAY_PENDING_BACKOFF_BASE = 0
    applicant = ordinary_bin(seed=54)
    file_application = services.file_application

    def broken(**kwargs):
        raise RuntimeError("the database refused the row")

    monkeypatch.setattr(services, "file_application", broken)
    response = face.send(client, applicant, ["standard", "inventory"])
    assert response.status_code == 302
    assert not Application.objects.exists()
    evidence = list(DataLookup.objects.filter(subject=applicant))
    assert evidence and all(lookup.found for lookup in evidence) and gateway_calls
    registration = Registration.objects.get()
    assert registration.status == Registration.Status.WAITING and "filing failed" in registration.last_error

    monkeypatch.setattr(services, "file_application", file_application)
    run_scheduled_jobs()
    app = Application.objects.get()
    assert set(DataLookup.objects.filter(subject=applicant)) >= set(evidence)
    face.follows(app)


def test_the_operator_may_send_a_queued_request_again_at_once_and_it_is_still_filed_once(
    client, monkeypatch, settings
):
    face = PscFace()
    face.open(client, monkeypatch, NARCOTICS)
    with faults.injected(error_rate=1.0, systems=STATE_DATABASES):
        face.send(client, ordinary_bin(seed=55), ["standard", "inventory"])
    acceptance = Acceptance.objects.get()
    assert acceptance.state == Acceptance.State.WAITING and not Application.objects.exists()
    time.sleep(0.15)  # the state database is back
    response = client.post(reverse("psc:resubmit", args=[face.centre.code, acceptance.number]))
    assert response.status_code == 302
    settings.QYZMET_GATEWAY_PENDING_BACKOFF_BASE = 0
    run_scheduled_jobs()  # the queue finds nothing left to file
    app = Application.objects.get()
    face.follows(app)
    assert Registration.objects.get().status == Registration.Status.FILED
