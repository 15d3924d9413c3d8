"""Faults on demand: magic numbers that force an outcome, and a switch for tests.

Magic inputs work through every transport, so a demo or a manual test can reach each branch
of a flow with a number typed into a form. The rule reads digits 8-11 of the 12 (the IIN's
serial; the last four digits of the BIN's serial), so any birth date or registration date can
be combined with any outcome and the number stays valid:

    serial 9990-9991  NOT_FOUND  the database has no record
    serial 9992-9993  TIMEOUT    no answer before the caller's deadline
    serial 9994-9995  ERROR      the system answers with an error
    serial 9996-9997  SLOW       answers after SLOW_SECONDS (inside the default timeout)

Two serials per outcome, because for some 11-digit prefixes no control digit exists. The
ranges are narrow so that random demo numbers (`numbers.generate_iin`) hit them rarely (8 in
10,000); tests that need ordinary numbers use `testing.ordinary_iin`.

`magic_iin("timeout")` and `magic_bin("not_found")` build valid numbers in these ranges.
Payments and conclusions take the payer's or applicant's number as their subject, so the same
numbers drive them too.

The switch (`switch`, or `injected(...)` in a test) adds faults at random for any number:
an error rate, a timeout rate and a fixed latency, for all systems or some. It lives in the
process that runs the simulators: the HTTP simulator service can set it with POST /_faults.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import random
import threading

from qyzmet.identity import numbers

NOT_FOUND = "not_found"
TIMEOUT = "timeout"
ERROR = "error"
SLOW = "slow"

MAGIC_SERIALS = {
    NOT_FOUND: range(9990, 9992),
    TIMEOUT: range(9992, 9994),
    ERROR: range(9994, 9996),
    SLOW: range(9996, 9998),
}
SLOW_SECONDS = 0.5


def magic_kind(number: str) -> str | None:
    """The forced outcome for a number, or None for an ordinary one."""
    if len(number) != 12 or not number.isdigit():
        return None
    serial = int(number[7:11])
    for kind, serials in MAGIC_SERIALS.items():
        if serial in serials:
            return kind
    return None


def _with_serial(prefix7: str, kind: str) -> str:
    for serial in MAGIC_SERIALS[kind]:
        first11 = f"{prefix7}{serial:04d}"
        check = numbers.control_digit(first11)
        if check is not None:
            return first11 + str(check)
    raise ValueError(f"no valid number with prefix {prefix7} for {kind}")  # pragma: no cover


def magic_iin(kind: str, born: dt.date = dt.date(1987, 4, 12), sex: str = "male") -> str:
    """A valid IIN that forces `kind` (one of NOT_FOUND, TIMEOUT, ERROR, SLOW)."""
    digit = {1800: 1, 1900: 3, 2000: 5}[born.year // 100 * 100] + (0 if sex == "male" else 1)
    return _with_serial(f"{born:%y%m%d}{digit}", kind)


def magic_bin(kind: str, registered: dt.date = dt.date(2008, 5, 1), entity_type: str = "4") -> str:
    """A valid BIN that forces `kind`; digit 7 (first of the serial) is left at 0."""
    return _with_serial(f"{registered:%y%m}{entity_type}00", kind)


@dataclasses.dataclass
class Fault:
    kind: str  # NOT_FOUND, TIMEOUT, ERROR or SLOW
    delay: float = 0.0


@dataclasses.dataclass
class FaultSwitch:
    """Random faults for tests and drills. Rates are probabilities per call (0..1)."""

    error_rate: float = 0.0
    timeout_rate: float = 0.0
    latency: float = 0.0
    systems: frozenset[str] | None = None  # None: every system
    seed: int | None = None

    def __post_init__(self) -> None:
        # Not for security: a seeded generator makes a drill with 30% errors repeatable.
        self._rng = random.Random(self.seed)  # noqa: S311
        self._lock = threading.Lock()

    def set(self, **changes) -> None:
        for name, value in changes.items():
            if name not in {f.name for f in dataclasses.fields(self)}:
                raise TypeError(f"unknown fault setting {name!r}")
            if name == "systems" and value is not None:
                value = frozenset(value)
            setattr(self, name, value)
        if "seed" in changes:
            self._rng = random.Random(self.seed)  # noqa: S311

    def reset(self) -> None:
        self.set(error_rate=0.0, timeout_rate=0.0, latency=0.0, systems=None, seed=None)

    def as_dict(self) -> dict:
        data = dataclasses.asdict(self)
        data["systems"] = sorted(self.systems) if self.systems is not None else None
        return data

    def draw(self, system: str) -> Fault | None:
        if self.systems is not None and system not in self.systems:
            return None
        with self._lock:
            roll = self._rng.random()
        if roll < self.timeout_rate:
            return Fault(TIMEOUT)
        if roll < self.timeout_rate + self.error_rate:
            return Fault(ERROR, self.latency)
        if self.latency:
            return Fault(SLOW, self.latency)
        return None


switch = FaultSwitch()


@contextlib.contextmanager
def injected(**settings):
    """Turn faults on for the duration of a `with` block, e.g. `injected(error_rate=1.0)`."""
    switch.set(**settings)
    try:
        yield switch
    finally:
        switch.reset()


def plan(system: str, subject: str | None) -> Fault | None:
    """What should go wrong with this call: the magic number wins, then the switch."""
    kind = magic_kind(subject or "")
    if kind == SLOW:
        return Fault(SLOW, SLOW_SECONDS)
    if kind:
        return Fault(kind)
    return switch.draw(system)
