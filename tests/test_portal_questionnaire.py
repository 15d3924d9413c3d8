"""The regulation's quality questionnaire (seed 001 annex 3): offered once the application is
decided, answered once, counted per question on the provider's dashboard, linked from the notice."""

import pytest
from django.urls import reverse

from qyzmet.analytics.models import QuestionnaireAnswer
from qyzmet.notifications.notify import CLOSED, _text

from . import cast
from .registry_helpers import LICENCE, drive, make_provider

pytestmark = pytest.mark.django_db

WITH_ANNEX = "mangystau-2013-3/medical-licence"  # seed 001 lines 1673-1691
HOLDER = "870412300129"


@pytest.fixture
def decided():
    provider = make_provider(WITH_ANNEX, code="mangystau-health")
    app = drive(provider, WITH_ANNEX, "S3", applicant=HOLDER)
    app.applicant_user = cast.person(HOLDER)
    app.save(update_fields=["applicant_user"])
    return app


def test_a_decided_application_is_offered_the_regulations_questions_and_they_are_kept_once(client, decided):
    client.force_login(decided.applicant_user)
    assert (
        "questionnaire-offer"
        in client.get(reverse("portal:application", args=[decided.number])).content.decode()
    )
    url = reverse("portal:questionnaire", args=[decided.number])
    page = client.get(url).content.decode()
    assert "satisfied with the quality of the process" in page and "1673" in page
    answer = client.post(url, {"satisfaction-with-process-and-result": "partly_satisfied"})
    assert answer.status_code == 302
    kept = QuestionnaireAnswer.objects.get(application=decided)
    assert kept.answers == {"satisfaction-with-process-and-result": "partly_satisfied"}
    assert kept.regulation_id == decided.regulation_id
    client.post(url, {"satisfaction-with-process-and-result": "satisfied"})
    assert QuestionnaireAnswer.objects.get(application=decided).answers == kept.answers
    assert (
        "questionnaire-offer"
        not in client.get(reverse("portal:application", args=[decided.number])).content.decode()
    )


def test_an_answer_outside_the_annexs_three_is_refused_and_nothing_is_kept(client, decided):
    client.force_login(decided.applicant_user)
    url = reverse("portal:questionnaire", args=[decided.number])
    assert client.post(url, {"satisfaction-with-information": "delighted"}).status_code == 400
    assert client.post(url, {}).status_code == 400
    assert not QuestionnaireAnswer.objects.exists()


def test_another_applicant_cannot_answer_for_me(client, decided):
    client.force_login(cast.person("900101300156"))
    url = reverse("portal:questionnaire", args=[decided.number])
    assert client.post(url, {"satisfaction-with-information": "satisfied"}).status_code == 404
    assert not QuestionnaireAnswer.objects.exists()


def test_a_regulation_without_the_annex_offers_no_questionnaire(client):
    app = drive(make_provider(LICENCE), LICENCE, "S6", applicant=HOLDER)
    app.applicant_user = cast.person(HOLDER)
    app.save(update_fields=["applicant_user"])
    client.force_login(app.applicant_user)
    assert (
        "questionnaire-offer"
        not in client.get(reverse("portal:application", args=[app.number])).content.decode()
    )
    assert (
        "has no questionnaire"
        in client.get(reverse("portal:questionnaire", args=[app.number])).content.decode()
    )
    assert "questionnaire" not in _text(app, CLOSED)[1]


def test_the_result_notice_links_the_questionnaire(decided):
    subject, body = _text(decided, CLOSED)
    assert reverse("portal:questionnaire", args=[decided.number]) in body


def test_the_providers_dashboard_counts_each_answer_per_question(client, decided):
    client.force_login(decided.applicant_user)
    client.post(
        reverse("portal:questionnaire", args=[decided.number]),
        {
            "satisfaction-with-process-and-result": "satisfied",
            "satisfaction-with-information": "not_satisfied",
        },
    )
    client.force_login(cast.staff_for(decided.provider, "head"))
    page = client.get(reverse("office:dashboard")).content.decode()
    assert "Quality of the service" in page
    table = page[page.index('class="quality"') :]
    assert table.count(">1</td>") == 2 and "100%" in table
