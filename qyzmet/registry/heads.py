"""Signed chain heads, published so that the operator cannot quietly rewrite history.

The audit log and the register are hash chains (audit.chain), but whoever runs the database
can delete a chain's newest rows, rewrite a chain consistently from some row on, or wipe it,
and the chain alone would still verify. So every few minutes (Celery beat, `publish`) the
platform checks each chain from its last published head on (incremental), signs the chain's
current head (log, chain, position, hash, moment) with the platform's key from the
certification centre (a detached CMS signature, keys.platform_signer), keeps it append-only
(`SignedHead`) and publishes it: /register/heads/ shows the newest, /register/heads.jsonl gives
them all as JSON lines, each line signed on its own. Anyone may keep that file; later
`audit verify --against FILE` and `registry verify --against FILE` tell whether the live chains
still reach every head in it with the same hash.

A line is `{"log", "chain", "seq", "hash", "at", "signer", "signature"}`: the first five are the
signed statement (its canonical JSON, audit.chain.canonical), `signature` the CMS in base64.
For the audit log `chain` is 1..16 and `seq` the id of the chain's last entry; for the register
`chain` is 0 and `seq` the number of its last event.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import connections, transaction

from qyzmet.audit import chain as hash_chain
from qyzmet.audit import log as audit_log
from qyzmet.pki import cms
from qyzmet.pki.ca import CertificationCentre, PKIError, subject_numbers

from . import chain as register_chain
from . import keys
from .models import SignedHead

log = logging.getLogger(__name__)

STATEMENT = ("log", "chain", "seq", "hash", "at")
AUDIT, REGISTER = SignedHead.Log.AUDIT.value, SignedHead.Log.REGISTER.value


def _chain_key(log_name: str, chain: int):
    """The chain as each log's verifier names it: audit chains by number, the register's None."""
    return chain if log_name == AUDIT else None


def newest(log_name: str) -> dict:
    """The newest published head of each chain of `log_name`, as audit.chain.Head by chain."""
    found = {}
    rows = (
        SignedHead.objects.filter(log=log_name).order_by("chain", "-seq").values_list("chain", "seq", "hash")
    )
    for chain, seq, hash_ in rows:
        key = _chain_key(log_name, chain)
        if key not in found:
            found[key] = hash_chain.Head(key, seq, hash_)
    return found


def statement(log_name: str, head: hash_chain.Head, at: dt.datetime) -> dict:
    return {
        "log": log_name,
        "chain": head.chain or 0,
        "seq": head.position,
        "hash": head.hash,
        "at": at.astimezone(dt.UTC).isoformat(),
    }


def _sign(log_name: str, head: hash_chain.Head, at: dt.datetime, signer, centre) -> SignedHead:
    said = statement(log_name, head, at)
    text = hash_chain.canonical(said)
    signature = cms.sign_detached(text, signer.private_key, signer.certificate, [centre.issuing])
    return SignedHead.objects.create(
        log=log_name,
        chain=said["chain"],
        seq=head.position,
        hash=head.hash,
        at=at,
        statement=text.decode(),
        signature=signature,
        signer_serial=signer.serial,
    )


@dataclass(frozen=True)
class Published:
    """What one run of `publish` did: heads signed, and the logs left unsigned because broken."""

    signed: tuple[SignedHead, ...]
    broken: tuple[str, ...] = ()


def publish(at: dt.datetime | None = None) -> Published:
    """Verify each log from its newest published heads on and sign the heads that moved since.

    A log whose check fails gets nothing signed (an error is logged): the platform never vouches
    for a chain it cannot verify. The reads are one snapshot (REPEATABLE READ on PostgreSQL), so
    the heads signed are the ones just verified while appends go on (when called outside a
    transaction, as the beat job is)."""
    at = at or dt.datetime.now(dt.UTC)  # a signature's moment is real time, as certificates'
    connection = connections[SignedHead.objects.db]
    signed, broken = [], []
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        moved = []
        audit_since = newest(AUDIT)
        _count, audit_broken = audit_log.verify(since=audit_since)
        if audit_broken is None:
            moved += [(AUDIT, h) for h in audit_log.heads() if audit_since.get(h.chain) != h]
        else:
            broken.append(AUDIT)
            log.error(
                "audit chain %s broken at entry #%s: no head signed", audit_broken.chain, audit_broken.pk
            )
        register_since = newest(REGISTER).get(None)
        check = register_chain.verify(since=register_since)
        head = register_chain.current_head()
        if not check.intact:
            broken.append(REGISTER)
            log.error("register chain broken at event #%s: no head signed", check.broken_seq)
        elif head is not None and head != register_since:
            moved.append((REGISTER, head))
        if moved:
            centre = CertificationCentre.default().ensure()
            signer = keys.platform_signer()
            signed = [_sign(name, h, at, signer, centre) for name, h in moved]
    return Published(tuple(signed), tuple(broken))


def line(head: SignedHead) -> str:
    """The head as one JSON line of the published file."""
    said = json.loads(head.statement)
    said["signer"] = head.signer_serial
    said["signature"] = base64.b64encode(bytes(head.signature)).decode()
    return json.dumps(said, ensure_ascii=False, sort_keys=True)


def lines() -> Iterator[str]:
    """Every published head, oldest first, one JSON line each (with its newline)."""
    for head in SignedHead.objects.order_by("id").iterator(chunk_size=2000):
        yield line(head) + "\n"


@dataclass(frozen=True)
class FileCheck:
    """What a file of published heads holds: the heads whose signature holds, by log, and the
    lines that are not a head signed by the platform (line number, why)."""

    heads: dict
    refused: tuple[tuple[int, str], ...]

    def of(self, log_name: str) -> list[hash_chain.Head]:
        return self.heads.get(log_name, [])

    def newest(self, log_name: str) -> dict:
        found = {}
        for head in self.of(log_name):
            if head.chain not in found or head.position > found[head.chain].position:
                found[head.chain] = head
        return found


def read(text_lines: Iterable[str], centre: CertificationCentre | None = None) -> FileCheck:
    """Read a published file, checking each line's signature against the certification centre
    (and that its signer is the platform); lines that fail are refused, not trusted."""
    centre = centre or CertificationCentre.default()
    platform = keys.platform_bin()
    heads: dict[str, list] = {}
    refused = []
    for number, raw in enumerate(text_lines, start=1):
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
            said = {key: data[key] for key in STATEMENT}
            signature = base64.b64decode(data["signature"], validate=True)
            signer = cms.verify_detached(hash_chain.canonical(said), signature, centre)
        except (ValueError, KeyError, TypeError) as exc:
            refused.append((number, f"not a published head: {exc}"))
            continue
        except PKIError as exc:
            refused.append((number, str(exc)))
            continue
        if subject_numbers(signer)[1] != platform:
            refused.append((number, "not signed by the platform's key"))
            continue
        if said["log"] not in (AUDIT, REGISTER):
            refused.append((number, f"unknown log {said['log']!r}"))
            continue
        key = _chain_key(said["log"], said["chain"])
        heads.setdefault(said["log"], []).append(hash_chain.Head(key, int(said["seq"]), said["hash"]))
    return FileCheck(heads, tuple(refused))


def read_file(path: str) -> FileCheck:
    with open(path, encoding="utf-8") as text:
        return read(text)


def compare(log_name: str, published: FileCheck, against, empty: bool) -> tuple[list[str], bool]:
    """Check the live chains of `log_name` against the heads a file published (`against` is the
    log's own comparison: audit.log.against or registry.chain.against; `empty`, whether the log
    has no row at all now). The lines to print, and whether everything agreed (a refused line
    counts against)."""
    heads = published.of(log_name)
    said = [f"published heads: {len(heads)} of the {log_name} log signed by the platform"]
    said += [f"line {number} refused: {why}" for number, why in published.refused]
    mismatches = against(heads)
    missing = [m for m in mismatches if m.problem == hash_chain.MISSING]
    for mismatch in mismatches:
        head = mismatch.head
        where = (
            f"{log_name} chain {head.chain} #{head.position}"
            if head.chain
            else f"{log_name} #{head.position}"
        )
        if mismatch.problem == hash_chain.MISSING:
            said.append(f"{where} ({head.hash[:16]}...) is gone: the chain is shorter than published")
        else:
            said.append(f"{where} was {head.hash[:16]}..., is {mismatch.found[:16]}...: history rewritten")
    if heads and empty:
        said.append(f"none of the published heads is there any more: the {log_name} log was wiped")
    said.append(
        f"against published heads: {len(heads)} checked, {len(missing)} missing, "
        f"{len(mismatches) - len(missing)} rewritten, {len(published.refused)} lines refused"
    )
    return said, not mismatches and not published.refused
