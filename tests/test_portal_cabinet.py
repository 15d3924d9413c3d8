"""The personal cabinet: only my applications, every look-up of my data, results and notifications."""

import datetime as dt
import re
from html import unescape

import pytest
from django.core import mail

from qyzmet.calendar.workcal import ALMATY
from qyzmet.engine import services
from qyzmet.engine.models import Application, Status
from qyzmet.engine.statuses import regulation_status
from qyzmet.gateway.lookups import look_up
from qyzmet.notifications.models import Notification
from qyzmet.notifications.notify import notify_status
from qyzmet.notifications.sms import MemorySmsClient
from qyzmet.office.testing import load_regulations
from qyzmet.providers.models import Provider
from qyzmet.regulations.loader import catalogue

from . import portal_helpers
from .portal_helpers import APPLICANT, LICENCE, OTHER, applicant
from .psc_helpers import drive

# fixtures
centre, platform, provider, person, signed_in = (
    portal_helpers.centre,
    portal_helpers.platform,
    portal_helpers.provider,
    portal_helpers.person,
    portal_helpers.signed_in,
)

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
FILED = dt.datetime(2015, 10, 12, 10, 0, tzinfo=ALMATY)
# names the statuses «Қанағаттанарлық» and «Бас тарту» of the application in the personal cabinet
NARCOTICS = "south-kazakhstan-2014-182/narcotics-licence"


def _file(provider, number=APPLICANT, user=None, **data):
    return services.file_application(
        service=catalogue()[LICENCE].service,
        provider=provider,
        variant="issue",
        channel="egov_portal",
        applicant=number,
        filed_at=FILED,
        actor="test",
        applicant_user=user,
        data=data,
    )


def _close(app, status=Status.REFUSED):
    # Driving the whole internal procedure is the engine tests' business; here only the end matters.
    Application.objects.filter(pk=app.pk).update(status=status, closed_at=FILED + dt.timedelta(days=5))
    app.refresh_from_db()
    return app


def test_my_applications_with_term_due_date_and_current_step(signed_in, provider, person):
    mine = _file(provider, user=person)
    theirs = _file(provider, OTHER)
    html = unescape(signed_in.get("/portal/cabinet/", **EN).content.decode())
    assert mine.number in html and theirs.number not in html
    assert "15 working days" in html
    current = mine.steps.get(completed_at__isnull=True)
    step = catalogue()[LICENCE].procedure(mine.procedure).step(current.step_id)
    assert " ".join(step.action.en.split()[:6]) in html


def test_another_applicants_application_is_not_found(signed_in, provider):
    theirs = _file(provider, OTHER)
    assert signed_in.get(f"/portal/cabinet/applications/{theirs.number}/").status_code == 404
    assert signed_in.get(f"/portal/cabinet/applications/{theirs.number}/summary.txt").status_code == 404


def test_applications_filed_elsewhere_in_my_number_are_mine_too(signed_in, provider):
    at_the_office = _file(provider, APPLICANT)
    assert signed_in.get(f"/portal/cabinet/applications/{at_the_office.number}/").status_code == 200


def test_every_lookup_of_my_data_is_listed_with_who_when_and_why(signed_in, provider):
    look_up("individuals", APPLICANT, purpose="licence check by the clerk", initiated_by="aed.office-clerk")
    look_up("individuals", OTHER, purpose="someone else's request", initiated_by="aed.office-clerk")
    html = signed_in.get("/portal/cabinet/", **EN).content.decode()
    assert "licence check by the clerk" in html and "aed.office-clerk" in html
    assert "someone else" not in html


def test_a_closed_application_links_to_its_result_and_a_text_summary(signed_in, provider, person):
    app = _close(_file(provider, user=person))
    html = signed_in.get("/portal/cabinet/", **EN).content.decode()
    assert f'href="/register/verify/{app.number}/"' in html  # the refusal's verification page
    summary = signed_in.get(f"/portal/cabinet/applications/{app.number}/summary.txt", **EN)
    text = summary.content.decode()
    assert summary["Content-Type"].startswith("text/plain") and app.number in text and "refused" in text


def test_notifications_on_filing_and_closing_are_sent_once_each(signed_in, provider, person):
    contacts = {"phone": "+77011112233", "email": "me@example.kz"}
    app = _file(provider, user=person, contacts=contacts, language="en")
    notify_status(app)
    notify_status(app)  # called again for the same change: no repeat
    assert len(mail.outbox) == 1 and f"Application {app.number} filed" in mail.outbox[0].subject
    assert (
        len(MemorySmsClient.outbox) == 1 and "The result is expected by" in MemorySmsClient.outbox[0]["text"]
    )
    notify_status(_close(app, Status.ISSUED))
    assert len(mail.outbox) == 2 and "result issued" in mail.outbox[1].body
    assert len(MemorySmsClient.outbox) == 2
    html = signed_in.get("/portal/cabinet/", **EN).content.decode()
    assert "+77011112233" in html and 'id="notifications"' in html


def test_a_failed_sms_is_recorded_not_raised(provider, settings, person):
    settings.QYZMET_SMS_BACKEND = "tests.test_portal_cabinet.BrokenSms"
    app = _file(provider, user=person, contacts={"phone": "+77011112233"})
    # the filing's event told the applicant: the SMS failed, was recorded, and undid nothing
    [notice] = Notification.objects.filter(application=app)
    assert not notice.sent and "operator down" in notice.error
    assert app.status == Status.IN_PROGRESS and notify_status(app) == []  # recorded once, not again


class BrokenSms:
    def send(self, to, text):
        raise RuntimeError("operator down")


def test_anonymous_visitors_are_sent_to_sign_in(client, provider):
    app = _file(provider, applicant(OTHER).username)
    assert client.get(f"/portal/cabinet/applications/{app.number}/")["Location"].startswith("/portal/login/")


@pytest.fixture
def narcotics_provider(db):
    load_regulations(NARCOTICS)
    reg = catalogue()[NARCOTICS]
    return Provider.objects.create(
        code="skhd-test", acts_as=reg.provider.code, name=reg.provider.name.model_dump()
    )


def _file_narcotics(provider, user):
    return services.file_application(
        service=catalogue()[NARCOTICS].service,
        provider=provider,
        variant="issue",
        channel="egov_portal",
        applicant=APPLICANT,
        filed_at=FILED,
        actor="test",
        applicant_user=user,
    )


def _status_cell(html: str, number: str) -> str:
    """The status cell of an application's row in the cabinet (its third column)."""
    row = next(r for r in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S) if f">{number}</a>" in r)
    return re.findall(r"<td>(.*?)</td>", row, re.S)[2]


def test_cabinet_shows_the_status_the_regulation_names(signed_in, narcotics_provider, person):
    issued = drive(_file_narcotics(narcotics_provider, person), "approve")
    refused = drive(_file_narcotics(narcotics_provider, person), "refuse")
    assert (issued.status, refused.status) == (Status.ISSUED, Status.REFUSED)
    html = unescape(signed_in.get("/portal/cabinet/", **EN).content.decode())
    satisfied, refusal = _status_cell(html, issued.number), _status_cell(html, refused.number)
    assert ">Satisfied<" in satisfied and "result issued" in satisfied
    # a name, not a sentence with the regulation's line numbers (issue 13, item 5)
    assert "lines" not in satisfied and "as named in the regulation" not in satisfied
    assert ">Refusal<" in refusal and "refused" in refusal and "lines" not in refusal
    page = unescape(signed_in.get(f"/portal/cabinet/applications/{issued.number}/", **EN).content.decode())
    status = re.search(r'<dd id="status">(.*?)</dd>', page, re.S).group(1)
    assert ">Satisfied<" in status and "result issued" in status
    summary = signed_in.get(f"/portal/cabinet/applications/{refused.number}/summary.txt", **EN)
    assert "Status: Refusal (refused)" in summary.content.decode()
    # in the page's language, verbatim from the regulation
    kazakh = unescape(signed_in.get("/portal/cabinet/", HTTP_ACCEPT_LANGUAGE="kk").content.decode())
    assert ">Қанағаттанарлық<" in _status_cell(kazakh, issued.number)
    assert ">Бас тарту<" in _status_cell(kazakh, refused.number)


def test_a_status_the_regulation_does_not_name_shows_the_engine_label(
    signed_in, narcotics_provider, provider, person
):
    # the South Kazakhstan regulation names no status for an application still in progress
    open_one = _file_narcotics(narcotics_provider, person)
    # the Almaty medical licence names the acceptance notice only, not a refusal
    closed = _close(_file(provider, user=person))
    assert regulation_status(open_one) == ("in progress", None)
    assert regulation_status(closed) == ("refused", None)
    html = unescape(signed_in.get("/portal/cabinet/", **EN).content.decode())
    for app, label in [(open_one, "in progress"), (closed, "refused")]:
        cell = _status_cell(html, app.number)
        assert f">{label}<" in cell and "as named in the regulation" not in cell


def test_a_status_the_regulation_names_for_several_engine_states(signed_in, provider, person):
    app = _file(provider, user=person)  # Almaty medical licence: the acceptance notice-report
    label, source = regulation_status(app)
    assert label.startswith("Notice that the request has been accepted") and source.lines == (239, 242)
    Application.objects.filter(pk=app.pk).update(status=Status.PAUSED)
    app.refresh_from_db()
    assert regulation_status(app).label == label
    html = unescape(signed_in.get("/portal/cabinet/", **EN).content.decode())
    cell = _status_cell(html, app.number)
    assert label in cell and "paused" in cell and "lines" not in cell
