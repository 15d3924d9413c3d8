"""The head signs the result with her own EDS, and the officer's case file (issue 13, items 1 and 3).

On a step the regulation has the head sign (`signs: true`), the task page shows the decision as a
document and its exact machine text; the browser signs that text (tested in
test_office_head_signs_result_in_browser.py), and the server keeps the signature only when the
one verifier accepts it and it is the certificate of that head: another person's key, an expired
one or an authentication key change nothing and say what to do. The result document issued
afterwards keeps the signature. The case file shows the request as a form, each uploaded document
in the browser (staff of the application's provider only), look-ups as cards and a timeline.
"""

from __future__ import annotations

import json
import subprocess

import pytest
from django.utils import translation

from qyzmet.engine.models import Status
from qyzmet.office.testing import make_cast
from qyzmet.pki import faults
from qyzmet.pki.signing import canonical, sign
from qyzmet.registry import decisions, documents
from qyzmet.registry.models import OfficialSignature

from .casefile_helpers import PDF, head_keys, record_head, to_signing_step, with_pdf

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def cast():
    cast = make_cast()
    record_head(cast)
    return cast


@pytest.fixture
def keys(cast, centre):
    return head_keys(centre, cast.provider_a)


@pytest.fixture
def signing(cast):
    """An application with an uploaded PDF, waiting for the head's signature (S5): (app, run)."""
    app = cast.file()
    with_pdf(app)
    return app, to_signing_step(cast, app)


def _post_signed(client, user, app, run, key, outcome="done", request=None):
    request = request or decisions.machine_form(run, outcome)
    client.force_login(user)
    envelope = sign(request, key.private_key, key.certificate)
    return client.post(
        f"/office/applications/{app.number}/sign/",
        {"run": run.pk, "outcome": outcome, "envelope": json.dumps(envelope)},
        **EN,
    )


def test_the_signing_step_shows_what_is_signed_as_a_document_and_has_no_plain_button(client, cast, signing):
    app, run = signing
    client.force_login(cast.head)
    html = client.get(f"/office/applications/{app.number}/", **EN).content.decode()
    card = html[html.index(f'id="sign-{run.pk}-done"') :]
    preview = card[: card.index("</article>")]
    assert "Decision to issue the result" in preview  # the act, in words
    assert "Certificate of a specialist" in preview or "certificate" in preview.lower()
    assert "diploma.pdf" in preview and app.number in preview
    assert "{'" not in preview.split('<details class="machine">')[0]  # rows, not Python values
    assert 'data-sign="request"' in card and 'class="signed-text"' in card
    assert f'action="/office/applications/{app.number}/complete/"' not in card.split("</form>")[0]
    # the exact bytes the key signs are in the page, as JSON text
    assert json.dumps(decisions.signed_text(run, "done"))[1:20] in card
    # completing the step without a signature is refused
    response = client.post(
        f"/office/applications/{app.number}/complete/", {"run": run.pk, "outcome": "done"}, **EN
    )
    assert response.status_code == 400 and "signing the document with your EDS" in response.content.decode()
    run.refresh_from_db()
    assert run.is_open


def test_a_result_signed_by_the_head_is_verified_kept_and_goes_with_the_document(client, cast, signing, keys):
    app, run = signing
    response = _post_signed(client, cast.head, app, run, keys["own"])
    assert response.status_code == 302, response.content.decode()[:2000]
    app.refresh_from_db()
    assert app.status == Status.ISSUED
    kept = OfficialSignature.objects.get(step_run=run)
    assert bytes(kept.content) == canonical(decisions.machine_form(run, "done"))
    assert kept.certificate_serial == keys["own"].serial and kept.signer_iin == cast.head.officer.iin
    issued = documents.issue_for_application(app)
    result = next(d for d in issued if d.kind == "result")
    assert result.official_signature == kept
    # the document says who signed the decision, beside the provider's own signature
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=documents.read(result), capture_output=True, check=True
    ).stdout.decode()
    assert "Решение подписал ЭЦП" in text and keys["own"].serial in text and "HEAD OF PROVIDER A" in text
    html = client.get(f"/office/applications/{app.number}/", **EN).content.decode()
    assert "Signed with EDS by HEAD OF PROVIDER A" in html and keys["own"].serial in html


@pytest.mark.parametrize(
    "key, code, says",
    [
        ("other", faults.ANOTHER_PERSONS_CERTIFICATE, "This key is not yours"),
        ("expired", faults.CERTIFICATE_EXPIRED, "has expired. Nothing was signed or issued"),
        ("auth", faults.WRONG_KEY_TYPE, "choose the key file whose name starts with RSA256"),
    ],
)
def test_a_signature_that_is_not_the_heads_own_valid_one_changes_nothing_and_says_what_to_do(
    client, cast, signing, keys, key, code, says
):
    app, run = signing
    response = _post_signed(client, cast.head, app, run, keys[key])
    html = response.content.decode()
    assert response.status_code == 422
    assert f'data-code="{code}"' in html and says in html
    assert "refused" not in html[html.index('id="signature-fault"') :][:600].lower()
    run.refresh_from_db()
    assert run.is_open and not OfficialSignature.objects.exists()


def test_a_signature_over_other_text_than_the_decision_shown_is_not_accepted(client, cast, signing, keys):
    app, run = signing
    altered = {**decisions.machine_form(run, "done"), "applicant_name": "SOMEONE ELSE"}
    response = _post_signed(client, cast.head, app, run, keys["own"], request=altered)
    assert (
        response.status_code == 422
        and f'data-code="{faults.SIGNATURE_MISMATCH}"' in response.content.decode()
    )
    run.refresh_from_db()
    assert run.is_open


def test_the_official_faults_say_what_to_do_in_kazakh_russian_and_english():
    for code in faults.CODES:
        texts = set()
        for language in ("kk", "ru", "en"):
            with translation.override(language):
                texts.add(str(faults.official_fault(code).message))
        assert len(texts) == 3, texts


# The case file ---------------------------------------------------------------------------------


def test_the_uploaded_pdf_is_shown_to_the_providers_staff_and_to_no_one_else(client, cast):
    app = cast.file()
    uploaded = with_pdf(app)
    url = f"/office/applications/{app.number}/attachments/{uploaded.pk}/"
    client.force_login(cast.executor)
    response = client.get(url)
    assert response.status_code == 200 and response.content == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    html = client.get(f"/office/applications/{app.number}/", **EN).content.decode()
    assert f'<iframe src="{url}"' in html
    client.force_login(cast.clerk_b)  # staff of provider B
    assert client.get(url).status_code == 404
    other = cast.file(provider=cast.provider_b)
    assert client.get(f"/office/applications/{other.number}/attachments/{uploaded.pk}/").status_code == 404


def test_the_case_file_reads_as_a_form_and_a_timeline_in_the_officers_language(client, cast, signing):
    app, _run = signing
    client.force_login(cast.executor)
    html = client.get(f"/office/applications/{app.number}/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    request = html[html.index('id="request-form"') :]
    request = request[: request.index("</section>")]
    assert "portal_draft" not in request and "{'" not in request
    assert "Телефон" in request and "+7 701 000 00 00" in request
    history = html[html.index('<section class="history">') :]
    assert "{'" not in history and "started:" not in history
    assert "Шаг: S1" in history  # each entry says what happened, in Russian


def test_look_ups_in_the_state_databases_are_shown_as_evidence_cards(client, cast):
    from qyzmet.gateway.models import DataLookup

    app = cast.file()
    DataLookup.objects.create(
        application_number=app.number,
        subject=app.applicant,
        system="individuals",
        purpose="check of the applicant",
        initiated_by="a.executor",
        answer={"surname": "ОМАРОВА", "first_name": "ГҮЛНАР", "birth_date": "1987-04-12", "raw": {"x": 1}},
        correlation_id="c-1",
    )
    other = cast.file(provider=cast.provider_b)  # another provider's look-up is not shown here
    DataLookup.objects.create(
        application_number=other.number,
        subject=other.applicant,
        system="individuals",
        purpose="check",
        initiated_by="b.clerk",
        answer={"surname": "ЧУЖОЙ"},
        correlation_id="c-2",
    )
    client.force_login(cast.executor)
    html = client.get(f"/office/applications/{app.number}/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    cards = html[html.index('id="evidence"') :]
    cards = cards[: cards.index("</section>")]
    assert "Фамилия" in cards and "ОМАРОВА" in cards and "1987-04-12" in cards
    assert "ЧУЖОЙ" not in cards and "raw" not in cards


def test_the_menu_offers_the_reception_desk_to_clerks_only(client, cast):
    client.force_login(cast.head)
    assert 'href="/office/reception/"' not in client.get("/office/", **EN).content.decode()
    client.force_login(cast.clerk)
    assert 'href="/office/reception/"' in client.get("/office/", **EN).content.decode()
