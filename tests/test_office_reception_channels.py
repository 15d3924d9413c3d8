"""Every regulation's provider-office (or workstation) channel, end to end through the reception.

The clerk accepts a complete paper set with its scans; the channel files the application; the
provider's staff decide it step by step; an issued result is entered in the register and can be
verified on its public page, a refusal carries its reasons.
"""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from qyzmet.intake.paper import reception, registration
from qyzmet.intake.paper.models import ScannedDocument
from qyzmet.providers.models import StaffRole
from qyzmet.registry.services import enter_result
from qyzmet.regulations.loader import catalogue
from qyzmet.regulations.models import Regulation

from .psc_helpers import centre_pki, drive, platform, provider_for, working_moment  # noqa: F401
from .test_psc_channels import applicant_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("platform")]

SCAN = {
    "name": "set.pdf",
    "content_type": "application/pdf",
    "size": 9,
    "sha256": "0" * 64,
    "content": b"%PDF-1.4\n",
}


def _cases():
    for reg in catalogue().values():
        channel = reception.paper_channel(reg)
        if channel:
            for branch in ("approve", "refuse"):
                yield pytest.param(reg.id, channel, branch, id=f"{reg.id}:{channel}:{branch}")


@pytest.mark.parametrize("reg_id,channel,branch", list(_cases()))
def test_paper_channel_runs_to_a_register_entry_or_a_reasoned_refusal(client, reg_id, channel, branch):
    reg = catalogue()[reg_id]
    provider = provider_for(reg_id)
    clerk = get_user_model().objects.create_user(username="reception.clerk")
    StaffRole.objects.create(user=clerk, provider=provider, role=reception.CLERK)
    choice = reception.ServiceChoice(provider, Regulation.objects.get(pk=reg_id), channel)
    variant = reception.variants_of(choice)[0].code
    result = registration.file_paper_application(
        choice, variant, applicant_for(reg), "Заявитель", [SCAN], clerk, at=working_moment(reg_id)
    )
    assert result.status == "filed", (result.status, result.reason, result.last_error)
    app = result.application
    assert app.channel == channel and ScannedDocument.objects.filter(application=app).count() == 1
    app = drive(app, branch=branch)
    if branch == "approve":
        assert app.status == "issued", [(r.step_id, r.outcome) for r in app.steps.all()]
        entry = enter_result(app)
        page = client.get(reverse("registry:verify-number", args=[entry.number]))
        assert page.status_code == 200 and entry.number in page.content.decode()
    else:
        assert app.status == "refused"
        assert app.refusal_text or not reg.refusal_grounds
