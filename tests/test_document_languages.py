"""The documents the platform makes carry no English words outside the page walk's allow-list
(issue 13, item 6): the PDFs of the document pipeline (the licence, the receipt for accepted
documents, the reasoned refusal, the desk's refusal to accept an incomplete set, the service
centre's receipt: Kazakh and Russian on one page,
as state documents are), the service centre's receipt page, and the applicant's notices by
e-mail and SMS (in the applicant's language, kk or ru).

A PDF's words are read from the HTML the pipeline turns into it (`documents.render_html`, what
WeasyPrint lays out): the same words without the seconds that laying out and signing take.
"""

import pytest
from django.test import Client
from django.utils import translation

from qyzmet.engine.models import Application
from qyzmet.gateway.testing import ordinary_bin
from qyzmet.intake.paper import reception
from qyzmet.notifications import notify
from qyzmet.providers.models import Provider
from qyzmet.psc import services as psc
from qyzmet.registry import documents
from qyzmet.regulations.loader import catalogue
from qyzmet.regulations.models import Regulation

from . import cast
from .page_walk import APPLICANT, main_pages
from .psc_helpers import centre_pki, make_centre, platform, provider_for, working_moment  # noqa: F401
from .test_page_languages import english_words

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("platform")]

NARCOTICS = "almaty-2015-2-279/narcotics-licence"  # accepted at a service centre, sent electronically


@pytest.fixture
def html_of_pdfs(monkeypatch):
    """The pipeline renders each PDF's HTML as always; the HTML is kept instead of laid out."""
    made = []

    def render(template, context, signer, title, reason):
        html = documents.render_html(template, context, signer, title)
        made.append((template, html))
        return html.encode()

    monkeypatch.setattr(documents, "_render", render)
    return made


def _words(text: str, language: str) -> list[str]:
    return sorted(english_words(text, language))


def test_the_pipelines_documents_and_the_notices_are_in_kazakh_and_russian(html_of_pdfs, monkeypatch):
    monkeypatch.setenv("QYZMET_TODAY", "2015-10-14")
    main_pages()  # the walk's world: an issued, a refused and an open application of one applicant
    apps = {a.status: a for a in Application.objects.filter(applicant=APPLICANT)}
    names = {
        "kk": "Алматы қаласының денсаулық сақтау басқармасы",
        "ru": "Управление здравоохранения города Алматы",
    }
    Provider.objects.filter(pk=apps["issued"].provider_id).update(
        name={**names, "en": "Almaty health department"}
    )
    issued, refused, open_app = apps["issued"], apps["refused"], apps["in_progress"]
    centre, operator = make_centre("psc-docs")
    Provider.objects.filter(pk=centre.pk).update(
        name={"kk": "Алматы қаласының ХҚКО", "ru": "ЦОН города Алматы", "en": "Almaty PSC"}
    )
    centre.refresh_from_db()
    acceptance = psc.accept(
        centre=centre,
        operator=operator,
        regulation=Regulation.objects.get(pk=NARCOTICS),
        provider=provider_for(NARCOTICS),
        variant=catalogue()[NARCOTICS].variants[0].code,
        applicant=ordinary_bin(seed=41),
        documents=["standard", "inventory"],
        consent=True,
        at=working_moment(NARCOTICS),
    )
    issued_provider = Provider.objects.get(pk=issued.provider_id)
    clerk = cast.staff_for(issued_provider, "office-clerk")
    choice = reception.ServiceChoice(issued_provider, issued.regulation, "provider_office")
    refusal = reception.refuse_incomplete(  # the clerk refuses a set without the inventory
        choice,
        "issue",
        ordinary_bin(seed=42),
        "ТОО «Дәрігер»",
        ["standard-clause-9"],
        clerk,
        at=issued.filed_at,
    )
    found = {}
    for language in ("kk", "ru"):
        del html_of_pdfs[:]
        with translation.override(language):
            documents.entry_pdf(issued.register_entry)
            documents.receipt_pdf(issued)
            documents.refusal_pdf(refused)
            documents.psc_receipt_pdf(acceptance)
            documents.incomplete_set_pdf(refusal)
        assert len(html_of_pdfs) == 5
        for template, html in html_of_pdfs:
            if words := _words(html, language):
                found[f"{language} {template}"] = words

        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        client.cookies["django_language"] = language
        client.force_login(operator)
        page = client.get(f"/psc/{centre.code}/acceptances/{acceptance.number}/receipt/")
        assert page.status_code == 200
        if words := _words(page.content.decode(), language):
            found[f"{language} psc receipt page"] = words

        for app, event in ((open_app, notify.FILED), (issued, notify.CLOSED), (refused, notify.CLOSED)):
            with translation.override(language):
                subject, body = notify._text(app, event)  # the e-mail's subject and body; the SMS is the body
            if words := _words(f"<p>{subject}</p><p>{body}</p>", language):
                found[f"{language} notice {app.number} {event}"] = words
    assert not found, "\n".join(f"{where}: {' '.join(words)}" for where, words in found.items())
