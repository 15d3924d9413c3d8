"""The legal clock stops only on a legal ground.

The Law on permissions gives no stop of the term for asking the applicant for documents (an
incomplete set is refused further consideration, Art. 25 p.1); the one stop its text gives is the
wait for the confirmation of an end-user certificate on an export-control licence (Art. 37 p.2).
So the office offers a pause only where a rule of `law_rules.yaml` applies, names the rule and its
article; the applicant is told in the cabinet and by e-mail and SMS what is asked, answers there
with documents, and the answer restarts the clock and moves the due moments, which the officer
sees with the answer.
"""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from qyzmet.calendar.workcal import ALMATY
from qyzmet.engine import services
from qyzmet.engine.law import pauses_for
from qyzmet.engine.models import Status
from qyzmet.notifications.models import Notification
from qyzmet.office.testing import make_cast
from qyzmet.regulations.loader import catalogue

from .cast import person
from .pause_helpers import RULE, export_control_application, filed_moment

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
APPLICANT = "870412300129"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def cast():
    return make_cast()


@pytest.fixture
def app(cast):
    return export_control_application(
        cast.provider_a,
        applicant=APPLICANT,
        data={"contacts": {"email": "a@example.kz", "phone": "+77010000000"}, "language": "en"},
    )


def _office(client, user, app, action="", data=None):
    client.force_login(user)
    url = f"/office/applications/{app.number}/{action + '/' if action else ''}"
    return client.post(url, data or {}, **EN) if action else client.get(url, **EN)


def test_no_regulation_of_the_catalogue_lets_the_clock_stop():
    for reg_id, reg in catalogue().items():
        for day in (reg.in_force.from_, reg.in_force.until or dt.date(2026, 1, 1)):
            assert pauses_for(reg, day) == {}, reg_id


def test_the_pause_rule_names_its_article_and_the_day_it_took_effect(app):
    reg = app.regulation.parsed
    rule = pauses_for(reg, dt.date(2015, 6, 24))[RULE]
    assert "202-V" in rule.source and "Art. 37 p.2" in rule.source
    assert rule.asks["kk"] and rule.asks["ru"] and rule.asks["en"]
    assert pauses_for(reg, dt.date(2014, 11, 19)) == {}  # the Licensing Law had no such stop


def test_the_office_shows_no_pause_where_the_law_gives_none(client, cast):
    ordinary = cast.file()  # a specialist certificate: no rule stops its clock
    html = _office(client, cast.clerk, ordinary).content.decode()
    assert "/pause/" not in html
    response = _office(client, cast.clerk, ordinary, "pause", {"reason": "documents_requested", "note": "x"})
    assert response.status_code == 403
    with pytest.raises(services.InvalidTransition):
        services.pause(ordinary.pk, "documents_requested", cast.clerk, note="a copy of the diploma")
    ordinary.refresh_from_db()
    assert ordinary.status == Status.IN_PROGRESS and not ordinary.pauses.exists()


def test_a_person_cannot_use_the_platforms_own_reason_but_the_gateway_can(cast):
    ordinary = cast.file()
    with pytest.raises(services.InvalidTransition):
        services.pause(ordinary.pk, "state_database_unavailable", cast.clerk)
    services.pause(ordinary.pk, "state_database_unavailable", "gateway")
    ordinary.refresh_from_db()
    assert ordinary.status == Status.PAUSED
    assert not Notification.objects.filter(application=ordinary).exclude(event="filed").exists()


def test_the_applicant_is_asked_answers_in_the_cabinet_and_the_clock_runs_again(
    client, cast, app, monkeypatch
):
    run = app.steps.get()
    due, step_due = app.due_at, run.due_at
    page = _office(client, cast.clerk, app).content.decode()
    assert "/pause/" in page and "Art. 37 p.2" in page  # offered, with its ground

    paused_at = filed_moment() + dt.timedelta(hours=1)
    monkeypatch.setattr("qyzmet.clock.now", lambda: paused_at)
    response = _office(client, cast.clerk, app, "pause", {"reason": RULE, "note": "Certificate No. 17-04."})
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == Status.PAUSED
    pause = app.pauses.get()
    assert pause.law.endswith("Art. 37 p.2 part 2") and "Certificate No. 17-04." in pause.asked
    assert "end-user certificate is authentic" in pause.asked  # in the request's language

    # told by e-mail and SMS what is asked
    told = Notification.objects.filter(application=app, event=f"paused:{pause.pk}")
    assert {n.channel for n in told} == {"email", "sms"}
    assert all("Certificate No. 17-04." in n.text and "Art. 37 p.2" in n.text for n in told)

    # and in the cabinet, with a form to answer
    applicant = person(APPLICANT)
    client.force_login(applicant)
    listed = client.get("/portal/cabinet/", **EN).content.decode()
    assert "Your answer is awaited" in listed and f"{app.number}/#asked" in listed
    cabinet = client.get(f"/portal/cabinet/applications/{app.number}/", **EN).content.decode()
    assert (
        "Certificate No. 17-04." in cabinet
        and f"/portal/cabinet/applications/{app.number}/answer/" in cabinet
    )

    answered_at = dt.datetime.combine(
        app.provider.calendar().add_working_days(paused_at, 2).date(), dt.time(11), tzinfo=ALMATY
    )
    monkeypatch.setattr("qyzmet.clock.now", lambda: answered_at)
    upload = SimpleUploadedFile("confirmation.pdf", PDF, content_type="application/pdf")
    response = client.post(
        f"/portal/cabinet/applications/{app.number}/answer/",
        {"answer": "The confirmation of the importing country is attached.", "files": [upload]},
        **EN,
    )
    assert response.status_code == 302
    app.refresh_from_db()
    run.refresh_from_db()
    calendar = app.provider.calendar()
    assert app.status == Status.IN_PROGRESS
    assert app.due_at == calendar.add_working_days(due, 2)
    assert run.due_at == calendar.add_working_days(step_due, 2)
    pause.refresh_from_db()
    assert pause.ended_at == answered_at and pause.ended_by == APPLICANT
    assert pause.answer.startswith("The confirmation") and pause.files.get().name == "confirmation.pdf"
    assert Notification.objects.filter(application=app, event=f"resumed:{pause.pk}").count() == 2

    # the officer sees the answer and the document
    office = _office(client, cast.clerk, app).content.decode()
    document = pause.files.get()
    assert "The confirmation of the importing country is attached." in office
    assert f"/office/applications/{app.number}/answers/{document.pk}/" in office
    client.force_login(cast.clerk)
    downloaded = client.get(f"/office/applications/{app.number}/answers/{document.pk}/")
    assert downloaded.status_code == 200 and bytes(downloaded.content) == PDF


def test_an_answer_that_is_not_a_pdf_jpeg_or_png_is_refused_and_the_clock_stays_stopped(client, cast, app):
    services.pause(app.pk, RULE, cast.clerk, note="")
    client.force_login(person(APPLICANT))
    upload = SimpleUploadedFile("confirmation.pdf", b"MZ not a pdf", content_type="application/pdf")
    response = client.post(
        f"/portal/cabinet/applications/{app.number}/answer/", {"answer": "here", "files": [upload]}, **EN
    )
    assert response.status_code == 400 and "is not a PDF, JPEG or PNG" in response.content.decode()
    app.refresh_from_db()
    assert app.status == Status.PAUSED and app.pauses.get().ended_at is None


def test_only_the_applicant_answers_and_only_while_something_is_asked(client, cast, app):
    client.force_login(person(APPLICANT))
    assert (
        client.post(f"/portal/cabinet/applications/{app.number}/answer/", {"answer": "x"}).status_code == 403
    )
    services.pause(app.pk, RULE, cast.clerk)
    client.force_login(person("900101300156"))
    assert (
        client.post(f"/portal/cabinet/applications/{app.number}/answer/", {"answer": "x"}).status_code == 404
    )
    with pytest.raises(services.NotPermitted):
        services.answer_pause(app.pk, cast.clerk, "x")
    app.refresh_from_db()
    assert app.status == Status.PAUSED
