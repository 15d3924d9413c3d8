"""Population Service Centres: a centre, the acceptances taken at it and their transfers.

An operator sees and acts on the queue, acceptances, transfers and storage of the centres where
they hold `psc-operator`; anything of another centre is a 404, as if it did not exist. Nobody
else works at a centre (a superuser included: acceptance is done by a person at its counter).
Acceptances and transfers are rows of the paper intake, which lies above access, so these rules
take the row the caller found (or None).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from qyzmet.providers.models import Provider

from .errors import NotFound
from .people import is_operator_of, operator_centres


def access_centre(user, code: str) -> Provider:
    centre = operator_centres(user).filter(code=code).first()
    if centre is None:
        raise NotFound(_("No centre %(code)s among yours.") % {"code": code})
    return centre


def access_acceptance(user, acceptance):
    """An acceptance (or None) taken at a centre where `user` is an operator, else 404."""
    if acceptance is None or not is_operator_of(user, acceptance.centre):
        raise NotFound(_("No such acceptance at this centre."))
    return acceptance


def access_transfer(user, acceptance, transfer):
    """A transfer (or None) of an acceptance the user may see, else 404."""
    access_acceptance(user, acceptance)
    if transfer is None or transfer.acceptance_id != acceptance.pk:
        raise NotFound(_("No such transfer of this acceptance."))
    return transfer
