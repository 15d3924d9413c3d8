"""The portal in a real browser: an applicant signs in, fills in the request, attaches a document,
pays, signs the request in the browser with her .p12 key file (a detached CMS made by node-forge,
as NCALayer makes it; the key stays in the page), submits, sees the confirmation and finds the
application in her cabinet; the server kept the browser's CMS, which OpenSSL verifies too.

Drives Debian's headless Chromium through Playwright against pytest-django's live server. A
missing browser or a missing built vendor file (`npm ci && npm run build`) fails the test with
the reason: a skip would let a broken portal pass unseen.
"""

import base64
import re
from pathlib import Path

import pytest
from asn1crypto import cms
from django.conf import settings
from playwright.sync_api import expect

from qyzmet.engine.models import Application
from qyzmet.intake.online.models import Submission
from qyzmet.pki.ca import AUTH, SIGN
from qyzmet.pki.cms import read_detached
from qyzmet.pki.signing import canonical
from qyzmet.pki.verify import verify_signed_request

from . import portal_helpers
from .browser import async_unsafe_allowed, chromium_page  # noqa: F401 (fixture)
from .openssl import cms_verify
from .portal_helpers import APPLICANT, KEY_PASSWORD, LICENCE, PASSWORD, PDF, applicant

# fixtures
centre, keys, platform, provider = (
    portal_helpers.centre,
    portal_helpers.keys,
    portal_helpers.platform,
    portal_helpers.provider,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FORGE = Path(settings.BASE_DIR) / "qyzmet" / "static" / "vendor" / "forge.min.js"


def test_sign_in_fill_in_sign_in_the_browser_submit_and_find_it_in_the_cabinet(
    live_server, provider, keys, centre, tmp_path
):
    applicant()
    key_file = tmp_path / "RSA256_test.p12"
    key_file.write_bytes(keys[(APPLICANT, SIGN)].p12)
    with chromium_page(15_000, require=(FORGE,), fail_on_js_errors=True) as page:
        page.goto(f"{live_server.url}/portal/login/")
        page.fill("#id_username", APPLICANT)
        page.fill("#id_password", PASSWORD)
        page.click("#password-login button[type=submit]")
        page.wait_for_url(f"{live_server.url}/portal/cabinet/")

        page.goto(f"{live_server.url}/portal/services/{LICENCE}/")
        page.click("button[name=apply][value=issue]")
        page.wait_for_url(re.compile(r"/portal/drafts/\d+/$"))
        assert page.locator("#applicant-name").inner_text().strip()  # from the state database
        page.fill("#id_subtypes", "Stomatology")
        page.fill("#id_phone", "+7 701 234 56 78")
        page.set_input_files(
            "#id_document-standard-clause-9",
            files=[{"name": "clause9.pdf", "mimeType": "application/pdf", "buffer": PDF}],
        )
        page.click("button[name=continue]")
        page.wait_for_url(re.compile(r"/check/$"))
        assert "clause9.pdf" in page.locator("#answers").inner_text()

        page.click("#pay")
        page.wait_for_url(re.compile(r"/sign/$"))
        page.set_input_files("#sign-file", str(key_file))
        page.fill("#sign-password", "wrong password")
        page.click("#sign-submit")
        expect(page.locator("#sign-form .sign-error")).to_contain_text("password is wrong")

        page.fill("#sign-password", KEY_PASSWORD)
        page.click("#sign-submit")
        page.wait_for_url(re.compile(r"/portal/cabinet/applications/QZ-"))
        number = page.locator("#application-number").inner_text().strip()
        assert page.locator("#due-at").inner_text().strip() not in ("", "—")
        assert "Steps of your application" in page.content()

        page.goto(f"{live_server.url}/portal/cabinet/")
        assert number in page.locator("#open-applications").inner_text()
    app = Application.objects.get(number=number)
    assert app.applicant == APPLICANT and app.data["signature_sha256"]
    envelope = Submission.objects.get(application=app).envelope
    der = base64.b64decode(envelope["signature"])
    signed = read_detached(der)
    assert signed.certificate == keys[(APPLICANT, SIGN)].certificate
    attributes = cms.ContentInfo.load(der)["content"]["signer_infos"][0]["signed_attrs"]
    assert {a["type"].native for a in attributes} == {"content_type", "signing_time", "message_digest"}
    assert verify_signed_request(envelope).valid
    result = cms_verify(tmp_path, centre, canonical(envelope["request"]), der)
    assert result.returncode == 0 and "Verification successful" in result.stderr, result.stderr


def test_eds_sign_in_with_the_authentication_key(live_server, keys, tmp_path):
    key_file = tmp_path / "AUTH_RSA256_test.p12"
    key_file.write_bytes(keys[(APPLICANT, AUTH)].p12)
    with chromium_page(15_000, require=(FORGE,), fail_on_js_errors=True) as page:
        page.goto(f"{live_server.url}/portal/cabinet/")
        page.wait_for_url(re.compile(r"/portal/login/\?next="))
        page.set_input_files("#eds-file", str(key_file))
        page.fill("#eds-password", KEY_PASSWORD)
        page.click("#eds-login button[type=submit]")
        page.wait_for_url(f"{live_server.url}/portal/cabinet/")
        assert APPLICANT in page.locator("nav.portal .who").inner_text()
