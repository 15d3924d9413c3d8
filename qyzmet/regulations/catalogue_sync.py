"""Copies the validated YAML catalogue into the database (idempotent)."""

from __future__ import annotations

import functools
import hashlib
import json

from django.db import transaction

from .loader import CATALOGUE_DIR, regulation_files
from .models import Regulation
from .validate import validate_catalogue


@functools.lru_cache(maxsize=4)
def _validated(stamp: tuple):
    # Keyed by the files' names and modification times: reloading an unchanged catalogue
    # (every test run, every `make run`) does not parse it again in the same process.
    return validate_catalogue()


class CatalogueInvalid(Exception):
    pass


@transaction.atomic
def sync_catalogue() -> dict[str, int]:
    """Load every regulation file; refuse the whole load if any file has a problem."""
    stamp = tuple((str(p), p.stat().st_mtime_ns) for p in regulation_files(CATALOGUE_DIR))
    regulations, problems = _validated(stamp)
    if problems:
        raise CatalogueInvalid("\n".join(problems))
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for reg in regulations:
        document = reg.model_dump(mode="json", by_alias=True, exclude_none=True)
        digest = hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()
        row = Regulation.objects.filter(pk=reg.id).first()
        if row and row.digest == digest:
            counts["unchanged"] += 1
            continue
        Regulation.objects.update_or_create(
            pk=reg.id,
            defaults=dict(
                service=reg.service,
                provider_code=reg.provider.code,
                in_force_from=reg.in_force.from_,
                in_force_until=reg.in_force.until,
                document=document,
                digest=digest,
            ),
        )
        counts["updated" if row else "created"] += 1
    return counts
