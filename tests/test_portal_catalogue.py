"""The service catalogue: only what is in force today at some provider, with its passport."""

import pytest

from . import portal_helpers
from .portal_helpers import LICENCE, NOT_IN_FORCE

# fixtures
centre, platform, provider, person, signed_in = (
    portal_helpers.centre,
    portal_helpers.platform,
    portal_helpers.provider,
    portal_helpers.person,
    portal_helpers.signed_in,
)

pytestmark = pytest.mark.django_db


def _page(client, url):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def test_only_regulations_in_force_today_at_a_provider_are_offered(client, provider):
    html = _page(client, "/portal/")
    assert 'id="almaty-2015-2-279--medical-licence"' in html
    assert 'id="almaty-2015-2-279--veterinary-licence"' in html  # same provider
    # in force today, but no provider unit acts under it
    assert "south-kazakhstan-2014-182--pharmaceutical-licence" not in html
    # a provider exists for its code, but it was not in force on the demo day
    assert "mhsd-2015-401--specialist-certificate" not in html


def test_the_passport_gives_terms_fee_with_sources_channels_and_the_regulation(client, provider):
    html = _page(client, "/portal/")
    assert "15 working days" in html  # the issue variant's term
    assert "19820 tenge (10 MCI)" in html  # 10 MCI at 1,982 tenge (2015)
    assert "Tax Code of 10.12.2008, Art. 471" in html
    assert "E-government portal" in html or "e-government" in html.lower()
    assert 'href="/regulations/almaty-2015-2-279/medical-licence/"' in html


def test_grouped_by_provider_or_by_topic(client, provider):
    by_provider = _page(client, "/portal/?by=provider")
    assert "Almaty" in by_provider
    by_topic = _page(client, "/portal/?by=topic")
    assert "Health care and medicines" in by_topic


def test_a_service_page_offers_each_portal_variant(signed_in, provider):
    html = _page(signed_in, f"/portal/services/{LICENCE}/")
    assert html.count('name="variant"') == 3  # issue, reissue, duplicate


def test_anonymous_visitors_are_asked_to_sign_in_to_apply(client, provider):
    html = _page(client, f"/portal/services/{LICENCE}/")
    assert "Sign in to apply" in html and 'name="variant"' not in html


def test_a_service_not_in_force_is_not_found(client, provider):
    assert client.get(f"/portal/services/{NOT_IN_FORCE}/").status_code == 404


@pytest.mark.parametrize(
    "language,heading", [("kk", "Мемлекеттік қызметтер"), ("ru", "Государственные услуги")]
)
def test_the_catalogue_speaks_kazakh_and_russian(client, provider, language, heading):
    html = client.get("/portal/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f"<h1>{heading}</h1>" in html
