"""One hash-chain module (audit.chain) behind the audit log and the register: the same links, the
same walk, the same verdicts on a changed row, a broken link and a removed tail."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.db import connection

from qyzmet.audit import chain as hash_chain
from qyzmet.audit import log
from qyzmet.audit.models import AuditEntry, ChainHead, chain_hash
from qyzmet.registry import chain as register_chain
from qyzmet.registry import services
from qyzmet.registry.models import RegisterEvent

from . import registry_helpers
from .registry_helpers import LICENCE, OTHER_HOLDER, drive

# fixtures
centre, key_files, provider = registry_helpers.centre, registry_helpers.key_files, registry_helpers.provider

AT = dt.datetime(2015, 6, 1, 10, tzinfo=dt.UTC)


@dataclass
class Row:
    text: str
    prev_hash: str = ""
    hash: str = ""


def _chained(*texts) -> list[Row]:
    rows, prev = [], hash_chain.GENESIS
    for text in texts:
        row = Row(text, prev, hash_chain.link(prev, hash_chain.digest(text.encode())))
        rows.append(row)
        prev = row.hash
    return rows


def _recompute(row: Row) -> str:
    return hash_chain.link(row.prev_hash, hash_chain.digest(row.text.encode()))


def test_an_intact_chain_verifies_and_remembers_its_head():
    rows = _chained("filed", "step done", "issued")
    check = hash_chain.verify(rows, _recompute, heads={None: rows[-1].hash})
    assert check.intact and check.count == 3 and check.last[None] == rows[-1].hash


def test_a_changed_row_a_broken_link_and_a_removed_tail_are_each_named():
    rows = _chained("filed", "step done", "issued")
    rows[1].text = "step skipped"
    altered = hash_chain.verify(rows, _recompute)
    assert (altered.count, altered.broken.row, altered.broken.problem) == (1, rows[1], hash_chain.ALTERED)

    rows = _chained("filed", "step done", "issued")
    del rows[1]
    unlinked = hash_chain.verify(rows, _recompute)
    assert (unlinked.count, unlinked.broken.row, unlinked.broken.problem) == (1, rows[1], hash_chain.UNLINKED)

    rows = _chained("filed", "step done", "issued")
    tail = hash_chain.verify(rows[:2], _recompute, heads={None: rows[-1].hash})
    assert tail.count == 2 and tail.broken.row is None and tail.broken.problem == hash_chain.TAIL_MISSING


@pytest.mark.django_db
def test_the_audit_links_are_the_modules_and_match_what_postgresql_computes():
    assert chain_hash is hash_chain.link  # the name the SQL paths import
    assert hash_chain.link("a" * 64, "b" * 64) == hash_chain.digest(("a" * 64 + "b" * 64).encode())
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT encode(sha256(convert_to(%s || %s, 'UTF8')), 'hex')", ["a" * 64, "b" * 64])
            assert cursor.fetchone()[0] == hash_chain.link("a" * 64, "b" * 64)


def _raw(sql, params):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # an operator with superuser rights switching the append-only triggers off
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")


@pytest.mark.django_db
def test_audit_chain_names_a_rewritten_entry_and_a_removed_newest_one():
    entries = [
        log.record("clerk", "step_completed", ("application", 7), {"step": f"S{i}"}, at=AT) for i in range(4)
    ]
    assert log.verify() == (4, None)
    _raw("UPDATE audit_auditentry SET data = %s WHERE id = %s", ['{"step": "S9"}', entries[1].pk])
    count, broken = log.verify()
    assert count == 1 and broken.pk == entries[1].pk
    _raw("DELETE FROM audit_auditentry WHERE id >= %s", [entries[1].pk])
    count, broken = log.verify()  # the head still remembers the removed entries
    head = ChainHead.objects.get(pk=entries[0].chain)
    assert count == 1 and broken is not None and broken.hash == head.hash
    assert AuditEntry.objects.count() == 1


@pytest.mark.django_db
def test_register_chain_names_a_rewritten_event_and_a_removed_newest_one(provider):
    first = services.enter_result(drive(provider, LICENCE, "S6"))
    services.enter_result(drive(provider, LICENCE, "S6", applicant=OTHER_HOLDER, days=11))
    suspended = services.change_status(
        first, "suspended", "head", note="inspection", ground="violations-found", until=dt.date(2099, 1, 1)
    )
    assert register_chain.verify().intact and register_chain.verify().count == 3
    _raw("UPDATE registry_registerevent SET note = %s WHERE id = %s", ["nothing happened", suspended.pk])
    check = register_chain.verify()
    assert (check.broken_seq, check.broken_entry, check.count) == (3, first.number, 2)
    assert check.problem == register_chain.PROBLEMS[hash_chain.ALTERED]
    _raw("DELETE FROM registry_registerevent WHERE id = %s", [suspended.pk])
    check = register_chain.verify()
    assert not check.intact and check.count == 2 and check.broken_seq == 3
    assert check.problem == register_chain.PROBLEMS[hash_chain.TAIL_MISSING]
    assert RegisterEvent.objects.count() == 2
