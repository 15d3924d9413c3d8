"""The cabinet's download of the signed result or reasoned refusal."""

import pytest

from qyzmet.engine.models import Application, Status

from . import registry_helpers
from .portal_helpers import applicant
from .registry_helpers import LICENCE, PROVIDER_CODE, drive

centre, key_files = registry_helpers.centre, registry_helpers.key_files

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider(db, key_files):
    return registry_helpers.make_provider(LICENCE, PROVIDER_CODE, key_files)


def test_my_reasoned_refusal_downloads_as_a_signed_pdf(client, provider):
    person = applicant()
    app = drive(provider, LICENCE, "S6-refusal", applicant=person.username)
    Application.objects.filter(pk=app.pk).update(applicant_user=person)
    client.force_login(person)
    response = client.get(f"/portal/cabinet/applications/{app.number}/document.pdf")
    assert app.status == Status.REFUSED
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and b"/ByteRange" in response.content


def test_someone_elses_document_is_not_found(client, provider):
    owner, stranger = applicant(), applicant(username="900101300156")
    app = drive(provider, LICENCE, "S6", applicant=owner.username)
    client.force_login(stranger)
    assert client.get(f"/portal/cabinet/applications/{app.number}/document.pdf").status_code == 404
