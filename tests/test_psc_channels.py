"""Every regulation's psc channel, end to end: accepted at a centre, filed with the provider,
decided by the provider's staff step by step, the result carried back, entered in the register
(verifiable on its public page) and handed over; or the reasoned refusal handed over instead.
"""

import datetime as dt

import pytest
from django.urls import reverse

from qyzmet.gateway.testing import ordinary_bin, ordinary_iin
from qyzmet.psc import services
from qyzmet.psc.models import Acceptance
from qyzmet.registry.services import enter_result
from qyzmet.regulations.loader import catalogue
from qyzmet.regulations.models import Regulation

from .psc_helpers import centre_pki, drive, make_centre, platform, provider_for, working_moment  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("platform")]


def _cases():
    for reg in catalogue().values():
        if reg.channel("psc") is not None:
            for branch in ("approve", "refuse"):
                yield pytest.param(reg.id, branch, id=f"{reg.id}:{branch}")


def applicant_for(reg) -> str:
    """A BIN where the channel asks the legal entities database only, else an IIN."""
    legal = any(s.check == "applicant_record" and "legal" in s.actor for c in reg.channels for s in c.steps)
    return ordinary_bin(seed=31) if legal else ordinary_iin(seed=31)


@pytest.mark.parametrize("reg_id,branch", list(_cases()))
def test_psc_channel_runs_to_a_register_entry_or_a_reasoned_refusal(client, reg_id, branch):
    reg = catalogue()[reg_id]
    centre, operator = make_centre()
    provider = provider_for(reg_id)
    at = working_moment(reg_id)
    variant = reg.variants[0].code
    acceptance = services.accept(
        centre=centre,
        operator=operator,
        regulation=Regulation.objects.get(pk=reg_id),
        provider=provider,
        variant=variant,
        applicant=applicant_for(reg),
        documents=["standard", "inventory"],
        consent=True,
        at=at,
    )
    for transfer in acceptance.transfers.filter(received_at__isnull=True):
        services.receive(transfer, "courier", at=transfer.due_at)
    acceptance.refresh_from_db()
    assert acceptance.state == Acceptance.State.AT_PROVIDER, (acceptance.state, acceptance.reason)
    app = acceptance.application
    assert app.channel == "psc" and app.regulation_id == reg_id
    app = drive(app, branch=branch)
    back = services.send_result(acceptance, "provider", at=app.closed_at)
    services.receive(back, operator, at=back.due_at or app.closed_at + dt.timedelta(hours=1))
    acceptance.refresh_from_db()
    services.hand_over(acceptance, operator, at=acceptance.result_at_centre_at + dt.timedelta(hours=1))
    if branch == "approve":
        assert app.status == "issued", [(r.step_id, r.outcome) for r in app.steps.all()]
        entry = enter_result(app)
        page = client.get(reverse("registry:verify-number", args=[entry.number]))
        assert page.status_code == 200 and entry.number in page.content.decode()
        assert entry.holder == app.applicant and entry.regulation_id == reg_id
    else:
        assert app.status == "refused" and app.refusal_text
