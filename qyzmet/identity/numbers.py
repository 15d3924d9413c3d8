"""IIN and BIN: Kazakhstan's 12-digit identification numbers, their control digit and what they encode.

IIN (individuals): YYMMDD of birth, a 7th digit for century and sex (1/2 = 1800s male/female,
3/4 = 1900s, 5/6 = 2000s; odd is male), a 4-digit serial and the control digit.
BIN (legal entities): YYMM of registration, a 5th digit for the type (4 resident legal entity,
5 non-resident, 6 individual entrepreneur in joint business), a 6th for the attribute (0 head
office, 1 branch, 2 representative office), a 5-digit serial and the control digit.

The control digit: the sum of digits 1-11 times weights 1..11, modulo 11; if that gives 10,
again with weights 3..11, 1, 2; if 10 again, the number is never issued (shared/domain/law-facts.md
items 44-46). Since Decree No. 853 of 26.08.2013 an IIN whose date does not match the person's is
still valid, so the date is reported but a real-looking date is only required by `generate_*`.
"""

from __future__ import annotations

import datetime as dt
import random

WEIGHTS_1 = tuple(range(1, 12))
WEIGHTS_2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)

CENTURY_SEX = {
    "1": (1800, "male"),
    "2": (1800, "female"),
    "3": (1900, "male"),
    "4": (1900, "female"),
    "5": (2000, "male"),
    "6": (2000, "female"),
}
BIN_TYPES = {
    "4": "resident legal entity",
    "5": "non-resident legal entity",
    "6": "individual entrepreneur in joint business",
}
BIN_ATTRIBUTES = {"0": "head office", "1": "branch", "2": "representative office"}


def control_digit(first11: str) -> int | None:
    """The control digit for 11 digits, or None when no digit can be given (the number is unused)."""
    digits = [int(c) for c in first11]
    for weights in (WEIGHTS_1, WEIGHTS_2):
        check = sum(d * w for d, w in zip(digits, weights)) % 11
        if check != 10:
            return check
    return None


def _shape_problem(number: str) -> str | None:
    if not number.isdigit() or not number.isascii():
        return "must contain digits only"
    if len(number) != 12:
        return f"must have 12 digits, not {len(number)}"
    expected = control_digit(number[:11])
    if expected is None:
        return "no control digit exists for the first 11 digits; such numbers are not issued"
    if int(number[11]) != expected:
        return f"control digit is {number[11]}, expected {expected}"
    return None


def iin_problem(number: str) -> str | None:
    """Why `number` is not a valid IIN, or None."""
    problem = _shape_problem(number)
    if problem:
        return problem
    if number[6] not in CENTURY_SEX:
        return f"7th digit {number[6]} is not a century-and-sex code (1-6)"
    return None


def bin_problem(number: str) -> str | None:
    """Why `number` is not a valid BIN, or None."""
    problem = _shape_problem(number)
    if problem:
        return problem
    if not 1 <= int(number[2:4]) <= 12:
        return f"month of registration {number[2:4]} is not 01-12"
    if number[4] not in BIN_TYPES:
        return f"5th digit {number[4]} is not an entity type (4, 5 or 6)"
    return None


def problem(number: str) -> str | None:
    """Why `number` is neither a valid IIN nor a valid BIN, or None if it is one of them."""
    number = number.strip()
    shape = _shape_problem(number)
    if shape:
        return shape
    if iin_problem(number) is None or bin_problem(number) is None:
        return None
    return f"not an IIN ({iin_problem(number)}) and not a BIN ({bin_problem(number)})"


def is_entity_number(number: str) -> bool:
    """A legal entity's number: valid as a BIN and not as an IIN. Some numbers pass both checks;
    those are taken as a person's, since treating a person as an entity (showing their number,
    asking the entities' register) costs more than the other way round."""
    return iin_problem(number) is not None and bin_problem(number) is None


def applicant_kind(number: str, entity: bool | None = None) -> str | None:
    """The kind of applicant a number identifies, in the regulations' terms (`ApplicantKind`), or
    None when the number alone cannot tell: since 2013 an IIN's date need not be real, so many
    BINs are valid IINs too. `entity` is what the caller knows beyond the number (the signed
    request names the BIN of the entity it is made for, or only the person's IIN).

    A BIN of a joint business of individual entrepreneurs (5th digit 6) is an individual
    entrepreneur's, any other BIN a legal entity's; an IIN is an individual's (a person, whether
    or not they also trade as an entrepreneur: the IIN is formed for both, seed 000 lines 87-89).
    """
    as_iin, as_bin = iin_problem(number) is None, bin_problem(number) is None
    if entity is None:
        entity = True if as_bin and not as_iin else False if as_iin and not as_bin else None
    if entity is None:
        return None
    if not entity:
        return "individual"
    return "individual_entrepreneur" if as_bin and number[4] == "6" else "legal_entity"


def describe(number: str) -> dict:
    """What a valid number encodes. Both readings are given when the digits allow both."""
    info: dict = {"number": number}
    if iin_problem(number) is None:
        century, sex = CENTURY_SEX[number[6]]
        try:
            born = dt.date(century + int(number[:2]), int(number[2:4]), int(number[4:6]))
        except ValueError:
            born = None  # allowed since Decree 853 of 2013
        info["iin"] = {"birth_date": born, "sex": sex}
    if bin_problem(number) is None:
        info["bin"] = {
            "registered": f"{number[2:4]}.20{number[:2]}",
            "type": BIN_TYPES[number[4]],
            "attribute": BIN_ATTRIBUTES.get(number[5], "other"),
        }
    return info


def birth_date(iin: str) -> dt.date | None:
    return describe(iin).get("iin", {}).get("birth_date")


def sex(iin: str) -> str | None:
    return describe(iin).get("iin", {}).get("sex")


def _complete(first11: str) -> str | None:
    check = control_digit(first11)
    return None if check is None else first11 + str(check)


def generate_iin(
    birth: dt.date | None = None, sex: str | None = None, rng: random.Random | None = None
) -> str:
    """A valid IIN for demo and test data (a real date of birth, correct control digit)."""
    rng = rng or random.Random()
    while True:
        born = birth or dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 55))
        who = sex or rng.choice(["male", "female"])
        base = {1800: 1, 1900: 3, 2000: 5}[born.year // 100 * 100]
        digit = base + (0 if who == "male" else 1)
        first11 = f"{born:%y%m%d}{digit}{rng.randrange(0, 10000):04d}"
        number = _complete(first11)
        if number:
            return number


def generate_bin(
    registered: dt.date | None = None,
    entity_type: str = "4",
    attribute: str = "0",
    rng: random.Random | None = None,
) -> str:
    """A valid BIN for demo and test data."""
    rng = rng or random.Random()
    while True:
        reg = registered or dt.date(2000, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 15))
        first11 = f"{reg:%y%m}{entity_type}{attribute}{rng.randrange(0, 100000):05d}"
        number = _complete(first11)
        if number:
            return number
