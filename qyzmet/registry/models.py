"""The permit register: every result issued, and every change of its status, in one hash chain.

A `RegisterEntry` is written once, when an application ends in a result (licence, certificate,
permit, talon...), and never changed. What happens to it afterwards (suspension, resumption,
termination) is a `RegisterEvent`. Events form the chain: each event's hash covers its fields
and the previous event's hash, and the `entered` event of an entry carries the entry's fields,
so editing an entry row, an event, or dropping the newest events all show in `chain.verify()`.
The entry keeps the hash of its `entered` event as its seal. `RegisterHead` (one row) holds the
newest hash, which the register publishes at /register/head/: anyone who noted it earlier can
tell whether the history before it was rewritten.

The current status of an entry is the status of its newest event (`with_current_status()`);
`RegisterEntry.status` is the status it was entered with.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from qyzmet.audit import chain as hash_chain
from qyzmet.audit.chain import GENESIS
from qyzmet.engine.models import Application, StepRun
from qyzmet.providers.models import Provider


class AppendOnlyError(Exception):
    pass


class Kind(models.TextChoices):
    """The result kinds of the regulation format (schema.Result.kind) that go into the register."""

    LICENCE = "licence", _("licence")
    LICENCE_ANNEX = "licence_annex", _("licence annex")
    REISSUED_LICENCE = "reissued_licence", _("reissued licence")
    DUPLICATE = "duplicate", _("duplicate")
    CERTIFICATE = "certificate", _("certificate")
    ACCREDITATION_CERTIFICATE = "accreditation_certificate", _("accreditation certificate")
    CONCLUSION = "conclusion", _("conclusion")
    PERMIT = "permit", _("permit")
    TALON = "talon", _("attachment talon")
    DATABASE_INCLUSION = "database_inclusion", _("inclusion in a database")
    NOTIFICATION = "notification", _("notification")


# The number's prefix says what was issued: LIC-2015-00042 is the 42nd licence of 2015.
NUMBER_PREFIX = {
    Kind.LICENCE: "LIC",
    Kind.LICENCE_ANNEX: "LIA",
    Kind.REISSUED_LICENCE: "LIR",
    Kind.DUPLICATE: "DUP",
    Kind.CERTIFICATE: "CRT",
    Kind.ACCREDITATION_CERTIFICATE: "ACR",
    Kind.CONCLUSION: "CON",
    Kind.PERMIT: "PRM",
    Kind.TALON: "TLN",
    Kind.DATABASE_INCLUSION: "DBI",
    Kind.NOTIFICATION: "NTF",
}


class EntryStatus(models.TextChoices):
    VALID = "valid", _("valid")
    SUSPENDED = "suspended", _("suspended")
    TERMINATED = "terminated", _("terminated")
    # Its forms were declared lost or damaged and a duplicate stands for it (Law 202-V Art. 43 p.3)
    VOID = "void", _("void: replaced by a duplicate")


class RegisterEntryQuerySet(models.QuerySet):
    def with_current_status(self):
        """Annotate `current_status`: the status set by the entry's newest event."""
        newest = RegisterEvent.objects.filter(entry=OuterRef("pk")).order_by("-seq").values("status")[:1]
        return self.annotate(current_status=Subquery(newest))


class RegisterEntry(models.Model):
    number = models.CharField(_("number"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices, db_index=True)
    name = models.JSONField(help_text="kk/ru/en: the result's name in the regulation")
    result_code = models.CharField(max_length=60)
    application = models.OneToOneField(
        Application, null=True, blank=True, on_delete=models.PROTECT, related_name="register_entry"
    )
    regulation_id = models.CharField(max_length=120, blank=True)
    service = models.CharField(max_length=80, db_index=True)
    holder = models.CharField(_("IIN/BIN"), max_length=12, db_index=True)
    holder_name = models.CharField(_("holder"), max_length=300, blank=True)
    activity = models.JSONField(help_text="kk/ru/en: the service's title")
    subtypes = models.JSONField(default=list, blank=True)
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="register_entries")
    issued_on = models.DateField(_("issued on"), db_index=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=EntryStatus.choices, default=EntryStatus.VALID, help_text="as entered"
    )
    original = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="derived"
    )
    entered_at = models.DateTimeField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = RegisterEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("register entry")
        verbose_name_plural = _("register entries")

    def __str__(self) -> str:
        return self.number

    def snapshot(self) -> dict:
        """The entry's fields as its `entered` event records them (and the chain checks them)."""
        return {
            "number": self.number,
            "kind": self.kind,
            "name": self.name,
            "result": self.result_code,
            "application": self.application.number if self.application_id else None,
            "regulation": self.regulation_id,
            "service": self.service,
            "holder": self.holder,
            "holder_name": self.holder_name,
            "activity": self.activity,
            "subtypes": self.subtypes,
            "provider": self.provider.code,
            "issued_on": self.issued_on.isoformat(),
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
            "status": self.status,
            "original": self.original.number if self.original_id else None,
            "entered_at": self.entered_at.astimezone(dt.UTC).isoformat(),
        }

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("register entries cannot be changed; record an event instead")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("register entries cannot be deleted")


class RegisterEvent(models.Model):
    """One link of the chain: an entry entered, or its status changed."""

    class Action(models.TextChoices):
        ENTERED = "entered", _("entered in the register")
        SUSPENDED = "suspended", _("suspended")
        RESUMED = "resumed", _("resumed")
        WITHDRAWN = "withdrawn", _("withdrawn")
        TERMINATED = "terminated", _("terminated")
        VOIDED = "voided", _("void: replaced by a duplicate")

    seq = models.BigIntegerField(unique=True)  # 1, 2, 3... in chain order
    entry = models.ForeignKey(RegisterEntry, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=20, choices=Action.choices)
    status = models.CharField(max_length=20, choices=EntryStatus.choices)
    at = models.DateTimeField()
    actor = models.CharField(max_length=150)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.entry_id}"

    def payload(self, entry_number: str) -> bytes:
        # The sequence number, not the row id, is hashed, so the hash is known before the insert
        # and no row is ever written twice.
        return hash_chain.canonical(
            {
                "seq": self.seq,
                "entry": entry_number,
                "action": self.action,
                "status": self.status,
                "at": self.at.astimezone(dt.UTC).isoformat(),
                "actor": self.actor,
                "note": self.note,
                "data": self.data,
                "prev": self.prev_hash,
            }
        )

    def compute_hash(self, entry_number: str) -> str:
        return hash_chain.digest(self.payload(entry_number))

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("register events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("register events cannot be deleted")


class RegisterHead(models.Model):
    """One row: the newest event's sequence number and hash, locked by every append."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS)
    at = models.DateTimeField(null=True, blank=True)


class ProviderKey(models.Model):
    """A provider's signing key file (PKCS#12 from the certification centre), for its documents.

    The certificate is an employee certificate with the provider's BIN (OU=BIN...). The file is
    encrypted with a password derived from SECRET_KEY (keys.py), so a database dump alone does
    not give the key away. A key without a provider is the platform's own (keys.platform_signer),
    which signs the published chain heads.
    """

    provider = models.ForeignKey(
        Provider, null=True, blank=True, on_delete=models.CASCADE, related_name="signing_keys"
    )
    bin = models.CharField(max_length=12)
    serial = models.CharField(max_length=40, unique=True)
    certificate = models.TextField()  # PEM
    p12 = models.BinaryField()
    not_after = models.DateTimeField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.provider.code if self.provider_id else 'platform'} {self.serial}"


class SignedHead(models.Model):
    """A chain's head as the platform signed and published it (heads.publish, every few minutes).

    `log` names the chain's log: the audit log (`chain` 1..16, `seq` the id of its last entry)
    or the register (`chain` 0, `seq` its last event's number). `statement` is the exact JSON
    that was signed, `signature` a detached CMS signature over it by the platform's key. Once
    someone outside keeps the line, the operator can no longer delete the chain's newest rows,
    rewrite it or wipe it without `audit verify --against` / `registry verify --against` saying so.
    """

    class Log(models.TextChoices):
        AUDIT = "audit", _("audit log")
        REGISTER = "register", _("register")

    log = models.CharField(max_length=10, choices=Log.choices)
    chain = models.PositiveSmallIntegerField(default=0)
    seq = models.BigIntegerField()
    hash = models.CharField(max_length=64)
    at = models.DateTimeField()
    statement = models.TextField()
    signature = models.BinaryField()
    signer_serial = models.CharField(max_length=40)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["log", "chain", "seq"], name="one_signed_head_per_position")
        ]

    def __str__(self) -> str:
        return f"{self.log}:{self.chain} #{self.seq} {self.hash[:12]}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("published heads cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("published heads cannot be deleted")


class OfficialSignature(models.Model):
    """The EDS signature a provider's official (the head) put on a result or refusal in the browser.

    `content` is the exact bytes signed: the machine form of the decision (`registry.decisions`),
    which the official saw rendered as a document before signing; `signature` the detached CMS
    over them, verified (pki.verify) before the step was completed. The result document issued
    afterwards keeps it (`IssuedDocument.official_signature`). Written once, never changed.
    """

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="official_signatures")
    step_run = models.OneToOneField(StepRun, on_delete=models.PROTECT, related_name="official_signature")
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    content = models.BinaryField(help_text="the exact bytes signed (canonical JSON)")
    signature = models.BinaryField(help_text="detached CMS SignedData, DER")
    signer_iin = models.CharField(max_length=12)
    signer_bin = models.CharField(max_length=12, blank=True)
    signer_name = models.CharField(max_length=200, blank=True)
    certificate_serial = models.CharField(max_length=40)
    signed_at = models.DateTimeField(help_text="the signing time the signature carries")
    verified_at = models.DateTimeField()

    class Meta:
        ordering = ["verified_at", "id"]
        verbose_name = _("official's signature")
        verbose_name_plural = _("officials' signatures")

    def __str__(self) -> str:
        return f"{self.application_id} {self.signer_iin} {self.certificate_serial}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("a signature cannot be changed")
        super().save(*args, **kwargs)


class IssuedDocument(models.Model):
    """A signed document as it was issued: where its bytes are kept and their SHA-256.

    Made once, when the document is issued (registry.documents), and never changed: every later
    download serves the stored bytes, and the digest lets anyone holding a copy tell it is the
    one issued. `reference` names what the document is of, unique per kind: the register number
    of a result, the application number of a receipt or refusal, the number of a reception's
    refusal to accept, the protocol's id.
    """

    class Kind(models.TextChoices):
        RESULT = "result", _("result")
        RECEIPT = "receipt", _("receipt for the documents")
        REFUSAL = "refusal", _("reasoned refusal")
        INCOMPLETE = "incomplete", _("refusal to accept documents")
        NOT_CONSIDERED = "not_considered", _("refusal of further consideration")
        PROTOCOL = "protocol", _("protocol of the meeting")
        PSC_RECEIPT = "psc_receipt", _("receipt of the service centre")
        # The licensor's decision on a permit's status (suspension, withdrawal...), per register event
        DECISION = "decision", _("decision on the permit's status")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    reference = models.CharField(max_length=60)
    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.PROTECT, related_name="issued_documents"
    )
    register_entry = models.ForeignKey(
        RegisterEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="issued_documents"
    )
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="issued_documents")
    language = models.CharField(max_length=8, help_text="the language it was rendered in")
    storage_name = models.CharField(max_length=255, unique=True)
    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.PositiveIntegerField()
    signer_serial = models.CharField(max_length=40, help_text="the provider key's certificate serial")
    # The official's own EDS signature over the decision the document records (results and
    # refusals signed by the head in the browser); None for documents signed by the key alone.
    official_signature = models.OneToOneField(
        OfficialSignature, null=True, blank=True, on_delete=models.PROTECT, related_name="document"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["kind", "reference"], name="one_document_per_kind")]
        verbose_name = _("issued document")
        verbose_name_plural = _("issued documents")

    def __str__(self) -> str:
        return f"{self.kind} {self.reference}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("issued documents cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("issued documents cannot be deleted")


class Proposal(models.Model):
    """An end of a permit the register proposes to the licensor (watch.py).

    The watch over the state databases found the holder liquidated (legal entities) or deceased
    (individuals); or a suspension ended without being lifted (withdrawal, Law 202-V Art. 45 p.4).
    The licensor's staff decide: end the entry on that ground, or dismiss the proposal. Nothing is
    ended by the register itself.
    """

    class State(models.TextChoices):
        OPEN = "open", _("awaiting the licensor's decision")
        ACCEPTED = "accepted", _("terminated on this ground")
        DISMISSED = "dismissed", _("dismissed")

    entry = models.ForeignKey(RegisterEntry, on_delete=models.PROTECT, related_name="proposals")
    ground = models.CharField(max_length=40)
    found_on = models.DateField(help_text="the day the state database gave for the event")
    evidence = models.JSONField(default=dict, help_text="what the state database answered")
    lookup_id = models.BigIntegerField(null=True, blank=True, help_text="the gateway's DataLookup kept")
    state = models.CharField(max_length=12, choices=State.choices, default=State.OPEN)
    proposed_at = models.DateTimeField()
    decided_by = models.CharField(max_length=150, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "ground"],
                condition=models.Q(state="open"),
                name="registry_one_open_proposal",
            )
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.ground} {self.state}"
