"""What the applicant asks for: the provider, the regulation in force there, its portal channel
and variant. Who the applicant is and what is theirs is `qyzmet.access`'s to say.
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _

from qyzmet import clock
from qyzmet.engine.services import EngineError
from qyzmet.intake.online.drafts import PORTAL_CHANNELS
from qyzmet.providers.models import Provider
from qyzmet.regulations.models import Regulation


def provider_named(code: str) -> Provider:
    provider = Provider.objects.filter(code=code).first()
    if provider is None:
        raise Http404(_("No provider %(code)s.") % {"code": code})
    return provider


def regulation_at(provider: Provider, service: str) -> Regulation:
    """The version of `service` in force at `provider` today (the platform clock's today)."""
    # The document (tens of kB of JSON) stays in the database: `parsed` is cached per process by
    # digest, and loads it only on a miss. That saves decoding it on every request.
    row = Regulation.objects.defer("document").version_for(service, provider.acts_as, clock.today())
    if row is None:
        raise Http404(
            _("%(service)s is not provided at %(provider)s today.")
            % {"service": service, "provider": provider.code}
        )
    return row


def portal_channel(row: Regulation) -> str:
    reg = row.parsed
    code = next((c for c in PORTAL_CHANNELS if reg.channel(c) is not None), None)
    if code is None:
        raise EngineError(_("%(id)s is not provided through the portal.") % {"id": row.pk})
    return code


def variant_of(row: Regulation, variant: str) -> str:
    reg = row.parsed
    if reg.variant(variant) is None:
        raise Http404(
            _("%(service)s has no variant %(variant)s.") % {"service": reg.service, "variant": variant}
        )
    channel = reg.channel(portal_channel(row))
    if channel.variants and variant not in channel.variants:
        raise EngineError(
            _("%(variant)s of %(service)s is not applied for through the portal.")
            % {"variant": variant, "service": reg.service}
        )
    return variant
