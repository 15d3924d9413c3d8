"""Timeouts, retries with backoff, circuit breakers and the fault switch."""

import time

import pytest

from qyzmet.gateway import faults
from qyzmet.gateway.clients.individuals import IndividualsClient
from qyzmet.gateway.clients.legal_entities import LegalEntitiesClient
from qyzmet.gateway.errors import CircuitOpen, NotFound, Timeout, Unavailable, UpstreamError
from qyzmet.gateway.models import Message
from qyzmet.gateway.resilience import CircuitBreaker, Policy, breaker_for
from qyzmet.gateway.testing import FAST_POLICY, fresh_gateway, ordinary_bin

pytestmark = pytest.mark.django_db

IIN = "870412300129"


@pytest.fixture(autouse=True)
def gateway(settings):
    settings.QYZMET_GATEWAY_URL = None
    settings.QYZMET_GATEWAY_POLICY = FAST_POLICY
    with fresh_gateway():
        yield


def test_timeout_is_retried_then_unavailable():
    started = time.monotonic()
    with pytest.raises(Timeout):
        IndividualsClient().person(faults.magic_iin(faults.TIMEOUT))
    elapsed = time.monotonic() - started
    message = Message.objects.get()
    assert message.outcome == "timeout" and message.attempts == 3
    assert message.finished_at >= message.started_at and "no answer" in message.error
    # three attempts of 0.05 s, plus millisecond backoffs: bounded, not hanging
    assert 0.15 <= elapsed < 1.0


def test_slow_answer_inside_the_timeout_is_an_answer():
    iin = faults.magic_iin(faults.SLOW)
    client = IndividualsClient(policy=Policy(timeout=faults.SLOW_SECONDS + 0.3))
    assert client.person(iin)["iin"] == iin
    with pytest.raises(Timeout):  # and the same answer with the tiny test timeout is too late
        IndividualsClient().person(iin)


def test_not_found_is_not_retried():
    with pytest.raises(NotFound):
        IndividualsClient().person(faults.magic_iin(faults.NOT_FOUND))
    assert Message.objects.get().attempts == 1


def test_backoff_doubles_and_is_capped():
    policy = Policy(backoff_base=0.2, backoff_max=1.0)
    for attempt, step in [(1, 0.2), (2, 0.4), (3, 0.8), (4, 1.0), (9, 1.0)]:
        assert step / 2 <= policy.backoff(attempt) <= step


def test_circuit_opens_after_repeated_failures_and_recovers():
    broken = faults.magic_iin(faults.ERROR)
    client = IndividualsClient()
    for _ in range(FAST_POLICY["breaker_threshold"]):
        with pytest.raises(UpstreamError):
            client.person(broken)
    # Open: even a good number is not sent, and fails at once.
    with pytest.raises(CircuitOpen):
        client.person(IIN)
    assert Message.objects.filter(outcome="circuit_open", attempts=0).count() == 1
    # Other systems are not affected.
    assert LegalEntitiesClient().entity(ordinary_bin(1))["bin"]

    time.sleep(FAST_POLICY["breaker_cooldown"])
    assert breaker_for("individuals", client.policy).state == CircuitBreaker.HALF_OPEN
    assert client.person(IIN)["iin"] == IIN  # the trial call succeeds and closes the circuit
    assert breaker_for("individuals", client.policy).state == CircuitBreaker.CLOSED


def test_failed_trial_reopens_the_circuit():
    clock = [0.0]
    breaker = CircuitBreaker("tax", threshold=2, cooldown=10, clock=lambda: clock[0])
    breaker.failed()
    breaker.before_call()  # one failure: still closed
    breaker.failed()
    with pytest.raises(CircuitOpen):
        breaker.before_call()
    clock[0] = 10
    breaker.before_call()  # the trial
    with pytest.raises(CircuitOpen):
        breaker.before_call()  # only one trial at a time
    breaker.failed()
    clock[0] = 15
    with pytest.raises(CircuitOpen):
        breaker.before_call()
    clock[0] = 20
    breaker.before_call()
    breaker.succeeded()
    assert breaker.state == CircuitBreaker.CLOSED and breaker.failures == 0


def test_fault_switch_error_rate_and_latency():
    with faults.injected(error_rate=1.0, systems={"individuals"}):
        with pytest.raises(Unavailable):
            IndividualsClient().person(IIN)
        assert LegalEntitiesClient().entity(ordinary_bin(1))  # not in `systems`
    assert IndividualsClient().person(IIN)["iin"] == IIN  # switched off again

    with faults.injected(latency=0.2):
        with pytest.raises(Timeout):
            IndividualsClient().person(IIN)


def test_fault_switch_rate_is_repeatable_with_a_seed():
    def outcomes():
        results = []
        with faults.injected(error_rate=0.5, seed=7):
            for _ in range(20):
                results.append(faults.switch.draw("tax") is None)
        return results

    first = outcomes()
    assert first == outcomes() and 0 < sum(first) < 20
