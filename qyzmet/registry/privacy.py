"""What the public register shows and finds of a holder: legal entities in full, people masked.

The register is public so that anyone can check who holds which permit; an individual's IIN is
personal data (it encodes the date of birth and sex) and is not needed for that check. A legal
entity's BIN and name are public facts of the state register of legal entities, so they stay
shown and searchable.
"""

from __future__ import annotations

from qyzmet.identity import numbers


def masked(number: str) -> str:
    """87********29: only the first 2 and the last 2 digits. Digits 1-6 are the date of birth and
    the 7th the century and sex, so the birth-date part is hidden too; the year's last two digits
    and the control digit let a holder recognise their own entry without telling others more
    than a year of birth."""
    if len(number) <= 4:
        return "*" * len(number)
    return number[:2] + "*" * (len(number) - 4) + number[-2:]


def public_holder(number: str) -> str:
    """The holder's number as a public page shows it."""
    return number if numbers.is_entity_number(number) else masked(number)
