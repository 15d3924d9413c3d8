"""API tokens: how a provider's own document system signs in to the back-office API.

A token is shown once, when it is made (`python -m qyzmet api token USERNAME`); only its SHA-256
is stored, so a copy of the database does not hand out working credentials. A token acts as the
user it belongs to, with exactly that user's roles; revoking it (setting `revoked`) ends it at once.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TOKEN_PREFIX = "qz_"  # noqa: S105 (not a secret) makes a leaked token easy to spot in logs and secret scanners


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(_("SHA-256 of the token"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100, help_text=_("which system uses it"))
    created = models.DateTimeField(_("created"), default=timezone.now)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked = models.DateTimeField(_("revoked"), null=True, blank=True, help_text=_("empty while valid"))

    class Meta:
        ordering = ["-created"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.user} — {self.name}"

    @classmethod
    def issue(cls, user, name: str) -> tuple[ApiToken, str]:
        """Make a token for `user`; returns the row and the token itself, which is not kept."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        return cls.objects.create(user=user, name=name, key_hash=hash_token(token)), token

    def revoke(self) -> None:
        ApiToken.objects.filter(pk=self.pk, revoked__isnull=True).update(revoked=timezone.now())
        self.refresh_from_db(fields=["revoked"])


class Submission(models.Model):
    """One signed request posted to the portal API, and what became of it.

    Keyed by the SHA-256 of the signature value (and the applicant who posted it), so posting the
    same signed request again finds this row instead of filing a second application: a filed
    submission answers with its application; a refused or waiting one is walked again, since the
    payment or the state database may have changed in between. `claimed_at` marks the walk in
    progress, so two posts arriving together do not both walk the channel (the second waits).
    """

    RUNNING, FILED, REFUSED, WAITING = "running", "filed", "refused", "waiting"
    STATUS_CHOICES = [
        (RUNNING, _("being processed")),
        (FILED, _("filed")),
        (REFUSED, _("refused")),
        (WAITING, _("waiting for a state database")),
    ]

    signature_sha256 = models.CharField(_("SHA-256 of the signature value"), max_length=64)
    applicant = models.CharField(_("IIN/BIN"), max_length=12, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    provider = models.CharField(max_length=160)
    service = models.CharField(max_length=80)
    variant = models.CharField(max_length=40)
    regulation = models.CharField(max_length=120, blank=True)
    channel = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=16, choices=STATUS_CHOICES, default=RUNNING)
    application = models.ForeignKey(
        "engine.Application", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    step = models.CharField(_("step that ended the walk"), max_length=40, blank=True)
    message = models.JSONField(_("refusal message (kk/ru/en)"), null=True, blank=True)
    reason = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=1)
    claimed_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("portal submission")
        verbose_name_plural = _("portal submissions")
        constraints = [
            # the applicant is part of the key: someone else replaying my signed request is refused
            # on their own row and cannot block mine
            models.UniqueConstraint(fields=["signature_sha256", "applicant"], name="api_submission_once")
        ]

    def __str__(self) -> str:
        return f"{self.applicant} {self.service} {self.status}"
