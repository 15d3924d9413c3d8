"""The quality questionnaire in a real browser: the applicant signs in, opens her decided
application, follows the offer, answers both of the regulation's questions and sees her thanks;
the page has no sideways scroll at 375 px."""

import pytest

from qyzmet.analytics.models import QuestionnaireAnswer

from .browser import async_unsafe_allowed, chromium_page  # noqa: F401 (fixture)
from .portal_helpers import PASSWORD, applicant
from .registry_helpers import drive, make_provider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WITH_ANNEX = "mangystau-2013-3/medical-licence"
HOLDER = "870412300129"


def test_the_applicant_answers_the_questionnaire_in_the_browser(live_server):
    app = drive(make_provider(WITH_ANNEX, code="mangystau-health"), WITH_ANNEX, "S3", applicant=HOLDER)
    app.applicant_user = applicant(HOLDER, PASSWORD)
    app.save(update_fields=["applicant_user"])
    with chromium_page(15_000, fail_on_js_errors=True) as page:
        page.goto(f"{live_server.url}/portal/login/")
        page.fill("#id_username", HOLDER)
        page.fill("#id_password", PASSWORD)
        page.click("#password-login button[type=submit]")
        page.wait_for_url(f"{live_server.url}/portal/cabinet/")
        page.goto(f"{live_server.url}/portal/cabinet/applications/{app.number}/")
        page.click("#questionnaire-offer a")
        page.set_viewport_size({"width": 375, "height": 800})
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= 375, f"the questionnaire is {wide} px wide at 375 px"
        page.check("input[name=satisfaction-with-process-and-result][value=satisfied]")
        page.check("input[name=satisfaction-with-information][value=partly_satisfied]")
        page.click("form.questionnaire button[type=submit]")
        page.wait_for_url(f"{live_server.url}/portal/cabinet/applications/{app.number}/")
        assert "your answers are kept" in page.locator(".flash").inner_text()
        assert page.locator("#questionnaire-offer").count() == 0
    assert QuestionnaireAnswer.objects.get(application=app).answers == {
        "satisfaction-with-process-and-result": "satisfied",
        "satisfaction-with-information": "partly_satisfied",
    }
