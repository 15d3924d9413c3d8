"""The audit log: one entry per state change, hash-chained; `audit verify` finds a tampered entry."""

import datetime as dt

import pytest
from django.db import connection

from qyzmet.audit.log import record, verify
from qyzmet.audit.models import GENESIS, AppendOnlyError, AuditEntry
from qyzmet.cli import main

pytestmark = pytest.mark.django_db

AT = dt.datetime(2015, 6, 1, 10, tzinfo=dt.UTC)


def _fill(n=5):
    return [
        record("clerk", "step_completed", ("application", i), {"step": "S1", "at": AT}, at=AT)
        for i in range(n)
    ]


def _tamper(entry_id, new_action):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # an operator with superuser rights switching the append-only trigger off
            cursor.execute("SET session_replication_role = replica")
        cursor.execute("UPDATE audit_auditentry SET action = %s WHERE id = %s", [new_action, entry_id])
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")


def test_chain_of_fresh_entries_verifies():
    _fill()
    count, broken = verify()
    assert count == 5 and broken is None


def test_tampered_entry_is_named(capsys):
    entries = _fill()
    _tamper(entries[2].pk, "step_skipped")
    count, broken = verify()
    assert broken.pk == entries[2].pk and count == 2
    assert main(["audit", "verify"]) == 1
    assert f"broken at entry #{entries[2].pk}" in capsys.readouterr().out


def test_model_refuses_change_and_delete():
    entry = _fill(1)[0]
    entry.action = "other"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()


def test_database_refuses_update_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger is PostgreSQL's; SQLite relies on the model")
    from django.db import DatabaseError, transaction

    entry = _fill(1)[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(action="other")


def test_removed_newest_entry_is_detected():
    entries = _fill(3)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [entries[-1].pk])
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")
    count, broken = verify()
    assert broken is not None and count == 2


def test_a_subjects_entries_form_one_chain_and_subjects_spread_over_chains():
    entries = [record("clerk", "step_completed", ("application", i % 4), {}, at=AT) for i in range(12)]
    chains = {}
    for entry in entries:
        chains.setdefault(entry.subject_id, set()).add(entry.chain)
    assert all(len(found) == 1 for found in chains.values())  # one application, one chain
    assert len(set().union(*chains.values())) > 1  # different applications do not share one head
    last = {}
    for entry in entries:  # each entry links to the one before it in its own chain
        assert entry.prev_hash == last.get(entry.chain, GENESIS)
        last[entry.chain] = entry.hash
    assert verify() == (12, None)
