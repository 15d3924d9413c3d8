"""The clients against the in-process simulators: answers, magic inputs, payments, conclusions."""

import datetime as dt

import pytest

from qyzmet.gateway import faults
from qyzmet.gateway.clients.conclusions import ConclusionsClient
from qyzmet.gateway.clients.individuals import IndividualsClient
from qyzmet.gateway.clients.legal_entities import LegalEntitiesClient
from qyzmet.gateway.clients.payments import PaymentsClient
from qyzmet.gateway.clients.tax import TaxClient
from qyzmet.gateway.errors import Conflict, InvalidRequest, NotFound, Unavailable, UpstreamError
from qyzmet.gateway.models import Message
from qyzmet.gateway.testing import FAST_POLICY, fresh_gateway, ordinary_bin, ordinary_iin
from qyzmet.identity import numbers

pytestmark = pytest.mark.django_db

IIN = "870412300129"


@pytest.fixture(autouse=True)
def gateway(settings):
    settings.QYZMET_GATEWAY_URL = None
    settings.QYZMET_GATEWAY_POLICY = FAST_POLICY
    with fresh_gateway():
        yield


def test_it_finds_a_person_by_iin_with_data_matching_the_number():
    person = IndividualsClient().person(IIN)
    assert person["iin"] == IIN
    assert person["birth_date"] == "1987-04-12" and person["sex"] == "male"
    assert person["patronymic"].endswith("ұлы")
    assert person["surname"] and person["first_name"] and person["address"]["city"]
    assert person["document"]["type"] == "identity_card"


def test_it_gives_the_same_person_every_time_and_women_get_feminine_names():
    iin = ordinary_iin(birth=dt.date(1992, 3, 8), sex="female")
    first, second = IndividualsClient().person(iin), IndividualsClient().person(iin)
    assert first == second
    assert (
        first["sex"] == "female" and first["surname"].endswith("а") and first["patronymic"].endswith("қызы")
    )


def test_it_finds_an_entity_by_bin_with_a_valid_head_iin():
    bin_ = ordinary_bin(registered=dt.date(2008, 5, 1))
    entity = LegalEntitiesClient().entity(bin_)
    assert entity["bin"] == bin_ and entity["type"] == "resident legal entity"
    assert entity["registration_date"].startswith("2008-05-")
    assert numbers.iin_problem(entity["head"]["iin"]) is None
    assert entity["name"].startswith(("ЖШС «", "АҚ «"))


def test_it_refuses_a_malformed_number_without_calling():
    with pytest.raises(InvalidRequest):
        IndividualsClient().person("870412300128")
    assert not Message.objects.exists()


def test_tax_debts_come_for_some_taxpayers_and_not_others():
    answers = [TaxClient().debts(ordinary_iin(seed)) for seed in range(30)]
    with_debts = [a for a in answers if a["has_debts"]]
    assert 0 < len(with_debts) < 30
    assert all(a["total"] == sum(d["amount"] for d in a["debts"]) for a in answers)


def test_magic_not_found_gives_not_found_not_unavailable():
    with pytest.raises(NotFound):
        IndividualsClient().person(faults.magic_iin(faults.NOT_FOUND))
    with pytest.raises(NotFound):
        LegalEntitiesClient().entity(faults.magic_bin(faults.NOT_FOUND))
    assert Message.objects.filter(outcome="not_found", attempts=1).count() == 2


def test_magic_error_is_unavailable_after_retries():
    with pytest.raises(UpstreamError):
        TaxClient().debts(faults.magic_bin(faults.ERROR))
    assert Message.objects.get().attempts == FAST_POLICY["attempts"]


def test_magic_numbers_are_valid_and_classified():
    for kind in faults.MAGIC_SERIALS:
        assert numbers.iin_problem(faults.magic_iin(kind)) is None
        assert numbers.bin_problem(faults.magic_bin(kind)) is None
        assert faults.magic_kind(faults.magic_iin(kind)) == kind
    assert faults.magic_kind(IIN) is None


def test_payment_is_idempotent_by_client_reference():
    client = PaymentsClient()
    first = client.create("KZ-2015-000123", 5556, IIN, client_reference="fee-000123")
    again = client.create("KZ-2015-000123", "5556.00", IIN, client_reference="fee-000123")
    assert first["payment_id"] == again["payment_id"] and first["status"] == "pending"
    other = client.create("KZ-2015-000124", 5556, IIN, client_reference="fee-000124")
    assert other["payment_id"] != first["payment_id"]
    with pytest.raises(Conflict):
        client.create("KZ-2015-000123", 9999, IIN, client_reference="fee-000123")
    assert client.status(first["payment_id"])["status"] == "paid"


def test_payment_declined_amount_and_unknown_payment():
    client = PaymentsClient()
    payment = client.create("KZ-2015-000125", 5013, IIN, client_reference="fee-000125")
    assert client.status(payment["payment_id"])["status"] == "declined"
    with pytest.raises(NotFound):
        client.status("P0000")
    with pytest.raises(InvalidRequest):
        client.create("KZ-2015-000126", -1, IIN, client_reference="fee-000126")


def test_conclusions_go_pending_then_positive_or_negative():
    client = ConclusionsClient()
    asked = client.request("sanitary", "KZ-2015-000200", IIN)
    assert asked["status"] == "pending"
    assert client.request("sanitary", "KZ-2015-000200", IIN)["request_id"] == asked["request_id"]
    assert client.poll(asked["request_id"])["status"] == "pending"
    assert client.poll(asked["request_id"])["status"] == "positive"

    refused = client.request("fire_safety", "KZ-2015-000201-NEG", IIN)
    statuses = [client.poll(refused["request_id"])["status"] for _ in range(3)]
    assert statuses == ["pending", "negative", "negative"]

    silent = client.request("police", "KZ-2015-000202-PEND", IIN)
    assert {client.poll(silent["request_id"])["status"] for _ in range(4)} == {"pending"}


def test_conclusions_from_an_unknown_body_are_refused():
    with pytest.raises(InvalidRequest):
        ConclusionsClient().request("astrologers", "KZ-2015-000203", IIN)


def test_conclusions_for_a_timing_out_applicant_are_unavailable():
    with pytest.raises(Unavailable):
        ConclusionsClient().request("sanitary", "KZ-2015-000204", faults.magic_iin(faults.TIMEOUT))
