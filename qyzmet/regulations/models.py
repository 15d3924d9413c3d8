"""The regulation catalogue as loaded into the database.

The YAML files are the source of truth; `python -m qyzmet regulations load` copies each validated file
here so that applications can point at the exact version they were filed under, and so that
"which version was in force for this service at this provider on this day" is a query.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .schema import Regulation as RegulationDocument


class RegulationQuerySet(models.QuerySet):
    def in_force(self, on: dt.date):
        """Versions in force on a day: started on or before it, not yet ceased (NULL = open)."""
        return self.filter(in_force_from__lte=on).filter(
            Q(in_force_until__isnull=True) | Q(in_force_until__gt=on)
        )

    def version_for(self, service: str, provider: str, on: dt.date) -> Regulation | None:
        """The version of `service` at `provider` that applies to an application filed on `on`."""
        return self.in_force(on).filter(service=service, provider_code=provider).first()


class Regulation(models.Model):
    id = models.CharField(primary_key=True, max_length=120)
    service = models.CharField(_("service"), max_length=80, db_index=True)
    provider_code = models.CharField(_("provider"), max_length=120, db_index=True)
    in_force_from = models.DateField(_("in force from"))
    in_force_until = models.DateField(_("in force until"), null=True, blank=True)
    document = models.JSONField()
    digest = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(auto_now=True)

    objects = RegulationQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("regulation")
        verbose_name_plural = _("regulations")

    def __str__(self) -> str:
        return self.id

    def applies(self, service: str, provider: str, on: dt.date) -> bool:
        """Whether this is the version `version_for(service, provider, on)` would find."""
        return (
            self.service == service
            and self.provider_code == provider
            and self.in_force_from <= on
            and (self.in_force_until is None or on < self.in_force_until)
        )

    @property
    def parsed(self) -> RegulationDocument:
        """The validated document, parsed once per process and version (keyed by its digest)."""
        key = (self.pk, self.digest)
        doc = _PARSED.get(key)
        if doc is None:
            doc = _PARSED[key] = RegulationDocument.model_validate(self.document)
        return doc


# Versions are immutable once loaded (a new wording is a new file), so caching by digest is safe.
_PARSED: dict[tuple[str, str], RegulationDocument] = {}


def parsed_document(pk: str, digest: str) -> RegulationDocument:
    """The parsed document of a version known by id and digest; read from the table only on a
    cache miss (the engine's transitions select the digest, never the document)."""
    doc = _PARSED.get((pk, digest))
    if doc is None:
        doc = Regulation.objects.get(pk=pk).parsed
    return doc
