"""The centre's pages (/psc/): an operator takes a ticket through acceptance to handover in the browser's
way (client requests), and sees nothing of another centre."""

import pytest
from django.urls import reverse

from qyzmet.demo import psc as seed
from qyzmet.gateway.testing import ordinary_bin
from qyzmet.providers.models import Provider
from qyzmet.psc.models import Acceptance, Ticket

from .psc_helpers import centre_pki, drive, make_centre, platform, provider_for  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("platform")]

NARCOTICS = "almaty-2015-2-279/narcotics-licence"


@pytest.fixture
def desk(client, monkeypatch):
    monkeypatch.setenv("QYZMET_TODAY", "2015-10-14")
    centre, operator = make_centre()
    client.force_login(operator)
    return centre, operator, provider_for(NARCOTICS)


def test_ticket_call_accept_receipt_and_handover(client, desk):
    centre, operator, provider = desk
    code = centre.code
    assert client.get(reverse("psc:index")).status_code == 302
    assert client.post(reverse("psc:issue-ticket", args=[code])).status_code == 302
    called = client.post(reverse("psc:call-next", args=[code]), {"window": "2"})
    ticket = Ticket.objects.get()
    assert called.status_code == 302 and f"ticket={ticket.pk}" in called["Location"]
    page = client.get(called["Location"])
    assert page.status_code == 200
    applicant = ordinary_bin(seed=41)
    service = f"{provider.pk}:{NARCOTICS}:issue"
    refused = client.post(
        reverse("psc:accept", args=[code]),
        {
            "service": service,
            "applicant": applicant,
            "documents": ["standard", "inventory"],
            "ticket": ticket.pk,
        },
    )
    assert refused.status_code == 400 and not Acceptance.objects.exists()  # no consent, nothing accepted
    response = client.post(
        reverse("psc:accept", args=[code]),
        {
            "service": service,
            "applicant": applicant,
            "documents": ["standard", "inventory"],
            "consent": "on",
            "ticket": ticket.pk,
        },
    )
    acceptance = Acceptance.objects.get()
    assert response.status_code == 302 and acceptance.ticket == ticket
    assert client.get(response["Location"]).status_code == 200
    receipt = client.get(reverse("psc:receipt", args=[code, acceptance.number]))
    assert receipt.status_code == 200 and acceptance.number in receipt.content.decode()
    app = drive(acceptance.application)
    assert client.post(reverse("psc:send-result", args=[code, acceptance.number])).status_code == 302
    transfer = acceptance.transfers.get()
    client.post(reverse("psc:receive", args=[code, acceptance.number]), {"transfer": transfer.pk})
    storage = client.get(reverse("psc:storage", args=[code]))
    assert acceptance.number in storage.content.decode()
    client.post(reverse("psc:hand-over", args=[code, acceptance.number]), {"handed_to": "Director"})
    acceptance.refresh_from_db()
    assert acceptance.state == Acceptance.State.HANDED_OVER and acceptance.handed_to == "Director"
    assert app.status == "issued"


def test_an_action_the_state_does_not_allow_shows_the_message_and_changes_nothing(client, desk):
    centre, operator, provider = desk
    client.post(
        reverse("psc:accept", args=[centre.code]),
        {
            "service": f"{provider.pk}:{NARCOTICS}:issue",
            "applicant": ordinary_bin(seed=42),
            "documents": ["standard", "inventory"],
            "consent": "on",
        },
    )
    acceptance = Acceptance.objects.get()
    response = client.post(reverse("psc:hand-over", args=[centre.code, acceptance.number]))
    assert response.status_code == 409
    acceptance.refresh_from_db()
    assert acceptance.state == Acceptance.State.AT_PROVIDER


def test_another_centres_operator_sees_nothing_and_others_are_turned_away(client, desk, django_user_model):
    centre, _, _ = desk
    other, stranger = make_centre("psc-test-2")
    client.force_login(stranger)
    assert client.get(reverse("psc:queue", args=[centre.code])).status_code == 404
    client.force_login(django_user_model.objects.create_user(username="nobody"))
    assert client.get(reverse("psc:index")).status_code == 403


def test_seed_centres_creates_centres_with_operators():
    centres = seed.seed_centres()
    assert {c.code for c in centres} == set(seed.CENTRES)
    assert all(c.acts_as == "psc" for c in Provider.objects.filter(code__in=seed.CENTRES))
    assert seed.seed_centres() and Provider.objects.filter(acts_as="psc").count() == len(
        seed.CENTRES
    )  # idempotent
