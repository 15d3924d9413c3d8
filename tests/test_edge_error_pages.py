"""Not found and forbidden: a page in the site's layout and the visitor's language (issue 13, item 4).

Django's own 404 page (with DEBUG on, the list of every URL pattern of the site) and its bare
"403 Forbidden" were what a visitor saw after Back/reload or on another person's URL. Now both
answers are the edge's pages (edge/views.py, `handler404` and `handler403`); under /api/ they
stay JSON, as the API's own errors are.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db

NOT_FOUND = {"kk": "Бет табылмады", "ru": "Страница не найдена"}
FORBIDDEN = {"kk": "Қол жеткізуге тыйым салынған", "ru": "Доступ запрещён"}
HOME = {"kk": "Басты бет", "ru": "Главная страница"}


def _assert_site_page(html: str, language: str, title: str):
    assert f'<html lang="{language}">' in html and f"<h1>{title}</h1>" in html
    # the site's layout: its header with the language switcher, its footer
    assert '<header class="site">' in html and 'action="/i18n/setlang/"' in html
    assert '<footer class="site">' in html and HOME[language] in html
    # nothing of Django's own pages: no URL pattern listing, no debug wording
    for debug_text in ("URLconf", "admin/", "Page not found (404)", "403 Forbidden", "DEBUG"):
        assert debug_text not in html, debug_text


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_an_unknown_address_gets_the_sites_not_found_page_in_the_visitors_language(client, language):
    assert settings.DEBUG is False
    response = client.get("/no/such/page/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")
    _assert_site_page(response.content.decode(), language, NOT_FOUND[language])


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_chosen_language_cookie_decides_the_not_found_page(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get("/register/verify/NO-SUCH-1/pdf/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    html = response.content.decode()
    _assert_site_page(html, language, NOT_FOUND[language])
    # the view's own reason ("no such entry") is not repeated: absent reads the same for everyone
    assert "No such entry" not in html


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_a_refused_page_gets_the_sites_forbidden_page_in_the_visitors_language(client, language):
    client.force_login(get_user_model().objects.create_user("citizen"))
    response = client.get("/office/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 403 and response["Content-Type"].startswith("text/html")
    _assert_site_page(response.content.decode(), language, FORBIDDEN[language])


def test_an_unknown_api_address_stays_json(client):
    response = client.get("/api/no/such/thing/", HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert set(response.json()) == {"detail"} and "URLconf" not in response.content.decode()


BAD_REQUEST = {"kk": "Сұратуды түсіну мүмкін болмады", "ru": "Запрос не удалось понять"}
SEND_AGAIN = {"kk": "Форманы қайта жіберу керек", "ru": "Форму нужно отправить ещё раз"}


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_a_request_django_cannot_take_gets_the_sites_bad_request_page(client, language):
    # a Host header the site does not serve: Django's DisallowedHost, answered with 400
    response = client.get("/portal/", HTTP_HOST="not-our-site.example", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400 and response["Content-Type"].startswith("text/html")
    _assert_site_page(response.content.decode(), language, BAD_REQUEST[language])
    for django_text in ("Bad Request (400)", "DisallowedHost", "ALLOWED_HOSTS"):
        assert django_text not in response.content.decode()


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_a_form_from_a_stale_page_gets_the_sites_page_asking_to_send_it_again(language):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.get("/portal/login/")  # the page sets the CSRF cookie; the post forgets the token
    response = browser.post(
        "/portal/login/", {"username": "870412300129", "password": "x"}, HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 403
    html = response.content.decode()
    _assert_site_page(html, language, SEND_AGAIN[language])
    assert "CSRF verification failed" not in html and "Forbidden" not in html


def test_a_form_without_the_security_cookie_says_to_allow_cookies(client):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(
        "/portal/login/", {"username": "870412300129", "password": "x"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 403 and "Allow cookies for this site" in response.content.decode()
    assert "CSRF verification failed" not in response.content.decode()
