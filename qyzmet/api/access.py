"""What an API caller may see: the permission chokepoint of the API.

Every endpoint reaches an application through `visible_applications` (or `application_for`,
built on it), and a provider through `provider_for`. What the caller may not see is reported as
absent (404), never as forbidden, so the API does not confirm that another provider's application
number exists. What the caller may see but not do is the engine's decision (`may_act`, 403).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from qyzmet.engine.models import Application
from qyzmet.engine.services import may_act
from qyzmet.providers.models import Provider, providers_of


def visible_applications(user) -> QuerySet[Application]:
    """Applications of the providers where `user` holds a role (all of them for a superuser,
    as the engine lets a superuser act anywhere)."""
    if user.is_superuser:
        return Application.objects.all()
    return Application.objects.filter(provider__in=providers_of(user))


def application_for(user, number: str) -> Application:
    app = visible_applications(user).select_related("provider", "regulation").filter(number=number).first()
    if app is None:
        raise Http404(_("No application %(number)s among your providers' applications.") % {"number": number})
    return app


def provider_for(user, code: str) -> Provider:
    providers = Provider.objects.all() if user.is_superuser else providers_of(user)
    provider = providers.filter(code=code).first()
    if provider is None:
        raise Http404(_("No provider %(code)s among your providers.") % {"code": code})
    return provider


def handles(user, app: Application) -> bool:
    """Whether `user` may act on one of the application's open steps: who may pause or resume it."""
    return any(
        may_act(user, run)
        for run in app.steps.filter(completed_at__isnull=True).select_related("application__provider")
    )
