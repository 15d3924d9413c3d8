"""Demo applicants for `make run`: a person and a legal entity, with key files from the test CA.

    seed_demo_applicants()  # idempotent; called by `demo load`

Each applicant signs in with IIN/BIN and password `demo`, or with the authentication key file
var/demo-keys/<number>-auth.p12; requests are signed with <number>-sign.p12 (both password
`demo`). The entity's key files are its head's, as an employee's key names both her IIN and the
BIN. Key files are issued again when missing or about to expire (the CA issues for a year).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model

from qyzmet.gateway import faults, synthetic
from qyzmet.identity import numbers
from qyzmet.pki import registry
from qyzmet.pki.ca import AUTH, SIGN, CertificationCentre, PKIError, load_p12, write_private

DEMO_PASSWORD = "demo"  # noqa: S105 (published demo logins, printed by make run)
KEY_PASSWORD = "demo"  # noqa: S105 (demo key files)
RENEW_BEFORE = dt.timedelta(days=7)


@dataclass
class DemoApplicant:
    username: str
    name: str
    auth_key: Path
    sign_key: Path


def _ordinary(make) -> str:
    # Fixed seeds, so the demo numbers are the same on every machine; magic numbers force faults.
    rng = random.Random(2015)  # noqa: S311 - demo data
    while True:
        number = make(rng)
        if not faults.magic_kind(number):
            return number


def demo_numbers() -> tuple[str, str]:
    """The demo person's IIN and the demo entity's BIN."""
    iin = _ordinary(lambda rng: numbers.generate_iin(birth=dt.date(1985, 3, 21), sex="female", rng=rng))
    bin_ = _ordinary(lambda rng: numbers.generate_bin(registered=dt.date(2009, 6, 1), rng=rng))
    return iin, bin_


def keys_dir() -> Path:
    return Path(settings.VAR_DIR) / "demo-keys"


def _fresh(path: Path) -> bool:
    if not path.exists():
        return False
    try:
        _key, certificate = load_p12(path.read_bytes(), KEY_PASSWORD)
    except PKIError:
        return False
    return certificate.not_valid_after_utc > dt.datetime.now(dt.UTC) + RENEW_BEFORE


def _key_file(ca, path: Path, purpose: str, **subject) -> Path:
    if not _fresh(path):
        issued, _record = registry.issue(ca, purpose=purpose, password=KEY_PASSWORD, **subject)
        write_private(path, issued.p12)
    return path


def seed_demo_applicants(ca: CertificationCentre | None = None) -> list[DemoApplicant]:
    """Create (or keep) the demo applicants and their key files."""
    ca = (ca or CertificationCentre.default()).ensure()
    iin, bin_ = demo_numbers()
    # The simulated state databases derive everything from the number, so the demo key files can
    # name the same person the portal will find there.
    person = synthetic.person(iin)
    person_name = " ".join(p for p in (person["surname"], person["first_name"], person["patronymic"]) if p)
    entity = synthetic.entity(bin_)
    head = entity["head"]
    made = []
    User = get_user_model()
    for username, name, subject in (
        (iin, person_name, {"iin": iin, "name": person_name.upper()}),
        (
            bin_,
            entity["name"],
            {"iin": head["iin"], "name": head["name"].upper(), "bin": bin_, "organisation": entity["name"]},
        ),
    ):
        user, created = User.objects.get_or_create(username=username)
        if created or not user.has_usable_password():
            user.set_password(DEMO_PASSWORD)
            user.first_name = name[:150]
            user.save()
        directory = keys_dir()
        made.append(
            DemoApplicant(
                username=username,
                name=name,
                auth_key=_key_file(ca, directory / f"{username}-auth.p12", AUTH, **subject),
                sign_key=_key_file(ca, directory / f"{username}-sign.p12", SIGN, **subject),
            )
        )
    return made
