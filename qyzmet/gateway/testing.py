"""Helpers for tests of code that uses the gateway (plain functions: tests wrap them in fixtures).

    with fresh_gateway(), running_service() as url:
        ...  # set QYZMET_GATEWAY_URL = url to go through HTTP

FAST_POLICY shrinks timeouts, backoff and cool-downs to milliseconds, so a test of three
timed-out attempts takes about 0.1 s.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import random
import tempfile

from qyzmet.identity import numbers

from . import faults, resilience, transport

FAST_POLICY = {
    "timeout": 0.05,
    "attempts": 3,
    "backoff_base": 0.001,
    "backoff_max": 0.005,
    "breaker_threshold": 3,
    "breaker_cooldown": 0.1,
}


def reset() -> None:
    """Forget breakers, faults and simulator state (payments, conclusions) of this process."""
    resilience.reset_breakers()
    faults.switch.reset()
    transport.reset_simulators()


@contextlib.contextmanager
def payments_store(path):
    """The payment simulator keeps its payments in the file `path` while the block runs."""
    before = os.environ.get("QYZMET_PAYMENTS_STORE")
    os.environ["QYZMET_PAYMENTS_STORE"] = str(path)
    try:
        yield path
    finally:
        if before is None:
            os.environ.pop("QYZMET_PAYMENTS_STORE", None)
        else:
            os.environ["QYZMET_PAYMENTS_STORE"] = before


@contextlib.contextmanager
def fresh_gateway():
    """No breaker, fault or simulator state from before, and payments in a store of their own."""
    with tempfile.TemporaryDirectory(prefix="qyzmet-gateway-") as directory:
        with payments_store(os.path.join(directory, "payments.sqlite3")):
            reset()
            try:
                yield
            finally:
                reset()


@contextlib.contextmanager
def running_service():
    """The HTTP simulator service on a free port in a background thread; yields its URL."""
    from .server import start_in_thread

    httpd, url = start_in_thread()
    try:
        yield url
    finally:
        httpd.shutdown()
        httpd.server_close()


def ordinary_iin(seed: int = 0, **kwargs) -> str:
    """A valid IIN, the same for the same seed, outside the magic ranges of `faults.py`."""
    rng = random.Random(seed)  # noqa: S311 - test data, not security
    while True:
        iin = numbers.generate_iin(rng=rng, **kwargs)
        if not faults.magic_kind(iin):
            return iin


def ordinary_bin(seed: int = 0, registered: dt.date | None = None) -> str:
    """A valid BIN of a resident legal entity, outside the magic ranges."""
    rng = random.Random(seed)  # noqa: S311 - test data, not security
    while True:
        bin_ = numbers.generate_bin(registered=registered, rng=rng)
        if not faults.magic_kind(bin_):
            return bin_


def entity_bin(seed: int = 0) -> str:
    """A valid BIN of a resident legal entity that cannot also be read as an IIN (its 7th digit
    is no century-and-sex code), so that it is known as a legal entity's by its digits alone."""
    n = seed
    while True:
        bin_ = ordinary_bin(seed=n)
        if bin_[6] not in "123456":
            return bin_
        n += 1000
