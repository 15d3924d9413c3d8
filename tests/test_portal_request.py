"""A request from draft to filing: prefill from the state database, validation next to the fields,
uploads checked by their bytes, "check your answers", the fee, the signed request and its
submission through the regulation's portal channel (once, however often it is posted)."""

import json
from decimal import Decimal
from html import unescape

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from qyzmet.engine.fees import FeeDue
from qyzmet.engine.models import Application
from qyzmet.gateway.models import DataLookup
from qyzmet.intake import uploads
from qyzmet.intake.online import drafts
from qyzmet.intake.online.models import Draft, Submission
from qyzmet.notifications.sms import MemorySmsClient
from qyzmet.pki.ca import SIGN
from qyzmet.pki.signing import sign
from qyzmet.regulations.loader import catalogue

from . import portal_helpers
from .portal_helpers import APPLICANT, LICENCE, NOT_FOUND, OTHER, PDF, TIMEOUT, applicant

# fixtures
centre, keys, platform, provider, person, signed_in = (
    portal_helpers.centre,
    portal_helpers.keys,
    portal_helpers.platform,
    portal_helpers.provider,
    portal_helpers.person,
    portal_helpers.signed_in,
)

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _start(client, variant="issue"):
    response = client.post(f"/portal/services/{LICENCE}/apply/", {"variant": variant})
    assert response.status_code == 302
    return Draft.objects.latest("id")


# The upload field of the one document the Almaty regulation lists: clause 9 of the Standard.
DOCUMENT = "document-standard-clause-9"


def _answers(**changes):
    data = {
        "subtypes": "Stomatology\nPaediatrics",
        "address": "Almaty, Abai avenue 10",
        "phone": "+7 701 234 56 78",
        "email": "applicant@example.kz",
        DOCUMENT: SimpleUploadedFile("clause9.pdf", PDF, content_type="application/pdf"),
        "continue": "1",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _filled(client):
    draft = _start(client)
    response = client.post(f"/portal/drafts/{draft.pk}/", _answers())
    assert response.status_code == 302 and response["Location"] == f"/portal/drafts/{draft.pk}/check/"
    return draft


def _paid(client):
    draft = _filled(client)
    response = client.post(f"/portal/drafts/{draft.pk}/pay/")
    assert response["Location"] == f"/portal/drafts/{draft.pk}/sign/"
    draft.refresh_from_db()
    return draft


def _envelope(draft, key):
    return json.dumps(sign(drafts.request_of(draft), key.private_key, key.certificate))


# The form -------------------------------------------------------------------------------------


def test_the_form_is_prefilled_from_the_state_database_and_the_lookup_kept(signed_in, provider):
    draft = _start(signed_in)
    html = signed_in.get(f"/portal/drafts/{draft.pk}/", **EN).content.decode()
    draft.refresh_from_db()
    assert draft.data["applicant"]["name"] in html and draft.data["address"]
    lookup = DataLookup.objects.get(subject=APPLICANT)
    assert lookup.initiated_by == APPLICANT and LICENCE in lookup.purpose
    signed_in.get(f"/portal/drafts/{draft.pk}/")
    assert DataLookup.objects.count() == 1  # asked once per draft, not on every visit


def test_no_record_in_the_state_database_says_the_data_cannot_be_obtained(client, provider):
    client.force_login(applicant(NOT_FOUND))
    draft = _start(client)
    html = client.get(f"/portal/drafts/{draft.pk}/", **EN).content.decode()
    assert "The data cannot be obtained" in html and 'name="continue"' not in html


def test_an_unavailable_state_database_keeps_the_draft_and_asks_to_try_again(client, provider):
    client.force_login(applicant(TIMEOUT))
    draft = _start(client)
    html = client.get(f"/portal/drafts/{draft.pk}/", **EN).content.decode()
    assert "The state database is not answering" in html and "Your draft is saved" in html
    assert "The data cannot be obtained" not in html
    assert Draft.objects.filter(pk=draft.pk, state=Draft.State.EDITING).exists()


def test_missing_answers_are_explained_next_to_their_fields(signed_in, provider):
    draft = _start(signed_in)
    response = signed_in.post(
        f"/portal/drafts/{draft.pk}/",
        _answers(address="", phone="12345", **{DOCUMENT: None}),
        **EN,
    )
    html = response.content.decode()
    assert response.status_code == 400
    # the Almaty regulation's request form names the address but does not require it
    assert 'id="address-error"' not in html
    assert 'id="phone-error">Enter a Kazakhstan mobile number' in html
    assert (
        f'id="{DOCUMENT}-error">Attach “Documents listed in clause 9 of the Standard”: the regulation requires it.'
        in html
    )
    draft.refresh_from_db()
    assert draft.data["subtypes"] == ["Stomatology", "Paediatrics"]  # what was valid is kept
    assert not draft.complete


def test_uploads_are_checked_by_their_bytes_and_size(signed_in, provider, monkeypatch):
    draft = _start(signed_in)
    fake = SimpleUploadedFile("licence.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    html = signed_in.post(f"/portal/drafts/{draft.pk}/", _answers(**{DOCUMENT: fake}), **EN).content.decode()
    assert "“licence.pdf” is not a PDF, JPEG or PNG file" in html
    monkeypatch.setattr(uploads, "MAX_BYTES", 64)  # the same rule as 10 MB, without moving 10 MB
    big = SimpleUploadedFile("scan.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100, content_type="image/png")
    html = signed_in.post(f"/portal/drafts/{draft.pk}/", _answers(other_documents=big), **EN).content.decode()
    assert "a file may be at most 10 MB" in html
    assert [a.content_type for a in draft.attachments.all()] == ["application/pdf"]  # the good one was kept


def test_a_draft_is_saved_and_resumed(signed_in, provider):
    draft = _start(signed_in)
    response = signed_in.post(
        f"/portal/drafts/{draft.pk}/", {"address": "Almaty, Dostyk 5", "save": "1"}, **EN
    )
    assert response.status_code == 302
    assert "Almaty, Dostyk 5" in signed_in.get(f"/portal/drafts/{draft.pk}/").content.decode()
    assert f'href="/portal/drafts/{draft.pk}/"' in signed_in.get("/portal/cabinet/").content.decode()
    assert signed_in.get(f"/portal/drafts/{draft.pk}/check/")["Location"] == f"/portal/drafts/{draft.pk}/"


def test_another_applicants_draft_is_not_found(client, provider, signed_in):
    draft = _start(signed_in)
    client.force_login(applicant(OTHER))
    assert client.get(f"/portal/drafts/{draft.pk}/").status_code == 404


# Check your answers and pay -------------------------------------------------------------------


def test_check_your_answers_shows_the_answers_and_the_fee_with_its_source(signed_in, provider):
    draft = _filled(signed_in)
    html = signed_in.get(f"/portal/drafts/{draft.pk}/check/", **EN).content.decode()
    assert "Stomatology; Paediatrics" in html and "+77012345678" in html and "clause9.pdf" in html
    assert (
        "Documents listed in clause 9 of the Standard: clause9.pdf" in html
    )  # named as the regulation lists it
    assert "19820 tenge: 10 MCI at 1982 tenge" in html and "Tax Code of 10.12.2008, Art. 471" in html
    assert "Continue to signing" not in html  # the fee comes first
    assert (
        signed_in.get(f"/portal/drafts/{draft.pk}/sign/")["Location"] == f"/portal/drafts/{draft.pk}/check/"
    )


def test_paying_the_fee_leads_to_signing(signed_in, provider):
    draft = _paid(signed_in)
    assert draft.payment_status == "paid" and draft.payment_id
    html = signed_in.get(f"/portal/drafts/{draft.pk}/sign/", **EN).content.decode()
    assert 'id="canonical-request"' in html and 'data-sign="request"' in html


def test_the_request_to_sign_is_shown_as_a_document_in_the_applicants_language(signed_in, provider):
    """What is signed is the machine text; what the applicant reads first is the same content as
    a document, labelled as the regulation's request form labels it (issue 13, item 3)."""
    draft = _paid(signed_in)
    html = signed_in.get(f"/portal/drafts/{draft.pk}/sign/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    preview = html[html.index('id="request-preview"') :]
    preview = preview[: preview.index('<details class="machine">')]
    assert "Подвиды деятельности (приложение к лицензии)" in preview  # the regulation's own label
    assert "Stomatology" in preview and "clause9.pdf" in preview and "+77012345678" in preview
    assert "{" not in preview and "Телефон" in preview
    # the exact text signed is still there, under the document, for whoever wants to check it
    assert html.index('id="request-preview"') < html.index('<pre class="canonical">')


def test_a_declined_payment_is_shown_and_can_be_tried_again(signed_in, provider, monkeypatch):
    draft = _filled(signed_in)
    # the payment simulator declines amounts ending in 13
    monkeypatch.setattr(drafts, "fee_of", lambda d: FeeDue(Decimal(10), 501, Decimal(5013), ("test",)))
    response = signed_in.post(f"/portal/drafts/{draft.pk}/pay/", **EN)
    assert response.status_code == 402
    assert "The payment was declined by your bank. No money was taken." in response.content.decode()
    assert 'id="pay"' in response.content.decode()
    draft.refresh_from_db()
    assert draft.payment_status == "declined"


# Signing and submission -----------------------------------------------------------------------


def test_the_signed_request_is_filed_once_with_notifications(signed_in, provider, keys):
    draft = _paid(signed_in)
    envelope = _envelope(draft, keys[(APPLICANT, SIGN)])
    first = signed_in.post(f"/portal/drafts/{draft.pk}/submit/", {"envelope": envelope})
    app = Application.objects.get()
    assert first.status_code == 302 and first["Location"] == f"/portal/cabinet/applications/{app.number}/"
    assert (
        app.applicant == APPLICANT
        and app.applicant_user.username == APPLICANT
        and app.channel == "egov_portal"
    )
    assert (
        app.data["subtypes"] == ["Stomatology", "Paediatrics"]
        and app.data["documents"][0]["name"] == "clause9.pdf"
        and app.data["documents"][0]["document"] == "standard-clause-9"  # the signed request says for which
    )
    # a network retry of the same post: the same answer, no second application
    again = signed_in.post(f"/portal/drafts/{draft.pk}/submit/", {"envelope": envelope})
    assert again["Location"] == first["Location"]
    assert Application.objects.count() == 1 and Submission.objects.count() == 1
    assert [m.to for m in mail.outbox] == [["applicant@example.kz"]]
    assert [m["to"] for m in MemorySmsClient.outbox] == ["+77012345678"]


def test_the_confirmation_gives_the_number_due_date_and_expected_path(signed_in, provider, keys):
    draft = _paid(signed_in)
    signed_in.post(
        f"/portal/drafts/{draft.pk}/submit/", {"envelope": _envelope(draft, keys[(APPLICANT, SIGN)])}
    )
    app = Application.objects.get()
    html = signed_in.get(f"/portal/cabinet/applications/{app.number}/", **EN).content.decode()
    assert f'id="application-number">{app.number}<' in html
    assert app.due_at is not None and 'id="due-at">' in html
    assert "Steps of your application" in html and 'id="steps"' in html and ">plan<" in html


def test_a_request_signed_with_someone_elses_key_says_so_in_the_applicants_language(
    signed_in, provider, keys
):
    draft = _paid(signed_in)
    envelope = _envelope(draft, keys[(OTHER, SIGN)])
    egov = catalogue()[LICENCE].channel("egov_portal")
    refusal = next(s for s in egov.steps if s.id == "P7").message
    response = signed_in.post(f"/portal/drafts/{draft.pk}/submit/", {"envelope": envelope}, **EN)
    page = unescape(response.content.decode())
    assert response.status_code == 422 and 'data-code="another_persons_certificate"' in page
    assert "Sign with your own signing key" in page
    assert refusal.en not in page and "The request was refused" not in page
    russian = signed_in.post(
        f"/portal/drafts/{draft.pk}/submit/", {"envelope": envelope}, HTTP_ACCEPT_LANGUAGE="ru"
    )
    assert "Подпишите своим ключом для подписи" in unescape(russian.content.decode())
    assert not Application.objects.exists()
    draft.refresh_from_db()
    assert draft.state == Draft.State.EDITING  # the right key may still sign it


def test_a_signed_request_that_is_not_the_drafts_is_rejected(signed_in, provider, keys):
    draft = _paid(signed_in)
    key = keys[(APPLICANT, SIGN)]
    altered = dict(drafts.request_of(draft), address="somewhere else")
    envelope = json.dumps(sign(altered, key.private_key, key.certificate))
    response = signed_in.post(f"/portal/drafts/{draft.pk}/submit/", {"envelope": envelope}, **EN)
    assert response.status_code == 400 and "does not match your answers" in response.content.decode()
    assert not Application.objects.exists()


def test_an_unreachable_payment_gateway_keeps_the_request_waiting_and_the_same_post_files_later(
    signed_in, provider, keys, monkeypatch
):
    from qyzmet.gateway.clients.payments import PaymentsClient
    from qyzmet.gateway.errors import Timeout

    draft = _paid(signed_in)
    envelope = _envelope(draft, keys[(APPLICANT, SIGN)])

    def unreachable(self, payment_id, **kwargs):
        raise Timeout("no answer")

    with monkeypatch.context() as patch:
        patch.setattr(PaymentsClient, "status", unreachable)
        waiting = signed_in.post(f"/portal/drafts/{draft.pk}/submit/", {"envelope": envelope}, **EN)
    assert waiting.status_code == 202 and "Your draft is saved" in waiting.content.decode()
    assert not Application.objects.exists() and Submission.objects.get().status == "waiting"
    retried = signed_in.post(f"/portal/drafts/{draft.pk}/submit/", {"envelope": envelope})
    assert retried.status_code == 302 and Application.objects.count() == 1
    assert Submission.objects.get().status == "filed"


def test_a_legal_entity_applies_through_its_employees_eds(client, provider, centre):
    from qyzmet.gateway.testing import ordinary_bin
    from qyzmet.pki.ca import AUTH
    from qyzmet.pki.signing import sign_challenge
    from qyzmet.portal.views.signin import CHALLENGE_KEY

    # a BIN that cannot also be read as an IIN (its 7th digit is no century-and-sex code)
    bin_ = next(b for b in (ordinary_bin(seed=n) for n in range(50)) if b[6] not in "123456")
    auth, signing = (
        centre.issue(iin=OTHER, bin=bin_, purpose=purpose, password="pw") for purpose in (AUTH, SIGN)
    )
    client.get("/portal/login/")
    challenge = client.session[CHALLENGE_KEY]["text"].encode()
    signature = sign_challenge(challenge, auth.private_key, auth.certificate)
    assert client.post("/portal/login/eds/", {"signature": signature}).status_code == 302

    draft = _paid(client)
    assert client.get(f"/portal/drafts/{draft.pk}/sign/").status_code == 200
    draft.refresh_from_db()
    request = drafts.request_of(draft)
    assert request["bin"] == bin_ and request["iin"] == OTHER  # the employee signs for the entity
    assert draft.data["applicant"]["name"]  # from the legal entities database
    response = client.post(f"/portal/drafts/{draft.pk}/submit/", {"envelope": _envelope(draft, signing)})
    assert response.status_code == 302
    assert Application.objects.get().applicant == bin_
