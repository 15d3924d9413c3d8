"""Logging in to the back office: Django's login view with the office's template."""

import pytest

from qyzmet.office.testing import PASSWORD, make_cast

pytestmark = pytest.mark.django_db


def test_the_login_page_renders_in_the_sites_layout(client):
    response = client.get("/accounts/login/?next=/office/", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Log in to the back office" in html and 'name="password"' in html
    assert 'href="/static/css/qyzmet.css"' in html  # extends base.html


def test_staff_log_in_and_land_in_the_inbox(client):
    cast = make_cast()
    cast.clerk.set_password(PASSWORD)
    cast.clerk.save()
    response = client.post(
        "/accounts/login/", {"username": "a.clerk", "password": PASSWORD, "next": "/office/"}
    )
    assert response.status_code == 302 and response["Location"] == "/office/"
    assert client.get("/office/").status_code == 200


def test_a_wrong_password_says_so(client):
    make_cast()
    response = client.post(
        "/accounts/login/", {"username": "a.clerk", "password": "wrong"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert "did not match" in response.content.decode()
