"""A signature or an EDS sign-in that does not stand says what is wrong and what to do (issue 13, item 4).

Before, every signing fault read "The request was refused — EDS not confirmed" although nothing
was refused or filed, with no hint what to fix. Now each fault (an authentication key used to
sign, an expired, not yet valid or revoked certificate, another person's certificate, a key of an
untrusted centre) has a stable code (`qyzmet/pki/faults.py`) and a sentence in the applicant's
language, on the portal's pages and in the API's error body; the word "refused" is kept for
refusals.
"""

from __future__ import annotations

import datetime as dt
import json
from html import unescape

import pytest
from django.utils import translation

from qyzmet.engine.models import Application
from qyzmet.intake.online import drafts
from qyzmet.intake.online.models import Draft
from qyzmet.pki import faults
from qyzmet.pki.ca import AUTH, SIGN, CertificationCentre
from qyzmet.pki.signing import sign, sign_challenge
from qyzmet.portal.views.signin import CHALLENGE_KEY

from . import cast, portal_helpers
from .api_helpers import bearer
from .portal_helpers import APPLICANT, KEY_PASSWORD, LICENCE, OTHER, PASSWORD, applicant

centre, platform, provider = portal_helpers.centre, portal_helpers.platform, portal_helpers.provider

pytestmark = pytest.mark.django_db

UTC = dt.UTC
SIGNING_FAULTS = [
    faults.WRONG_KEY_TYPE,
    faults.CERTIFICATE_EXPIRED,
    faults.CERTIFICATE_NOT_YET_VALID,
    faults.CERTIFICATE_REVOKED,
    faults.UNTRUSTED_ISSUER,
    faults.ANOTHER_PERSONS_CERTIFICATE,
]
# What each message must tell the applicant to do (English)
WHAT_TO_DO = {
    faults.WRONG_KEY_TYPE: "choose the key file whose name starts with RSA256",
    faults.CERTIFICATE_EXPIRED: "has expired. Get a new key",
    faults.CERTIFICATE_NOT_YET_VALID: "is not valid yet",
    faults.CERTIFICATE_REVOKED: "was revoked. Get a new key",
    faults.UNTRUSTED_ISSUER: "not issued by a certification centre the portal trusts",
    faults.ANOTHER_PERSONS_CERTIFICATE: "Sign with your own signing key",
}


def _key(centre, purpose=SIGN, **subject):
    return cast.key_file(centre, APPLICANT, purpose, password=KEY_PASSWORD, **subject)


@pytest.fixture(scope="module")
def keys_by_fault(centre, tmp_path_factory):
    """For each fault, the key whose signature makes it (issued once for the module)."""
    now = dt.datetime.now(UTC)
    revoked = _key(centre, name="ОТОЗВАН КЛЮЧ")
    centre.revoke(revoked.certificate.serial_number)
    impostor = CertificationCentre(tmp_path_factory.mktemp("impostor")).issue(
        iin=APPLICANT, password=KEY_PASSWORD
    )
    return {
        faults.WRONG_KEY_TYPE: _key(centre, AUTH),
        faults.CERTIFICATE_EXPIRED: _key(
            centre,
            not_before=dt.datetime(2020, 1, 1, tzinfo=UTC),
            not_after=dt.datetime(2021, 1, 1, tzinfo=UTC),
        ),
        faults.CERTIFICATE_NOT_YET_VALID: _key(
            centre, not_before=(now + dt.timedelta(days=30)).replace(microsecond=0)
        ),
        faults.CERTIFICATE_REVOKED: revoked,
        faults.UNTRUSTED_ISSUER: impostor,
        faults.ANOTHER_PERSONS_CERTIFICATE: cast.key_file(centre, OTHER, SIGN, password=KEY_PASSWORD),
    }


@pytest.mark.parametrize("code", faults.CODES)
def test_every_fault_says_what_to_do_in_kazakh_russian_and_english(code):
    for make in (faults.signing_fault, faults.sign_in_fault):
        texts = {}
        for language in ("kk", "ru", "en"):
            with translation.override(language):
                texts[language] = str(make(code).message)
        assert len(set(texts.values())) == 3, texts  # translated, not the English left in place
        for text in texts.values():
            assert (
                "refus" not in text.lower() and "бас тарт" not in text.lower() and "отказ" not in text.lower()
            )


def test_a_reason_the_mapping_does_not_know_reads_as_an_unreadable_signature():
    assert faults.signing_fault("something_new").code == faults.SIGNATURE_UNREADABLE


# The applicant API -----------------------------------------------------------------------------


def _api_post(client, user, provider, request: dict, key, language="en"):
    payload = {
        "provider": provider.code,
        "service": request["service"],
        "variant": "issue",
        "signed_request": sign(request, key.private_key, key.certificate),
    }
    return client.post(
        "/api/v1/portal/submissions",
        payload,
        content_type="application/json",
        headers={**bearer(user), "Accept-Language": language},
    )


def _api_request(provider, iin=APPLICANT):
    from qyzmet.regulations.loader import catalogue

    return {
        "iin": iin,
        "service": catalogue()[LICENCE].service,
        "variant": "issue",
        "provider": provider.code,
    }


@pytest.mark.parametrize("code", SIGNING_FAULTS)
def test_the_api_names_each_signing_fault_with_a_stable_code_and_what_to_do(
    client, provider, keys_by_fault, code
):
    user = applicant()
    iin = OTHER if code == faults.ANOTHER_PERSONS_CERTIFICATE else APPLICANT
    answer = _api_post(client, user, provider, _api_request(provider, iin), keys_by_fault[code])
    assert answer.status_code == 422, answer.json()
    body = answer.json()
    assert body["status"] == "signature_not_accepted" and body["code"] == code
    assert WHAT_TO_DO[code] in body["message"] and "refus" not in body["message"]
    assert body["detail"]  # the check that failed, for support
    assert not Application.objects.exists()


@pytest.mark.parametrize(
    "language,says",
    [("kk", "аутентификация кілтіңізбен"), ("ru", "ключом аутентификации")],
)
def test_the_api_says_the_fault_in_the_callers_language(client, provider, keys_by_fault, language, says):
    user = applicant()
    key = keys_by_fault[faults.WRONG_KEY_TYPE]
    body = _api_post(client, user, provider, _api_request(provider), key, language).json()
    assert body["code"] == faults.WRONG_KEY_TYPE and says in body["message"]


# The portal's signing page ---------------------------------------------------------------------


def _draft(client):
    client.force_login(applicant())
    assert client.post(f"/portal/services/{LICENCE}/apply/", {"variant": "issue"}).status_code == 302
    return Draft.objects.latest("id")


@pytest.mark.parametrize("code", SIGNING_FAULTS)
def test_the_signing_page_says_what_is_wrong_with_the_key_and_refuses_nothing(
    client, provider, keys_by_fault, code
):
    draft = _draft(client)
    key = keys_by_fault[code]
    envelope = sign(drafts.request_of(draft), key.private_key, key.certificate)
    response = client.post(
        f"/portal/drafts/{draft.pk}/submit/", {"envelope": json.dumps(envelope)}, HTTP_ACCEPT_LANGUAGE="en"
    )
    page = unescape(response.content.decode())
    assert response.status_code == 422
    assert f'id="signature-fault" data-code="{code}"' in page and WHAT_TO_DO[code] in page
    assert "The signature was not accepted" in page and "refused" not in page.lower()
    draft.refresh_from_db()
    assert draft.state == Draft.State.EDITING and not Application.objects.exists()


def test_the_signing_page_speaks_russian_to_a_russian_reader(client, provider, keys_by_fault):
    draft = _draft(client)
    key = keys_by_fault[faults.CERTIFICATE_EXPIRED]
    envelope = sign(drafts.request_of(draft), key.private_key, key.certificate)
    page = unescape(
        client.post(
            f"/portal/drafts/{draft.pk}/submit/",
            {"envelope": json.dumps(envelope)},
            HTTP_ACCEPT_LANGUAGE="ru",
        ).content.decode()
    )
    assert "Подпись не принята" in page and "истёк" in page and "Отказ" not in page


# Signing in ------------------------------------------------------------------------------------


def _eds_sign_in(client, key, language="en"):
    client.get("/portal/login/")
    challenge = client.session[CHALLENGE_KEY]["text"]
    signature = sign_challenge(challenge.encode(), key.private_key, key.certificate)
    return client.post("/portal/login/eds/", {"signature": signature}, HTTP_ACCEPT_LANGUAGE=language)


SIGN_IN_SAYS = {
    faults.WRONG_KEY_TYPE: "This is your signing key. Sign-in uses the authentication key",
    faults.CERTIFICATE_EXPIRED: "has expired. Get a new key at the certification centre, or sign in",
    faults.CERTIFICATE_NOT_YET_VALID: "is not valid yet",
    faults.CERTIFICATE_REVOKED: "was revoked. Get a new key",
    faults.UNTRUSTED_ISSUER: "not issued by a certification centre the portal trusts",
}


@pytest.fixture(scope="module")
def sign_in_keys(centre, tmp_path_factory, keys_by_fault):
    """The authentication-key twins of the signing faults (a signing key is the wrong type here)."""
    now = dt.datetime.now(UTC)
    revoked = _key(centre, AUTH, name="ОТОЗВАН КІРУ")
    centre.revoke(revoked.certificate.serial_number)
    impostor = CertificationCentre(tmp_path_factory.mktemp("impostor-auth")).issue(
        iin=APPLICANT, password=KEY_PASSWORD, purpose=AUTH
    )
    return {
        faults.WRONG_KEY_TYPE: _key(centre, SIGN),
        faults.CERTIFICATE_EXPIRED: _key(
            centre,
            AUTH,
            not_before=dt.datetime(2020, 1, 1, tzinfo=UTC),
            not_after=dt.datetime(2021, 1, 1, tzinfo=UTC),
        ),
        faults.CERTIFICATE_NOT_YET_VALID: _key(
            centre, AUTH, not_before=(now + dt.timedelta(days=30)).replace(microsecond=0)
        ),
        faults.CERTIFICATE_REVOKED: revoked,
        faults.UNTRUSTED_ISSUER: impostor,
    }


@pytest.mark.parametrize("code", list(SIGN_IN_SAYS))
def test_eds_sign_in_says_what_is_wrong_with_the_key(client, sign_in_keys, code):
    response = _eds_sign_in(client, sign_in_keys[code])
    page = unescape(response.content.decode())
    assert response.status_code == 403
    assert f'id="eds-error" data-code="{code}"' in page and SIGN_IN_SAYS[code] in page
    assert "_auth_user_id" not in client.session


def test_eds_sign_in_without_a_signature_asks_for_the_key_file(client):
    client.get("/portal/login/")
    response = client.post("/portal/login/eds/", {"signature": ""}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert "Choose your authentication key file and enter its password" in response.content.decode()


def test_eds_sign_in_says_it_in_kazakh(client, sign_in_keys):
    page = unescape(_eds_sign_in(client, sign_in_keys[faults.CERTIFICATE_REVOKED], "kk").content.decode())
    assert "кері қайтарылды" in page


def test_a_wrong_password_is_said_with_what_to_do_in_russian(client):
    applicant()
    response = client.post(
        "/portal/login/", {"username": APPLICANT, "password": PASSWORD + "x"}, HTTP_ACCEPT_LANGUAGE="ru"
    )
    assert response.status_code == 400
    page = unescape(response.content.decode())
    assert "Неверный ИИН/БИН или пароль" in page and "войдите с ЭЦП" in page
