"""A regulation that admits only legal entities refuses an individual at intake, on every door.

Almaty's narcotics licence names its applicants as legal entities only («Заңды тұлғалар (бұдан
әрі - көрсетілетін қызметті алушы)», seed 004 lines 2620-2621; `applies_to.applicants` in its
file). The one intake (`engine.channels.walk`), which the applicant API, the web portal, the
provider's office desk and the service centre all go through, refuses a person before any check
of the channel runs, with the same message in Kazakh, Russian and English; the engine's filing
refuses it too. A legal entity passes.
"""

from html import unescape

import pytest
from django.urls import reverse

from qyzmet.audit.actions import AuditAction
from qyzmet.audit.models import AuditEntry
from qyzmet.engine import channels, services
from qyzmet.engine.models import Application
from qyzmet.gateway.testing import entity_bin, ordinary_iin
from qyzmet.office.testing import staff
from qyzmet.psc import services as psc
from qyzmet.psc.models import Acceptance
from qyzmet.regulations.loader import catalogue
from qyzmet.regulations.models import Regulation

from . import cast
from .portal_api_helpers import applicant, platform, post, provider_of, signed  # noqa: F401
from .psc_helpers import working_moment

pytestmark = pytest.mark.django_db

NARCOTICS = "almaty-2015-2-279/narcotics-licence"
PERSON = ordinary_iin(seed=31)
MESSAGE = {
    "kk": (
        f"Бұл мемлекеттік қызмет регламент бойынша тек заңды тұлғаларға көрсетіледі; өтініш беруші "
        f"({PERSON}) – жеке тұлға. Өтініш қабылданбайды."
    ),
    "ru": (
        f"По регламенту эта государственная услуга оказывается только юридическим лицам; заявитель "
        f"({PERSON}) — физическое лицо. Заявление не может быть принято."
    ),
    "en": (
        f"Under its regulation this service is provided only to legal entities; the applicant "
        f"({PERSON}) is an individual. The application cannot be accepted."
    ),
}


def _walk(provider, channel: str, number: str):
    sub = channels.Submission(
        regulation=Regulation.objects.get(pk=NARCOTICS),
        provider=provider,
        channel=channel,
        variant="issue",
        applicant=number,
        at=working_moment(NARCOTICS),
    )
    return channels.walk(sub)


def test_intake_refuses_individual_where_only_entities_admitted(client, centre):
    reg = catalogue()[NARCOTICS]
    assert reg.admitted_applicants() == ["legal_entity"] and reg.applies_to.source.lines == (2620, 2621)
    provider = provider_of(NARCOTICS)

    # the one intake, in each channel of the regulation: refused before any check of the table
    for channel in [c.code for c in reg.channels]:
        refused = _walk(provider, channel, PERSON)
        assert refused.status == "refused" and refused.message == MESSAGE, channel
        assert [p.step for p in refused.trace] == ["applicant_kind"]
        # a legal entity goes on into the channel's own steps
        assert _walk(provider, channel, entity_bin(3)).trace[0].step != "applicant_kind", channel
    recorded = AuditEntry.objects.filter(action=AuditAction.CHANNEL_REFUSED)
    assert sorted(e.data["channel"] for e in recorded if e.data["step"] == "applicant_kind") == sorted(
        c.code for c in reg.channels
    )

    # the applicant API (the portal's door): no fee is taken, and a request is refused, in the
    # caller's language
    user, headers = applicant(PERSON)
    russian = {**headers, "Accept-Language": "ru"}
    fee = post(client, "/payments", russian, {"provider": "aed", "service": reg.service, "variant": "issue"})
    assert fee.status_code == 409 and fee.json()["detail"] == MESSAGE["ru"]
    request = {"iin": PERSON, "service": reg.service, "variant": "issue", "provider": "aed"}
    payload = {
        "provider": "aed",
        "service": reg.service,
        "variant": "issue",
        "signed_request": signed(centre, PERSON, request),
    }
    answer = post(client, "/submissions", russian, payload)
    assert answer.status_code == 422 and answer.json()["status"] == "refused"
    assert answer.json()["text"] == MESSAGE["ru"]

    # the web portal does not even start the request (the fee would be paid in vain)
    client.force_login(user)
    started = client.post(
        f"/portal/services/{NARCOTICS}/apply/", {"variant": "issue"}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert started.redirect_chain[-1][0] == f"/portal/services/{NARCOTICS}/"
    assert MESSAGE["en"] in unescape(started.content.decode())

    # the provider's office desk shows the message to the clerk
    client.force_login(staff(provider, "desk.clerk", "office-clerk"))
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = client.post(
        reverse("office:reception-submit"),
        {
            "service": f"{provider.pk}:{NARCOTICS}",
            "applicant": PERSON,
            "variant": "issue",
            "applicant_name": "Тестов Тест",
            # the clerk ticks each document of the regulation's list, and the inventory
            "documents": [d.code for d in catalogue()[NARCOTICS].documents_for("issue")] + ["inventory"],
            "scans": [SimpleUploadedFile("set.pdf", b"%PDF-1.4\n%scan\n")],
        },
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert MESSAGE["en"] in unescape(page.content.decode())

    # the service centre's acceptance keeps the message for the receipt
    centre_row, operator = cast.service_centre("psc-kinds")
    acceptance = psc.accept(
        centre=centre_row,
        operator=operator,
        regulation=Regulation.objects.get(pk=NARCOTICS),
        provider=provider,
        variant="issue",
        applicant=PERSON,
        documents=["standard", "inventory"],
        consent=True,
        at=working_moment(NARCOTICS),
    )
    assert acceptance.state == Acceptance.State.REFUSED and acceptance.message == MESSAGE

    # and the engine itself files no application for a person
    with pytest.raises(services.EngineError, match="only to legal entities"):
        services.file_application(
            service=reg.service,
            provider=provider,
            variant="issue",
            channel="provider_office",
            applicant=PERSON,
            filed_at=working_moment(NARCOTICS),
        )
    assert not Application.objects.exists()
