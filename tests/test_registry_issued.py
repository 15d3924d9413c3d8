"""Signed documents made once: issued when what they record happens, stored with their SHA-256,
served as stored; public verification only reads, and answers only for register entries."""

import datetime as dt
import hashlib
import re
from pathlib import Path

import pytest
from django.core.files.storage import storages
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qyzmet.audit import log
from qyzmet.audit.models import AuditEntry
from qyzmet.engine.models import Application
from qyzmet.registry import documents, keys, qr, services
from qyzmet.registry.models import IssuedDocument, ProviderKey, RegisterEntry, RegisterEvent

from . import registry_helpers
from .engine_helpers import complete_as_staff
from .registry_helpers import HOLDER, LICENCE, PROVIDER_CODE, drive, make_provider

# fixtures
centre, key_files, provider = registry_helpers.centre, registry_helpers.key_files, registry_helpers.provider

pytestmark = pytest.mark.django_db

CLINICAL = "mhsd-2015-401/clinical-research-permit"  # S5: the Council of Medical Scientists decides


def _stored_files() -> set[str]:
    location = Path(storages["documents"].location)
    return {str(p.relative_to(location)) for p in location.rglob("*") if p.is_file()}


def test_a_result_is_stored_when_issued_and_downloads_give_the_same_bytes_and_digest(
    client, provider, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        app = drive(provider, LICENCE, "S6")  # issuing enters the result, the document follows the commit
    entry = RegisterEntry.objects.get(application=app)
    issued = IssuedDocument.objects.get(kind=IssuedDocument.Kind.RESULT, reference=entry.number)
    assert issued.register_entry == entry and issued.application == app and issued.size > 0
    first = client.get(f"/register/verify/{entry.number}/pdf/")
    second = client.get(f"/register/verify/{entry.number}/pdf/")
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert hashlib.sha256(first.content).hexdigest() == issued.sha256
    assert first["ETag"] == f'"{issued.sha256}"'
    assert issued.sha256 in client.get(f"/register/verify/{entry.number}/").content.decode()


def test_a_reasoned_refusal_is_stored_when_the_application_is_refused(
    provider, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        app = drive(provider, LICENCE, "S6-refusal")
    issued = IssuedDocument.objects.get(application=app)
    assert issued.kind in (IssuedDocument.Kind.REFUSAL, IssuedDocument.Kind.INCOMPLETE)
    assert issued.reference == app.number and issued.language
    data = documents.read(issued)
    assert data.startswith(b"%PDF") and hashlib.sha256(data).hexdigest() == issued.sha256
    # its digest is in the application's audit chain, where a swapped file and row would still show
    recorded = AuditEntry.objects.get(
        action="document_issued", subject_type="application", subject_id=str(app.pk)
    )
    assert recorded.data["sha256"] == issued.sha256 and log.verify()[1] is None


def test_a_protocol_is_stored_when_the_council_decides(centre, django_capture_on_commit_callbacks):
    from .test_engine_protocols import _reach

    reg, provider, app, run = _reach(CLINICAL, "S5")
    with django_capture_on_commit_callbacks(execute=True):  # the council's meeting and its minutes
        complete_as_staff(reg, provider, run, "approve", run.started_at + dt.timedelta(hours=2))
    protocol = app.protocols.get()
    issued = IssuedDocument.objects.get(kind=IssuedDocument.Kind.PROTOCOL)
    assert issued.application == app and issued.reference == f"{app.number}/{protocol.pk}"
    assert hashlib.sha256(documents.read(issued)).hexdigest() == issued.sha256


def test_a_document_issued_before_documents_were_kept_is_made_once_by_its_owner_not_by_the_public(
    client, provider
):
    from .portal_helpers import applicant

    person = applicant()
    app = drive(provider, LICENCE, "S6", applicant=person.username)  # nothing issued after this commit
    Application.objects.filter(pk=app.pk).update(applicant_user=person)
    entry = RegisterEntry.objects.get(application=app)
    assert client.get(f"/register/verify/{entry.number}/pdf/").status_code == 404
    assert not IssuedDocument.objects.exists()
    client.force_login(person)
    mine = client.get(f"/portal/cabinet/applications/{app.number}/document.pdf")
    again = client.get(f"/portal/cabinet/applications/{app.number}/document.pdf")
    assert mine.status_code == 200 and mine.content == again.content
    assert IssuedDocument.objects.count() == 1
    client.logout()
    public = client.get(f"/register/verify/{entry.number}/pdf/")
    assert public.status_code == 200 and public.content == mine.content


def test_a_document_changed_in_storage_is_not_served(provider):
    entry = services.enter_result(drive(provider, LICENCE, "S6"))
    issued = documents.issue_documents(entry)
    path = Path(storages["documents"].path(issued.storage_name))
    path.write_bytes(path.read_bytes().replace(b"%PDF", b"%PDX", 1))
    with pytest.raises(documents.DocumentAltered):
        documents.read(issued)


def test_public_verification_never_creates_a_key_nor_writes(client, db, key_files, centre):
    keyless = make_provider(LICENCE, PROVIDER_CODE)  # no signing key: the old page issued one on a GET
    entry = services.enter_result(drive(keyless, LICENCE, "S6"))
    refused = drive(keyless, LICENCE, "S6-refusal")
    payload_key = keys.install_key(
        make_provider(CLINICAL, "other-ministry"), _key_for("other-ministry", centre)
    )
    payload = qr.make_payload(
        keys.signer_for(payload_key.provider),
        number=refused.number,
        holder=HOLDER,
        kind=documents.REFUSAL,
        issued="2015-07-01",
        provider="other-ministry",
    )
    counted = (ProviderKey, IssuedDocument, RegisterEntry, RegisterEvent, AuditEntry)
    before = {model: model.objects.count() for model in counted}
    files_before = _stored_files()
    pki_before = {p for p in Path(centre.directory).rglob("*")}
    with CaptureQueriesContext(connection) as queries:
        pages = [
            client.get(f"/register/verify/{entry.number}/"),
            client.get(f"/register/verify/{entry.number}/pdf/"),
            client.get(f"/register/verify/{refused.number}/"),
            client.get(f"/register/verify/{refused.number}/pdf/"),
            client.get("/register/verify/", {"q": payload}),
            client.get("/register/", {"number": entry.number}),
            client.get("/register/head/"),
        ]
    assert [p.status_code for p in pages] == [200, 404, 404, 404, 200, 200, 200]
    assert {model: model.objects.count() for model in counted} == before
    assert not keyless.signing_keys.exists()
    assert _stored_files() == files_before
    assert {p for p in Path(centre.directory).rglob("*")} == pki_before  # no key file made
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []


def _key_for(code: str, centre) -> bytes:
    bin_, official = keys._demo_numbers(code)
    return centre.issue(iin=official, bin=bin_, name="SIGNING OFFICIAL", password=keys.key_password(code)).p12


def test_verifying_an_application_number_says_only_not_found(client, provider):
    app = drive(provider, LICENCE, "S6-refusal")  # an application, never a register entry
    by_application = client.get(f"/register/verify/{app.number}/", HTTP_ACCEPT_LANGUAGE="en")
    unknown = "QZ-150624-999999"
    by_nothing = client.get(f"/register/verify/{unknown}/", HTTP_ACCEPT_LANGUAGE="en")
    assert by_application.status_code == by_nothing.status_code == 404
    html = by_application.content.decode()
    assert "No document numbered" in html and provider.code not in html and "registered" not in html
    assert _without_tokens(html.replace(app.number, unknown)) == _without_tokens(by_nothing.content.decode())


def _without_tokens(html: str) -> str:
    """The page without its per-response CSRF token (the language form carries one)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
