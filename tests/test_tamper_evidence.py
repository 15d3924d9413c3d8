"""Tamper-evidence against whoever runs the database: signed published heads, `verify --against`,
incremental verification and the replay of applications from the audit log.

An operator with a SQL prompt as a superuser can get past any trigger (here: SQLite, or
`session_replication_role = replica` on PostgreSQL) and, carefully, keep each chain consistent
with its head row. What a third party kept of the published heads still tells.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection

from qyzmet import clock
from qyzmet.audit import chain as hash_chain
from qyzmet.audit import log as audit_log
from qyzmet.audit.log import record, verify
from qyzmet.audit.models import AuditEntry
from qyzmet.cli import main
from qyzmet.registry import heads, services
from qyzmet.registry.models import RegisterEvent, SignedHead

from . import registry_helpers
from .registry_helpers import LICENCE, drive

# fixtures
centre, key_files, provider = registry_helpers.centre, registry_helpers.key_files, registry_helpers.provider

pytestmark = pytest.mark.django_db

AT = dt.datetime(2015, 6, 1, 10, tzinfo=dt.UTC)


def _fill(n=3, subject=7):
    return [
        record("clerk", "step_completed", ("application", subject), {"step": f"S{i}"}, at=AT)
        for i in range(n)
    ]


def _as_superuser(*statements):
    """Run SQL past the append-only triggers, as a superuser can."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        for sql, params in statements:
            cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")


def _published_file(tmp_path):
    """Publish the heads now (as the beat job would) and keep the file, as a third party would."""
    kept = tmp_path / "heads.jsonl"
    assert main(["registry", "publish-heads", "--out", str(kept)]) == 0
    return kept


def _delete_newest_audit_entry_keeping_the_head_consistent(entries):
    newest, before = entries[-1], entries[-2]
    _as_superuser(
        ("DELETE FROM audit_auditentry WHERE id = %s", [newest.pk]),
        (
            "UPDATE audit_chainhead SET last_id = %s, hash = %s WHERE id = %s",
            [before.pk, before.hash, newest.chain],
        ),
    )


def test_deleting_the_newest_audit_entry_is_found_against_a_published_head(tmp_path, capsys):
    entries = _fill()
    kept = _published_file(tmp_path)
    _delete_newest_audit_entry_keeping_the_head_consistent(entries)
    assert verify() == (2, None)  # the chain alone cannot tell
    assert main(["audit", "verify", "--against", str(kept)]) == 1
    out = capsys.readouterr().out
    assert f"audit chain {entries[-1].chain} #{entries[-1].pk} ({entries[-1].hash[:16]}...) is gone" in out
    assert "against published heads: 1 checked, 1 missing, 0 rewritten, 0 lines refused" in out


def test_a_consistently_rewritten_audit_chain_is_found_against_a_published_head(tmp_path, capsys):
    entries = _fill()
    kept = _published_file(tmp_path)
    # Rewrite the first entry and re-chain every later one, moving the head: verify is satisfied.
    prev, statements = hash_chain.GENESIS, []
    for index, entry in enumerate(AuditEntry.objects.filter(chain=entries[0].chain).order_by("id")):
        if index == 0:
            entry.action = "step_skipped"
        entry.prev_hash = prev
        entry.hash = entry.compute_hash()
        statements.append(
            (
                "UPDATE audit_auditentry SET action = %s, prev_hash = %s, hash = %s WHERE id = %s",
                [entry.action, entry.prev_hash, entry.hash, entry.pk],
            )
        )
        prev = entry.hash
    statements.append(("UPDATE audit_chainhead SET hash = %s WHERE id = %s", [prev, entries[0].chain]))
    _as_superuser(*statements)
    assert verify() == (3, None)
    assert main(["audit", "verify", "--against", str(kept)]) == 1
    out = capsys.readouterr().out
    assert f"was {entries[-1].hash[:16]}..., is {prev[:16]}...: history rewritten" in out


def test_a_wiped_audit_log_is_found_against_published_heads(tmp_path, capsys):
    _fill()
    kept = _published_file(tmp_path)
    _as_superuser(("DELETE FROM audit_auditentry", []), ("DELETE FROM audit_chainhead", []))
    assert verify() == (0, None)
    assert main(["audit", "verify", "--against", str(kept)]) == 1
    assert "the audit log was wiped" in capsys.readouterr().out


def test_an_intact_log_agrees_with_its_published_heads(tmp_path, capsys):
    _fill()
    _fill(2, subject=8)
    kept = _published_file(tmp_path)
    _fill(1)  # entries after the heads were published are no mismatch
    assert main(["audit", "verify", "--against", str(kept)]) == 0
    out = capsys.readouterr().out
    assert "0 missing, 0 rewritten, 0 lines refused" in out and "audit chains intact: 6 entries (full)" in out


def test_deleting_the_newest_register_event_is_found_against_a_published_head(provider, tmp_path, capsys):
    licence = services.enter_result(drive(provider, LICENCE, "S6"))
    services.change_status(
        licence,
        "suspended",
        "head",
        note="inspection",
        ground="violations-found",
        until=clock.today() + dt.timedelta(days=30),
    )
    kept = _published_file(tmp_path)
    first, newest = RegisterEvent.objects.order_by("seq")
    _as_superuser(
        ("DELETE FROM registry_registerevent WHERE id = %s", [newest.pk]),
        ("UPDATE registry_registerhead SET seq = 1, hash = %s WHERE id = 1", [first.hash]),
    )
    assert main(["registry", "verify"]) == 0  # the chain alone cannot tell
    capsys.readouterr()
    assert main(["registry", "verify", "--against", str(kept)]) == 1
    out = capsys.readouterr().out
    assert f"register #2 ({newest.hash[:16]}...) is gone: the chain is shorter than published" in out


def test_a_published_line_whose_statement_was_changed_is_refused(tmp_path, capsys):
    _fill()
    kept = _published_file(tmp_path)
    line = json.loads(kept.read_text())
    line["seq"] += 1  # someone shifting the head they kept
    kept.write_text(json.dumps(line) + "\n")
    assert main(["audit", "verify", "--against", str(kept)]) == 1
    out = capsys.readouterr().out
    assert "line 1 refused: CMS signature" in out
    assert "published heads: 0 of the audit log signed by the platform" in out


def test_heads_are_signed_by_the_platform_and_only_when_they_moved(centre):
    _fill()
    first = heads.publish()
    assert [(h.log, h.seq) for h in first.signed] == [("audit", AuditEntry.objects.latest("id").pk)]
    assert heads.publish().signed == ()  # nothing moved
    _fill(1)
    assert len(heads.publish().signed) == 1
    found = heads.read(heads.lines(), centre)
    assert found.refused == () and len(found.of(heads.AUDIT)) == 2
    with pytest.raises(Exception, match="cannot be changed"):
        first.signed[0].save()


def test_no_head_is_signed_for_a_broken_chain():
    entries = _fill()
    _as_superuser(("UPDATE audit_auditentry SET actor = 'nobody' WHERE id = %s", [entries[1].pk]))
    published = heads.publish()
    assert published.signed == () and published.broken == ("audit",)
    assert not SignedHead.objects.exists()


def test_incremental_verification_starts_at_the_last_published_head(capsys):
    _fill()
    heads.publish()
    later = _fill(2)
    since = heads.newest(heads.AUDIT)
    assert verify(since=since) == (2, None)  # only the two entries after the head are read
    assert main(["audit", "verify", "--incremental"]) == 0
    assert "audit chains intact: 2 entries (incremental from 1 published heads)" in capsys.readouterr().out
    _as_superuser(("UPDATE audit_auditentry SET actor = 'nobody' WHERE id = %s", [later[1].pk]))
    count, broken = verify(since=since)
    assert (count, broken.pk) == (1, later[1].pk)
    assert main(["audit", "verify"]) == 1  # the full mode reads every entry


def test_incremental_verification_refuses_a_published_head_whose_entry_changed():
    entries = _fill()
    heads.publish()
    _as_superuser(("UPDATE audit_auditentry SET actor = 'nobody' WHERE id = %s", [entries[-1].pk]))
    count, broken = verify(since=heads.newest(heads.AUDIT))
    assert (count, broken.pk) == (0, entries[-1].pk)


def test_heads_page_and_file_are_public(client):
    _fill()
    heads.publish()
    page = client.get("/register/heads/")
    assert page.status_code == 200
    assert SignedHead.objects.get().hash in page.content.decode()
    download = client.get("/register/heads.jsonl")
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    lines = b"".join(download.streaming_content).decode().splitlines()
    assert heads.read(lines).of(heads.AUDIT) == audit_log.heads()


def test_beat_publishes_the_heads_periodically():
    from django.conf import settings

    from qyzmet.celery import app

    scheduled = {job["task"] for job in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "qyzmet.registry.publish_heads" in scheduled
    _fill()
    app.loader.import_default_modules()
    assert app.tasks["qyzmet.registry.publish_heads"].delay().get() == {"signed": 1, "broken": 0}


def test_replay_finds_an_application_row_changed_behind_the_logs_back(provider, capsys):
    issued = drive(provider, LICENCE, "S6")
    assert main(["audit", "replay"]) == 0
    assert "applications=1 consistent=1 mismatched=0" in capsys.readouterr().out
    _as_superuser(("UPDATE engine_application SET status = 'refused' WHERE id = %s", [issued.pk]))
    assert main(["audit", "replay"]) == 1
    out = capsys.readouterr().out
    assert f"{issued.number}: status 'refused', the log says 'issued'" in out
    assert "applications=1 consistent=0 mismatched=1" in out
