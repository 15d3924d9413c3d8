"""The catalogue and regulation pages, in Kazakh, Russian and English."""

import pytest
from django.utils.html import escape

from qyzmet.regulations.catalogue_sync import sync_catalogue
from qyzmet.regulations.models import Regulation

pytestmark = pytest.mark.django_db

EXAMPLE_ID = "mhsd-2015-401/specialist-certificate"


def test_catalogue_lists_every_regulation_when_asked_for_all_versions(client):
    response = client.get("/?all=1", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    for row in Regulation.objects.all():
        assert escape(row.parsed.title.en) in response.content.decode()


@pytest.mark.parametrize(
    "lang,title,heading",
    [
        ("kk", "Клиникалық практикаға жіберу үшін маман сертификатын беру", "Ішкі рәсім"),
        ("ru", "Выдача сертификата специалиста для допуска к клинической практике", "Внутренняя процедура"),
        ("en", "Issue of a specialist certificate for admission to clinical practice", "Internal procedure"),
    ],
)
def test_regulation_page_in_each_language(client, lang, title, heading):
    response = client.get(f"/regulations/{EXAMPLE_ID}/", HTTP_ACCEPT_LANGUAGE=lang)
    html = response.content.decode()
    assert response.status_code == 200
    assert title in html
    assert heading in html


def test_regulation_page_lays_out_every_step_with_norm_and_source(client):
    html = client.get(f"/regulations/{EXAMPLE_ID}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    reg = Regulation.objects.get(pk=EXAMPLE_ID).parsed
    for flow in list(reg.channels) + list(reg.procedures):
        for step in flow.steps:
            assert f'id="{flow.code}-{step.id}"' in html
    assert "2 working days" in html
    assert "171–174" in html  # the completeness check's source lines
    # each process drawn from its BPMN export (by bpmn-js), the export in the page beside its table
    flows = len(reg.channels) + len(reg.procedures)
    assert html.count('<figure class="diagram" data-bpmn="bpmn-') == flows
    assert html.count('type="application/json">"\\u003C?xml') == flows
    assert html.count('<table class="steps"') == flows


def test_bpmn_and_json_downloads(client):
    bpmn = client.get(f"/regulations/{EXAMPLE_ID}/egov_portal.bpmn")
    assert bpmn.status_code == 200 and b"<bpmn:process" in bpmn.content
    assert client.get(f"/regulations/{EXAMPLE_ID}/nowhere.bpmn").status_code == 404
    data = client.get(f"/regulations/{EXAMPLE_ID}.json").json()
    assert data["regulations"][0]["id"] == EXAMPLE_ID


def test_unknown_regulation_is_404(client):
    assert client.get("/regulations/none/nothing/").status_code == 404


def test_search_filters_the_catalogue(client):
    html = client.get("/?q=specialist&all=1", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Issue of a specialist certificate" in html


def test_version_in_force_is_found_by_service_provider_and_date():
    import datetime as dt

    reg = Regulation.objects.get(pk=EXAMPLE_ID)
    found = Regulation.objects.version_for(reg.service, reg.provider_code, dt.date(2018, 6, 1))
    assert found == reg
    assert Regulation.objects.version_for(reg.service, reg.provider_code, dt.date(2012, 1, 1)) is None
    assert Regulation.objects.version_for(reg.service, reg.provider_code, reg.in_force_until) is None


def test_loading_twice_changes_nothing():

    counts = sync_catalogue()
    assert counts["created"] == counts["updated"] == 0
    assert counts["unchanged"] == Regulation.objects.count()
