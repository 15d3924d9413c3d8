"""IIN and BIN: control digits with both weight sets, what the digits encode, the generator."""

import datetime as dt
import random

from qyzmet.cli import main
from qyzmet.identity import numbers


def test_control_digit_with_the_first_weights():
    # 1*8 + 2*7 + 3*0 + 4*4 + 5*1 + 6*2 + 7*3 + 8*0 + 9*0 + 10*1 + 11*2 = 108; 108 mod 11 = 9
    assert numbers.control_digit("87041230012") == 9
    assert numbers.problem("870412300129") is None


def test_control_digit_falls_back_to_the_second_weights():
    first11 = next(
        f"{n:011d}"
        for n in range(10**10, 10**10 + 10000)
        if sum(int(c) * w for c, w in zip(f"{n:011d}", numbers.WEIGHTS_1)) % 11 == 10
        and numbers.control_digit(f"{n:011d}") is not None
    )
    expected = sum(int(c) * w for c, w in zip(first11, numbers.WEIGHTS_2)) % 11
    assert numbers.control_digit(first11) == expected


def test_number_with_no_possible_control_digit_is_never_valid():
    first11 = next(
        f"{n:011d}" for n in range(10**10, 10**10 + 100000) if numbers.control_digit(f"{n:011d}") is None
    )
    for digit in range(10):
        assert "not issued" in numbers.problem(first11 + str(digit))


def test_wrong_control_digit_is_named():
    assert numbers.problem("870412300120") == "control digit is 0, expected 9"


def test_iin_gives_birth_date_and_sex():
    iin = numbers.generate_iin(birth=dt.date(1987, 4, 12), sex="female", rng=random.Random(1))
    assert numbers.birth_date(iin) == dt.date(1987, 4, 12)
    assert numbers.sex(iin) == "female"
    assert iin[6] == "4"


def test_bin_gives_entity_type():
    bin_ = numbers.generate_bin(
        registered=dt.date(2010, 1, 1), entity_type="4", attribute="1", rng=random.Random(2)
    )
    info = numbers.describe(bin_)["bin"]
    assert info["type"] == "resident legal entity" and info["attribute"] == "branch"
    assert numbers.bin_problem(bin_) is None


def test_generated_numbers_are_valid():
    rng = random.Random(7)
    for _ in range(300):
        assert numbers.iin_problem(numbers.generate_iin(rng=rng)) is None
        assert numbers.bin_problem(numbers.generate_bin(rng=rng)) is None


def test_cli_prints_valid_or_the_reason(capsys):
    assert main(["id", "check", "870412300129"]) == 0
    assert main(["id", "check", "87041230012"]) == 1
    assert main(["id", "check", "8704123001A7"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == ["valid", "invalid: must have 12 digits, not 11", "invalid: must contain digits only"]
