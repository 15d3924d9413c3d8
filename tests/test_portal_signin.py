"""Signing in to the portal: IIN/BIN and password, and the EDS challenge signed with the auth key."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.http import HttpRequest

from qyzmet.pki.ca import AUTH, SIGN
from qyzmet.pki.signing import sign_challenge
from qyzmet.portal.views.signin import CHALLENGE_KEY, SIGNER_KEY

from . import portal_helpers
from .portal_helpers import APPLICANT, OTHER, PASSWORD, applicant

# fixtures
centre, keys, platform = portal_helpers.centre, portal_helpers.keys, portal_helpers.platform

pytestmark = pytest.mark.django_db


def _signed_in_as(client):
    return client.session.get("_auth_user_id") and get_user_model().objects.get(
        pk=client.session["_auth_user_id"]
    )


def test_password_sign_in_lands_in_the_cabinet(client):
    applicant()
    response = client.post("/portal/login/", {"username": APPLICANT, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/portal/cabinet/"
    assert client.get("/portal/cabinet/").status_code == 200


def test_a_wrong_password_or_a_malformed_number_is_said_plainly(client):
    applicant()
    wrong = client.post(
        "/portal/login/", {"username": APPLICANT, "password": "nope"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert wrong.status_code == 400 and "The IIN/BIN or the password is wrong" in wrong.content.decode()
    malformed = client.post("/portal/login/", {"username": "123", "password": "x"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "This is not a valid IIN or BIN" in malformed.content.decode()
    assert not _signed_in_as(client)


def test_the_cabinet_needs_an_applicant_not_a_staff_login(client):
    assert client.get("/portal/cabinet/")["Location"].startswith("/portal/login/?next=/portal/cabinet/")
    staff = get_user_model().objects.create_user(username="aed.head")
    client.force_login(staff)
    assert client.get("/portal/cabinet/")["Location"].startswith("/portal/login/")


def _eds(client, key, next_url=""):
    page = client.get("/portal/login/", HTTP_ACCEPT_LANGUAGE="en")
    challenge = client.session[CHALLENGE_KEY]["text"]
    assert json.dumps(challenge) in page.content.decode()  # handed to the page's script
    signature = sign_challenge(challenge.encode(), key.private_key, key.certificate)
    data = {"signature": signature, "next": next_url}
    return client.post("/portal/login/eds/", data, HTTP_ACCEPT_LANGUAGE="en"), data


def test_first_eds_sign_in_creates_the_applicant(client, keys):
    response, _ = _eds(client, keys[(OTHER, AUTH)], "/portal/")
    assert response.status_code == 302 and response["Location"] == "/portal/"
    user = _signed_in_as(client)
    assert user.username == OTHER and not user.has_usable_password()
    assert client.session[SIGNER_KEY] == OTHER


def test_eds_sign_in_of_an_existing_applicant(client, keys):
    person = applicant()
    response, _ = _eds(client, keys[(APPLICANT, AUTH)])
    assert response.status_code == 302 and _signed_in_as(client) == person
    assert get_user_model().objects.count() == 1


def test_a_signing_key_cannot_sign_in(client, keys):
    response, _ = _eds(client, keys[(APPLICANT, SIGN)])
    assert response.status_code == 403
    assert "This is your signing key. Sign-in uses the authentication key" in response.content.decode()
    assert not _signed_in_as(client)


def test_a_challenge_is_answered_once(client, keys):
    first, data = _eds(client, keys[(APPLICANT, AUTH)])
    assert first.status_code == 302
    client.post("/portal/logout/")
    replay = client.post("/portal/login/eds/", data)
    assert replay.status_code in (400, 403) and not _signed_in_as(client)


def test_demo_applicants_sign_in_with_password_or_their_key_files(client, settings, tmp_path):
    from qyzmet.demo.applicants import DEMO_PASSWORD, KEY_PASSWORD, seed_demo_applicants
    from qyzmet.pki.ca import load_p12

    settings.VAR_DIR = tmp_path
    person, entity = seed_demo_applicants()
    again = seed_demo_applicants()  # idempotent: the same people, the same key files
    assert [a.username for a in again] == [person.username, entity.username]
    assert again[0].auth_key.read_bytes() == person.auth_key.read_bytes()
    assert person.auth_key.parent == tmp_path / "demo-keys"
    assert {(k.stat().st_mode & 0o777) for a in again for k in (a.auth_key, a.sign_key)} == {0o600}

    # django-axes counts sign-in attempts per request, so even the test client's login passes one
    assert client.login(request=HttpRequest(), username=entity.username, password=DEMO_PASSWORD)
    client.logout()
    key, certificate = load_p12(person.auth_key.read_bytes(), KEY_PASSWORD)
    page = client.get("/portal/login/")
    assert page.status_code == 200
    challenge = client.session[CHALLENGE_KEY]["text"].encode()
    signature = sign_challenge(challenge, key, certificate)
    assert client.post("/portal/login/eds/", {"signature": signature}).status_code == 302
    assert _signed_in_as(client).username == person.username
