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
