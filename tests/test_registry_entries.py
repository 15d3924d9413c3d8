"""Results entering the register, reissues and duplicates linked to the original, and the hash chain."""

import datetime as dt
import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from qyzmet.audit.log import verify as verify_audit
from qyzmet.audit.models import AuditEntry
from qyzmet.engine.models import Application, Status
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
    # the duplicate voided the licence's forms, so a reissue links to the latest valid entry: the duplicate
    assert services.current_status(licence) == EntryStatus.VOID
    reissued = services.enter_result(drive(provider, LICENCE, "S6-reissue", variant="reissue", days=30))
    assert reissued.kind == "reissued_licence" and reissued.original == duplicate
    assert services.current_status(duplicate) == EntryStatus.TERMINATED


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
    services.change_status(
        second,
        "suspended",
        "head",
        note="inspection found violations",
        ground="violations-found",
        until=dt.date(2099, 1, 1),
    )
    check = chain.verify()
    assert check.intact and check.count == 3 and check.head == RegisterHead.objects.get().hash

    _raw("UPDATE registry_registerentry SET holder_name = %s WHERE id = %s", ["Someone Else", first.pk])
    check = chain.verify()
    assert not check.intact and check.broken_entry == first.number and check.broken_seq == 1
    assert check.count == 0


def test_chain_detects_an_altered_status_event_and_a_removed_one(provider):
    entry = services.enter_result(drive(provider, LICENCE, "S6"))
    event = services.change_status(
        entry, "suspended", "head", note="inspection", ground="violations-found", until=dt.date(2099, 1, 1)
    )
    _raw("UPDATE registry_registerevent SET status = %s WHERE id = %s", ["valid", event.pk])
    assert chain.verify().broken_seq == 2
    _raw("DELETE FROM registry_registerevent WHERE id = %s", [event.pk])
    check = chain.verify()
    assert not check.intact and check.count == 1


def test_status_changes_are_events_and_the_entry_is_never_edited(provider):
    entry = services.enter_result(drive(provider, LICENCE, "S6"))
    services.change_status(
        entry, "suspended", "head", note="inspection", ground="violations-found", until=dt.date(2099, 1, 1)
    )
    with pytest.raises(services.RegistryError):
        services.change_status(
            entry, "suspended", "head", note="again", ground="violations-found", until=dt.date(2099, 1, 1)
        )
    services.change_status(entry, "resumed", "head", note="violations removed", ground="violations-removed")
    services.change_status(entry, "terminated", "head", note="holder's request", ground="voluntary-return")
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


def _issued_not_entered(monkeypatch, *args, **kwargs):
    """`drive`, with the engine's own entering in the register left out, so that a test can
    enter the result itself."""
    with monkeypatch.context() as patch:
        patch.setattr(services, "enter_result", lambda *a, **k: None)
        app = drive(*args, **kwargs)
    assert app.status == Status.ISSUED and not RegisterEntry.objects.filter(application=app).exists()
    return app


def test_entering_a_result_takes_at_most_three_statements_on_postgresql(provider, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("the hand-written statements are PostgreSQL's; SQLite keeps the ORM")
    app = _issued_not_entered(monkeypatch, provider, LICENCE, "S6")
    RegisterHead.objects.create(pk=1)  # as any register but an empty one has (the first entry makes it)
    with CaptureQueriesContext(connection) as queries:
        entry = services.enter_result(app)  # reads the application again, then two statements
    assert len(queries) <= 3, "\n".join(q["sql"] for q in queries)
    assert entry.pk and not entry._state.adding and entry.number == f"LIC-{app.closed_at.year}-00001"
    # the engine's own call (`fresh`: its application is read with what entering needs): two
    other = _issued_not_entered(monkeypatch, provider, LICENCE, "S6", applicant=OTHER_HOLDER, days=11)
    other = Application.objects.select_related("regulation", "provider").get(pk=other.pk)
    with CaptureQueriesContext(connection) as queries:
        services.enter_result(other, fresh=True)
    assert len(queries) == 2, "\n".join(q["sql"] for q in queries)


def test_results_entered_one_after_the_other_are_numbered_in_turn_and_chained(provider, monkeypatch):
    first_app = _issued_not_entered(monkeypatch, provider, LICENCE, "S6", data={"subtypes": ["терапия"]})
    second_app = _issued_not_entered(monkeypatch, provider, LICENCE, "S6", applicant=OTHER_HOLDER, days=11)
    first, second = services.enter_result(first_app), services.enter_result(second_app)
    year = first.issued_on.year
    assert (first.number, second.number) == (f"LIC-{year}-00001", f"LIC-{year}-00002")
    assert services.enter_result(second_app).pk == second.pk  # idempotent
    check = chain.verify()
    assert check.intact and check.count == 2 and check.head == second.hash
    head = RegisterHead.objects.get()
    assert (head.seq, head.hash, head.at) == (2, second.hash, second.entered_at)
    assert second.prev_hash == first.hash
    # what was returned is what was stored
    stored = RegisterEntry.objects.get(pk=first.pk)
    assert stored.snapshot() == first.snapshot() and stored.hash == first.hash
    assert stored.subtypes == ["терапия"] and stored.name == first.name
    event = RegisterEvent.objects.get(entry=first)
    assert (event.seq, event.action, event.hash, event.data) == (1, "entered", first.hash, first.snapshot())
    created = AuditEntry.objects.filter(action="register_entry_created").order_by("id")
    assert [(a.subject_id, a.data["number"]) for a in created] == [
        (str(first_app.pk), first.number),
        (str(second_app.pk), second.number),
    ]
    assert verify_audit()[1] is None


@pytest.mark.django_db(transaction=True)
def test_an_entry_that_waited_for_the_head_is_numbered_after_the_one_that_held_it(monkeypatch):
    """The locking read's snapshot predates the commit it waited for: it must read again."""
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent transactions (PostgreSQL)")
    provider = make_provider(LICENCE)
    apps = [
        _issued_not_entered(monkeypatch, provider, LICENCE, "S6"),
        _issued_not_entered(monkeypatch, provider, LICENCE, "S6", applicant=OTHER_HOLDER, days=11),
    ]
    RegisterHead.objects.create(pk=1)  # so that the second one waits for its lock, not to create it
    holding, release = threading.Event(), threading.Event()
    numbers, errors = {}, []

    def enter(i):
        try:
            with transaction.atomic():
                numbers[i] = services.enter_result(apps[i]).number
                if i == 0:  # keep the head locked until the other one waits for it
                    holding.set()
                    release.wait(10)
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            holding.set()
            connections.close_all()

    threads = [threading.Thread(target=enter, args=(i,)) for i in (0, 1)]
    threads[0].start()
    holding.wait(10)
    threads[1].start()
    deadline = time.monotonic() + 10
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                break
            time.sleep(0.01)
    release.set()
    for t in threads:
        t.join()
    assert not errors
    year = apps[0].closed_at.year
    assert numbers == {0: f"LIC-{year}-00001", 1: f"LIC-{year}-00002"}
    assert chain.verify().intact and verify_audit()[1] is None
