"""Results entering the register, reissues and duplicates linked to the original, and the hash chain."""

import pytest
from django.db import connection

from qyzmet.audit.models import AuditEntry
from qyzmet.engine.models import Status
from qyzmet.registry import chain, services
from qyzmet.registry.models import AppendOnlyError, EntryStatus, RegisterEntry, RegisterEvent, RegisterHead
from qyzmet.regulations.loader import catalogue

from . import registry_helpers
from .registry_helpers import CERTIFICATE, HOLDER, LICENCE, OTHER_HOLDER, drive, make_provider

# fixtures
centre, key_files, provider = registry_helpers.centre, registry_helpers.key_files, registry_helpers.provider

pytestmark = pytest.mark.django_db


def _raw(sql, params):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")


def test_issued_licence_is_entered_once(provider):
    app = drive(provider, LICENCE, "S6", data={"subtypes": ["стоматология", "терапия"]})
    assert app.status == Status.ISSUED
    entry = services.enter_result(app)
    assert entry.number == f"LIC-{app.closed_at.year}-00001"
    assert entry.kind == "licence" and entry.holder == HOLDER and entry.holder_name == "ТОО «Шипагер»"
    assert entry.activity == catalogue()[LICENCE].title.model_dump()
    assert entry.name["ru"].startswith("Лицензия") and entry.result_code == "licence"
    assert entry.subtypes == ["стоматология", "терапия"] and entry.provider == provider
    assert entry.original is None and entry.valid_until is None
    assert services.enter_result(app) == entry  # idempotent
    assert RegisterEntry.objects.count() == 1 and RegisterEvent.objects.count() == 1
    assert AuditEntry.objects.filter(action="register_entry_created", subject_id=str(app.pk)).count() == 1


def test_duplicate_and_reissue_link_to_the_latest_valid_entry(provider):
    licence = services.enter_result(drive(provider, LICENCE, "S6"))
    duplicate = services.enter_result(drive(provider, LICENCE, "S6-duplicate", variant="duplicate", days=20))
    assert duplicate.kind == "duplicate" and duplicate.number.startswith("DUP-")
    assert duplicate.original == licence
    services.change_status(licence, "terminated", "head", note="reissued")
    # the licence is no longer valid, so a reissue links to the latest valid entry: the duplicate
    reissued = services.enter_result(drive(provider, LICENCE, "S6-reissue", variant="reissue", days=30))
    assert reissued.kind == "reissued_licence" and reissued.original == duplicate


def test_first_duplicate_without_an_original_is_entered_unlinked(provider):
    entry = services.enter_result(drive(provider, LICENCE, "S6-duplicate", variant="duplicate"))
    assert entry.original is None


def test_numbers_run_by_kind_and_year(db):
    certifier = make_provider(CERTIFICATE, "reg-test-ministry")
    first = services.enter_result(drive(certifier, CERTIFICATE, "S5"))
    second = services.enter_result(drive(certifier, CERTIFICATE, "S5", applicant=OTHER_HOLDER, days=11))
    year = first.issued_on.year
    assert (first.number, second.number) == (f"CRT-{year}-00001", f"CRT-{year}-00002")


def test_refused_or_open_applications_are_not_entered(provider):
    refused = drive(provider, LICENCE, "S6-refusal")
    with pytest.raises(services.RegistryError, match="refusal|result"):
        services.enter_result(refused)
    assert not RegisterEntry.objects.exists()


def test_chain_verifies_and_names_a_tampered_entry(provider):
    first = services.enter_result(drive(provider, LICENCE, "S6"))
    second = services.enter_result(drive(provider, LICENCE, "S6", applicant=OTHER_HOLDER, days=11))
    services.change_status(second, "suspended", "head", note="inspection found violations")
    check = chain.verify()
    assert check.intact and check.count == 3 and check.head == RegisterHead.objects.get().hash

    _raw("UPDATE registry_registerentry SET holder_name = %s WHERE id = %s", ["Someone Else", first.pk])
    check = chain.verify()
    assert not check.intact and check.broken_entry == first.number and check.broken_seq == 1
    assert check.count == 0


def test_chain_detects_an_altered_status_event_and_a_removed_one(provider):
    entry = services.enter_result(drive(provider, LICENCE, "S6"))
    event = services.change_status(entry, "suspended", "head", note="inspection")
    _raw("UPDATE registry_registerevent SET status = %s WHERE id = %s", ["valid", event.pk])
    assert chain.verify().broken_seq == 2
    _raw("DELETE FROM registry_registerevent WHERE id = %s", [event.pk])
    check = chain.verify()
    assert not check.intact and check.count == 1


def test_status_changes_are_events_and_the_entry_is_never_edited(provider):
    entry = services.enter_result(drive(provider, LICENCE, "S6"))
    services.change_status(entry, "suspended", "head", note="inspection")
    with pytest.raises(services.RegistryError):
        services.change_status(entry, "suspended", "head", note="again")
    services.change_status(entry, "resumed", "head", note="violations removed")
    services.change_status(entry, "terminated", "head", note="holder's request")
    assert services.current_status(entry) == EntryStatus.TERMINATED
    assert RegisterEntry.objects.with_current_status().get().current_status == "terminated"
    entry.refresh_from_db()
    assert entry.status == EntryStatus.VALID  # as entered
    entry.holder_name = "edited"
    with pytest.raises(AppendOnlyError):
        entry.save()
    assert chain.verify().intact


def test_database_refuses_update_on_postgresql(provider):
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger is PostgreSQL's; SQLite relies on the models")
    from django.db import DatabaseError, transaction

    entry = services.enter_result(drive(provider, LICENCE, "S6"))
    with pytest.raises(DatabaseError), transaction.atomic():
        RegisterEntry.objects.filter(pk=entry.pk).update(holder_name="edited")
    with pytest.raises(DatabaseError), transaction.atomic():
        RegisterEvent.objects.filter(entry=entry).delete()
