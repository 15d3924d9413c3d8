"""The append-only audit log: every state change, hash-chained so that a silent edit shows.

Each entry's hash covers its own fields and the previous entry's hash in its chain. There are
`CHAINS` chains, and a subject's entries always go to the same one (`chain_of`): an
application's whole history is one chain, and changes to different applications do not wait for
each other's commit, as they would behind a single head row. Appends to a chain are serialised
through its `ChainHead` row (locked with SELECT ... FOR UPDATE on PostgreSQL; SQLite serialises
writers anyway), so two processes can never fork it. The database refuses UPDATE and DELETE on
the log (triggers installed by the migration); the model refuses them too.
"""

from __future__ import annotations

import datetime as dt
import zlib

from django.db import models

from . import chain as hash_chain
from .chain import GENESIS  # noqa: F401 - the audit log's genesis is every chain's

# How many chains new entries are spread over. Each entry stores its chain, so changing this only
# changes where later entries go; `verify` checks whatever chains the entries name.
CHAINS = 16


class AppendOnlyError(Exception):
    pass


# An entry's place in its chain (kept under this name for the SQL paths that import it).
chain_hash = hash_chain.link


def chain_of(subject_type: str, subject_id: str) -> int:
    """The chain (1..CHAINS) of a subject's entries: the same for every entry about it."""
    return 1 + zlib.crc32(f"{subject_type}:{subject_id}".encode()) % CHAINS


class AuditEntry(models.Model):
    chain = models.PositiveSmallIntegerField(default=1)  # entries made before chains were split: 1
    at = models.DateTimeField()
    actor = models.CharField(max_length=150)  # a username, or "system" / "portal" / "scheduler"
    action = models.CharField(max_length=60)
    subject_type = models.CharField(max_length=40)
    subject_id = models.CharField(max_length=60, db_index=True)
    data = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]

    def payload(self) -> bytes:
        return hash_chain.canonical(
            {
                # UTC, so the hash is the same whether the moment was made here or read back
                "at": self.at.astimezone(dt.UTC).isoformat(),
                "actor": self.actor,
                "action": self.action,
                "subject": [self.subject_type, self.subject_id],
                "data": self.data,
            }
        )

    def digest(self) -> str:
        """The entry's own content, hashed without the chain (computable before taking the lock)."""
        return hash_chain.digest(self.payload())

    def compute_hash(self) -> str:
        return hash_chain.link(self.prev_hash, self.digest())

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("audit entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit entries cannot be deleted")

    def __str__(self) -> str:
        return f"#{self.pk} {self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.subject_type}:{self.subject_id}"


class ChainHead(models.Model):
    """One row per chain (its id is the chain's number): the chain's last entry's id and hash,
    locked by every append to it."""

    last_id = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS)
