"""The applicant API shows what a stop of the legal clock asks of the applicant and takes the answer:
GET /me/applications/{number} lists it under `asked`; POST /me/applications/{number}/answer
(multipart: `answer`, `files`) restarts the clock, as the cabinet's form does (test_clock_pauses.py).
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from qyzmet.engine import services
from qyzmet.engine.models import Status
from qyzmet.office.testing import make_cast

from .api_helpers import bearer
from .cast import person
from .pause_helpers import RULE, export_control_application
from .portal_api_helpers import BASE, get

pytestmark = pytest.mark.django_db

APPLICANT = "870412300129"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def paused():
    cast = make_cast()
    app = export_control_application(cast.provider_a, applicant=APPLICANT)
    services.pause(app.pk, RULE, cast.clerk, note="the end-user certificate of the importer")
    return app


def _answer(client, number, headers, **data):
    return client.post(f"{BASE}/me/applications/{number}/answer", data, headers=headers)


def test_the_api_shows_the_applicant_what_is_asked_and_takes_the_answer_with_a_document(client, paused):
    headers = bearer(person(APPLICANT))
    detail = get(client, f"/me/applications/{paused.number}", headers).json()
    [asked] = detail["asked"]
    assert asked["rule"] == RULE and "Art. 37" in asked["law"] and asked["asked"] and asked["open"]
    upload = SimpleUploadedFile("certificate.pdf", PDF, content_type="application/pdf")
    answer = _answer(client, paused.number, headers, answer="The certificate is attached.", files=[upload])
    assert answer.status_code == 200, answer.json()
    [asked] = answer.json()["asked"]
    assert not asked["open"] and asked["answer"] == "The certificate is attached."
    assert [f["name"] for f in asked["files"]] == ["certificate.pdf"]
    paused.refresh_from_db()
    assert paused.status == Status.IN_PROGRESS


def test_the_api_refuses_a_file_that_is_not_a_document_and_the_clock_stays_stopped(client, paused):
    headers = bearer(person(APPLICANT))
    upload = SimpleUploadedFile("run.exe", b"MZ\x90\x00", content_type="application/pdf")
    answer = _answer(client, paused.number, headers, answer="here", files=[upload])
    assert answer.status_code == 400 and answer.json()["detail"]
    paused.refresh_from_db()
    assert paused.status == Status.PAUSED


def test_only_the_applicant_answers_through_the_api_and_only_while_something_is_asked(client, paused):
    other = _answer(client, paused.number, bearer(person("900101300156")), answer="x")
    assert other.status_code == 404  # someone else's application does not exist for them
    headers = bearer(person(APPLICANT))
    assert _answer(client, paused.number, headers, answer="done").status_code == 200
    again = _answer(client, paused.number, headers, answer="again")
    assert again.status_code == 403
