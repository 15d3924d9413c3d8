"""The cabinet and the applicant API show the status the regulation names, in kk, ru and en, for
the applications it names it for.

Almaty's medical licence sends the acceptance notice-report, with the date and time of the result,
to the portal's personal cabinet «when the service is applied for through the portal» (seed 004
lines 239-242): an application in progress filed on the portal shows that name; one received at the
provider's office, for which the regulation names no status, shows the engine's own label. Both
faces read the one account (`engine.statuses`).
"""

import datetime as dt
import re
from html import unescape

import pytest

from qyzmet.calendar.workcal import ALMATY
from qyzmet.engine import services
from qyzmet.engine.statuses import regulation_status
from qyzmet.regulations.loader import catalogue

from .portal_api_helpers import MEDICAL, applicant, get, platform, provider_of  # noqa: F401

pytestmark = pytest.mark.django_db

FILED = dt.datetime(2015, 10, 12, 10, 0, tzinfo=ALMATY)


def _filed(user, channel: str):
    return services.file_application(
        service=catalogue()[MEDICAL].service,
        provider=provider_of(MEDICAL),
        variant="issue",
        channel=channel,
        applicant=user.username,
        applicant_user=user,
        filed_at=FILED,
        actor="test",
    )


def _cell(html: str, number: str) -> str:
    row = next(r for r in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S) if f">{number}</a>" in r)
    return re.findall(r"<td>(.*?)</td>", row, re.S)[2]


def test_cabinet_shows_regulation_status_names(client):
    named = catalogue()[MEDICAL].status_for("in_progress", "egov_portal")
    assert named.source.lines == (239, 242) and named.applies_to.source.lines == (239, 242)
    user, headers = applicant(seed=44)
    portal, office = _filed(user, "egov_portal"), _filed(user, "provider_office")
    assert regulation_status(office) == ("in progress", None)
    client.force_login(user)
    for language in ("kk", "ru", "en"):
        name = getattr(named.name, language)
        html = unescape(client.get("/portal/cabinet/", HTTP_ACCEPT_LANGUAGE=language).content.decode())
        assert name in _cell(html, portal.number), language
        assert name not in _cell(html, office.number), language
        api = {**headers, "Accept-Language": language}
        assert get(client, f"/me/applications/{portal.number}", api).json()["status_name"] == name
        office_body = get(client, f"/me/applications/{office.number}", api).json()
        assert office_body["status_name"] != name and office_body["status_source"] is None
    # the engine's label in English for the office application, on both faces
    html = unescape(client.get("/portal/cabinet/", HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert ">in progress<" in _cell(html, office.number)
    body = get(client, f"/me/applications/{portal.number}", {**headers, "Accept-Language": "en"}).json()
    assert body["status_source"] == "004_3efdef2f532858ca.txt lines 239-242"
