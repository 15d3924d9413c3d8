"""The head in a real browser: opens the case file, views the PDF the applicant uploaded, reads
the result as a document, and signs it with her key file in the page (issue 13, items 1 and 3).

The signature is made by the portal's own sign.js (node-forge, a detached CMS as NCALayer makes
it; the key never leaves the page) over the exact machine text shown under the document; another
person's key is turned away with what to do, her own is verified and kept with the result issued.
Drives Debian's headless Chromium through Playwright against pytest-django's live server.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from qyzmet.engine.models import Status
from qyzmet.office.testing import PASSWORD, make_cast
from qyzmet.pki.verify import verify_signed_by
from qyzmet.registry.keys import provider_bin
from qyzmet.registry.models import IssuedDocument, OfficialSignature

from .browser import async_unsafe_allowed, chromium_page  # noqa: F401 (fixture)
from .casefile_helpers import HEAD_IIN, KEY_PASSWORD, PDF, head_keys, record_head, to_signing_step, with_pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FORGE = Path(settings.BASE_DIR) / "qyzmet" / "static" / "vendor" / "forge.min.js"


def _sign(page, key_file):
    form = page.locator("form.sign")
    form.locator("input[type=file]").set_input_files(str(key_file))
    form.locator("input[type=password]").fill(KEY_PASSWORD)
    form.locator("button[type=submit]").click()


def test_the_head_views_the_uploaded_pdf_reads_what_is_signed_and_signs_with_her_key_file(
    live_server, centre, tmp_path
):
    cast = make_cast()
    record_head(cast)
    cast.head.set_password(PASSWORD)
    cast.head.save()
    keys = head_keys(centre, cast.provider_a)
    app = cast.file()
    uploaded = with_pdf(app)
    run = to_signing_step(cast, app)
    own, other = tmp_path / "RSA256_head.p12", tmp_path / "RSA256_other.p12"
    own.write_bytes(keys["own"].p12)
    other.write_bytes(keys["other"].p12)
    task = f"{live_server.url}/office/applications/{app.number}/"

    with chromium_page(20_000, require=(FORGE,), fail_on_js_errors=True) as page:
        page.goto(task)
        page.wait_for_url(re.compile(r"/accounts/login/\?next="))
        page.fill("#id_username", "a.head")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit].primary")
        page.wait_for_url(task)

        # the uploaded PDF, shown in the page's own viewer and served as a PDF
        item = page.locator(f"#attachment-{uploaded.pk}")
        item.locator("summary").click()
        frame = item.locator("iframe")
        expect(frame).to_be_visible()
        served = page.request.get(live_server.url + frame.get_attribute("src"))
        assert served.status == 200 and served.headers["content-type"] == "application/pdf"
        assert served.body() == PDF

        # what is signed, as a document, and its exact text under it
        preview = page.locator("#decision-preview")
        expect(preview).to_contain_text("Decision to issue the result")
        expect(preview).to_contain_text(app.number)
        expect(preview).to_contain_text("diploma.pdf")

        _sign(page, other)  # a colleague's key: nothing is signed, and the page says what to do
        expect(page.locator("#signature-fault")).to_contain_text("This key is not yours")
        assert Application_is_open(app)

        _sign(page, own)
        expect(page.locator("ul.flash")).to_contain_text("Signed with your EDS: step S5 completed.")
        expect(page.locator("section.documents")).to_contain_text("Signed with EDS by HEAD OF PROVIDER A")

    app.refresh_from_db()
    assert app.status == Status.ISSUED
    kept = OfficialSignature.objects.get(step_run=run)
    assert kept.signer_iin == HEAD_IIN and kept.certificate_serial == keys["own"].serial
    # the browser's CMS stands again before the one verifier, over the bytes kept
    again = verify_signed_by(bytes(kept.content), bytes(kept.signature), HEAD_IIN, provider_bin(app.provider))
    assert again.valid, again.detail
    assert IssuedDocument.objects.get(application=app, kind="result").official_signature == kept


def Application_is_open(app) -> bool:  # noqa: N802 - reads as the assertion it makes
    app.refresh_from_db()
    return app.status == Status.IN_PROGRESS
