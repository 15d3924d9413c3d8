"""Timeouts, retries with backoff and a circuit breaker per outside system.

The numbers come from `settings.QYZMET_GATEWAY_POLICY` (a dict of `Policy` fields, optional),
so production can lengthen the timeout without a code change and tests can shrink everything
to milliseconds. A client may also be given its own `Policy`.

Retries cover only `Unavailable` (timeouts, errors): a `NotFound` or an invalid request gives
the same answer however often it is asked. The breaker counts consecutive failed *calls* (after
their retries), opens after `breaker_threshold` of them, and after `breaker_cooldown` lets one
trial call through (half-open): success closes it, failure opens it for another cool-down.
An open breaker raises `CircuitOpen` at once, so a dead system costs callers nothing and gets
no extra load while it recovers.
"""

from __future__ import annotations

import dataclasses
import random
import threading
import time
from collections.abc import Callable

from django.conf import settings

from .errors import CircuitOpen, GatewayError, Unavailable


@dataclasses.dataclass(frozen=True)
class Policy:
    timeout: float = 5.0  # seconds per attempt
    attempts: int = 3  # including the first
    backoff_base: float = 0.2  # seconds before the 2nd attempt; doubles each time
    backoff_max: float = 2.0  # cap per wait, so a call is bounded: about attempts * (timeout + backoff_max)
    breaker_threshold: int = 5  # consecutive failed calls that open the circuit
    breaker_cooldown: float = 30.0  # seconds open before a trial call

    def backoff(self, attempt: int) -> float:
        """The wait after failed attempt number `attempt` (1-based): exponential, capped, jittered.

        With base 0.2 and cap 2.0: about 0.2, 0.4, 0.8, 1.6, 2.0, 2.0 ... The jitter (50-100% of
        the step) keeps many callers that failed together from retrying in step.
        """
        step = min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1))
        return step * (0.5 + random.random() / 2)  # noqa: S311 - jitter, not security


def policy_from_settings() -> Policy:
    return Policy(**getattr(settings, "QYZMET_GATEWAY_POLICY", {}))


class CircuitBreaker:
    """Closed -> open after N consecutive failures -> half-open after a cool-down -> closed."""

    CLOSED, OPEN, HALF_OPEN = "closed", "open", "half_open"

    def __init__(
        self, system: str, threshold: int, cooldown: float, clock: Callable[[], float] = time.monotonic
    ):
        self.system = system
        self.threshold = threshold
        self.cooldown = cooldown
        self.clock = clock
        self.failures = 0
        self.opened_at: float | None = None
        self._trial_running = False
        self._lock = threading.Lock()

    @property
    def state(self) -> str:
        if self.opened_at is None:
            return self.CLOSED
        if self.clock() - self.opened_at >= self.cooldown:
            return self.HALF_OPEN
        return self.OPEN

    def before_call(self) -> None:
        """Raise CircuitOpen unless a call may go out now."""
        with self._lock:
            state = self.state
            if state == self.CLOSED:
                return
            if state == self.HALF_OPEN and not self._trial_running:
                # Only one trial at a time: a recovering system should not get the whole queue at once.
                self._trial_running = True
                return
            remaining = max(0.0, self.cooldown - (self.clock() - (self.opened_at or 0.0)))
            raise CircuitOpen(
                f"{self.system}: circuit open after {self.failures} failures; next trial in {remaining:.1f} s"
            )

    def succeeded(self) -> None:
        with self._lock:
            self.failures = 0
            self.opened_at = None
            self._trial_running = False

    def failed(self) -> None:
        with self._lock:
            self.failures += 1
            if self._trial_running or self.failures >= self.threshold:
                self.opened_at = self.clock()
            self._trial_running = False


_breakers: dict[str, CircuitBreaker] = {}
_breakers_lock = threading.Lock()


def breaker_for(system: str, policy: Policy) -> CircuitBreaker:
    """The process-wide breaker of a system: every client of it shares what it learnt."""
    with _breakers_lock:
        breaker = _breakers.get(system)
        if breaker is None or (breaker.threshold, breaker.cooldown) != (
            policy.breaker_threshold,
            policy.breaker_cooldown,
        ):
            breaker = _breakers[system] = CircuitBreaker(
                system, policy.breaker_threshold, policy.breaker_cooldown
            )
        return breaker


def reset_breakers() -> None:
    with _breakers_lock:
        _breakers.clear()


def call_with_retries(
    attempt_once: Callable[[float], dict], system: str, policy: Policy, on_attempt=None
) -> dict:
    """Run `attempt_once(timeout)` under the system's breaker, retrying `Unavailable` with backoff.

    `on_attempt(n)` is told the number of each attempt, so the message log can record how many
    were needed. The last `Unavailable` is raised when attempts run out.
    """
    breaker = breaker_for(system, policy)
    breaker.before_call()
    last: Unavailable | None = None
    for attempt in range(1, policy.attempts + 1):
        if on_attempt:
            on_attempt(attempt)
        try:
            answer = attempt_once(policy.timeout)
        except Unavailable as exc:
            last = exc
            if attempt < policy.attempts:
                time.sleep(policy.backoff(attempt))
            continue
        except GatewayError:
            # A definite answer (NotFound, InvalidRequest...) means the system is up.
            breaker.succeeded()
            raise
        except Exception:
            # Our own bug, not the system's; still release a half-open trial so it is not stuck.
            breaker.failed()
            raise
        breaker.succeeded()
        return answer
    breaker.failed()
    assert last is not None
    raise last
