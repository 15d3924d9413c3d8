"""What comes before an application: drafts, fee payments, look-ups in the state databases, and
refusals to accept an incomplete paper set.

Drafts and refusal receipts are rows of the intake (online and paper); access lies below it
and never imports it, so these rules take the row the caller found (or None) and return it
when the user may see it. A payment is the gateway's answer about it.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from qyzmet.gateway.models import DataLookup

from .applications import staff_applications
from .errors import NotFound
from .people import applicant_number, is_applicant, is_superuser, staff_providers

# Drafts -----------------------------------------------------------------------------------------


def own_drafts(user, drafts: QuerySet) -> QuerySet:
    """Of `drafts` (the intake's rows), the ones this applicant started."""
    if not is_applicant(user):
        return drafts.none()
    return drafts.filter(user=user)


def access_draft(user, draft):
    """`draft` (or None) when it is this applicant's own, else 404: a draft is seen and edited
    only by the account that started it, and its attachments with it."""
    if draft is None or not is_applicant(user) or draft.user_id != user.pk:
        raise NotFound(_("You have no such draft."))
    return draft


# Payments ---------------------------------------------------------------------------------------


def access_payment(user, payment_id: str, payment: dict | None) -> dict:
    """The gateway's record of a payment (or None when it has none) when `user` paid it, else 404.
    Staff accounts are refused outright (403), as everywhere on the applicant's side."""
    payer = applicant_number(user)
    if payment is None or payment.get("payer") != payer:
        raise NotFound(_("You have no payment %(id)s.") % {"id": payment_id})
    return payment


# Look-ups in the state databases ----------------------------------------------------------------


def lookups_for(user) -> QuerySet[DataLookup]:
    """The look-ups `user` may read.

    An applicant reads every look-up that returned their data (of their number, and of entities
    whose record names them as head: `DataLookup.objects.of_person`), whoever asked. Staff read
    the look-ups made for applications of their providers and the ones they made themselves
    (at the counter, before there is an application). A superuser reads them all.
    """
    if is_superuser(user):
        return DataLookup.objects.all()
    if is_applicant(user):
        return DataLookup.objects.of_person(user.get_username())
    if user is None or not user.is_authenticated:
        return DataLookup.objects.none()
    numbers = staff_applications(user).values("number")
    return DataLookup.objects.filter(Q(application_number__in=numbers) | Q(initiated_by=user.get_username()))


def access_lookup(user, lookup_id) -> DataLookup:
    try:
        return lookups_for(user).get(pk=lookup_id)
    except (DataLookup.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No look-up %(id)s among those you may read.") % {"id": lookup_id}) from None


# Documents uploaded with a request ---------------------------------------------------------------


def access_attachment_as_staff(user, app, attachment):
    """A document uploaded with the request that became `app` (or None), for staff who see `app`:
    staff of its provider only (a superuser sees all), else 404."""
    if (
        attachment is None
        or attachment.draft.application_id != app.pk
        or not staff_applications(user).filter(pk=app.pk).exists()
    ):
        raise NotFound(_("No such document of this application."))
    return attachment


# Refusals to accept -----------------------------------------------------------------------------


def access_reception_refusal(user, refusal):
    """A receipt refusing an incomplete paper set (or None): seen by staff of the provider that
    issued it, like its applications."""
    if refusal is None or not staff_providers(user).filter(pk=refusal.provider_id).exists():
        raise NotFound(_("No such receipt among your provider's."))
    return refusal


def access_registration(user, registration):
    """A paper registration (or None) taken at a provider's office: seen by that provider's staff,
    like the receipts its desk gives."""
    if registration is None or not staff_providers(user).filter(pk=registration.provider_id).exists():
        raise NotFound(_("No such registration among your provider's."))
    return registration
