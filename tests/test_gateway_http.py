"""The same clients through the HTTP transport, against the simulator service in a thread."""

import datetime as dt
import time

import httpx
import pytest
from django.utils import timezone

from qyzmet.cli import build_parser
from qyzmet.gateway import faults, lookups
from qyzmet.gateway.clients.conclusions import ConclusionsClient
from qyzmet.gateway.clients.individuals import IndividualsClient
from qyzmet.gateway.clients.legal_entities import LegalEntitiesClient
from qyzmet.gateway.clients.payments import PaymentsClient
from qyzmet.gateway.errors import CircuitOpen, Conflict, InvalidRequest, NotFound, Timeout, UpstreamError
from qyzmet.gateway.models import Message, PendingLookup
from qyzmet.gateway.tasks import retry_pending_lookups
from qyzmet.gateway.testing import FAST_POLICY, fresh_gateway, ordinary_bin, running_service
from qyzmet.gateway.transport import HttpTransport, simulate

pytestmark = pytest.mark.django_db

IIN = "870412300129"
# Over a socket and a thread per request, 50 ms is tight on a busy machine; 300 ms is not.
HTTP_POLICY = {**FAST_POLICY, "timeout": 0.3}


@pytest.fixture(scope="module")
def service_url():
    with running_service() as url:
        yield url


@pytest.fixture(autouse=True)
def gateway(settings, service_url):
    settings.QYZMET_GATEWAY_URL = service_url
    settings.QYZMET_GATEWAY_POLICY = HTTP_POLICY
    with fresh_gateway():
        yield


def test_settings_pick_the_http_transport():
    assert isinstance(IndividualsClient().transport, HttpTransport)


def test_person_and_entity_found_over_http_as_in_process():
    person = IndividualsClient().person(IIN)
    assert person == simulate("individuals", "person", IIN, {"iin": IIN}, 1.0)
    bin_ = ordinary_bin(5)
    assert LegalEntitiesClient().entity(bin_)["bin"] == bin_
    assert Message.objects.filter(transport="http", outcome="ok").count() == 2


def test_not_found_and_invalid_over_http():
    with pytest.raises(NotFound):
        IndividualsClient().person(faults.magic_iin(faults.NOT_FOUND))
    with pytest.raises(InvalidRequest):  # the service checks too, not only the client
        IndividualsClient().transport.send(
            "individuals", "person", None, {"iin": "1"}, timeout=1, correlation_id="x"
        )


def test_timeout_over_http_is_retried_then_unavailable():
    started = time.monotonic()
    with pytest.raises(Timeout):
        IndividualsClient().person(faults.magic_iin(faults.TIMEOUT))
    assert Message.objects.get().attempts == 3
    assert time.monotonic() - started < 3


def test_circuit_opens_and_recovers_over_http():
    client = IndividualsClient()
    for _ in range(HTTP_POLICY["breaker_threshold"]):
        with pytest.raises(UpstreamError):
            client.person(faults.magic_iin(faults.ERROR))
    with pytest.raises(CircuitOpen):
        client.person(IIN)
    time.sleep(HTTP_POLICY["breaker_cooldown"])
    assert client.person(IIN)["iin"] == IIN


def test_a_dead_service_is_unavailable(settings):
    settings.QYZMET_GATEWAY_URL = "http://127.0.0.1:9"  # discard port: nothing listens
    with pytest.raises(UpstreamError):
        IndividualsClient().person(IIN)


def test_payment_idempotent_over_http():
    client = PaymentsClient()
    first = client.create("KZ-2015-000400", 5556, IIN, client_reference="fee-000400")
    assert client.create("KZ-2015-000400", 5556, IIN, client_reference="fee-000400") == first
    with pytest.raises(Conflict):
        client.create("KZ-2015-000400", 7000, IIN, client_reference="fee-000400")
    assert client.status(first["payment_id"])["status"] == "paid"


def test_conclusions_flow_over_http():
    client = ConclusionsClient()
    asked = client.request("ecology", "KZ-2015-000401-NEG", IIN)
    assert client.poll(asked["request_id"])["status"] == "pending"
    answer = client.poll(asked["request_id"])
    assert answer["status"] == "negative" and answer["reason"]


def test_fault_switch_of_the_service_and_the_pending_queue_over_http(service_url):
    httpx.post(f"{service_url}/_faults", json={"error_rate": 1.0, "systems": ["tax"]}).raise_for_status()
    try:
        pending = lookups.look_up_or_queue("tax", IIN, purpose="tax debts of the applicant")
    finally:
        assert httpx.delete(f"{service_url}/_faults").json()["data"]["error_rate"] == 0
    assert isinstance(pending, PendingLookup)
    PendingLookup.objects.update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    assert retry_pending_lookups.apply().get()["done"] == 1
    pending.refresh_from_db()
    assert pending.lookup.answer["number"] == IIN
    assert Message.objects.filter(correlation_id=pending.correlation_id, transport="http").count() == 2


def test_cli_has_a_serve_command():
    args = build_parser().parse_args(["gateway", "serve", "--port", "8101"])
    assert (args.command, args.action, args.port) == ("gateway", "serve", 8101)
