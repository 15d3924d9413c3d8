"""Demo heads who sign results with their own EDS: an IIN for each and a signing key file.

    seed_demo_heads()  # idempotent; called by `demo load`

Each provider's head (`<provider>.head`, password `demo`) gets a stable demo IIN (`Officer`) and
the key file var/demo-keys/<login>-sign.p12 (password `demo`): an employee signing key naming
that IIN and the provider's BIN, as the head signs results in the back office. Issued again when
missing or about to expire.
"""

from __future__ import annotations

import random

from qyzmet.identity import numbers
from qyzmet.pki.ca import SIGN, CertificationCentre
from qyzmet.providers.models import HEAD, Officer, StaffRole
from qyzmet.registry.keys import provider_bin

from .applicants import _key_file, keys_dir


def demo_iin(login: str) -> str:
    rng = random.Random(f"head:{login}")  # noqa: S311 - demo identity numbers
    return numbers.generate_iin(rng=rng)


def seed_demo_heads(ca: CertificationCentre | None = None) -> list[tuple[str, object]]:
    """(login, key file) of every provider's demo head."""
    ca = (ca or CertificationCentre.default()).ensure()
    made = []
    seen = set()
    for role in (
        StaffRole.objects.filter(role=HEAD).select_related("user", "provider").order_by("user_id", "id")
    ):
        user = role.user
        if user.pk in seen or user.is_superuser:
            continue
        seen.add(user.pk)
        login = user.get_username()
        officer, _ = Officer.objects.get_or_create(user=user, defaults={"iin": demo_iin(login)})
        path = _key_file(
            ca,
            keys_dir() / f"{login}-sign.p12",
            SIGN,
            iin=officer.iin,
            name=f"HEAD {login}".upper()[:64],
            bin=provider_bin(role.provider),
            organisation=role.provider.display_name,
        )
        made.append((login, path))
    return made
