"""The figures in the back office (own providers; a supervisor's supervised ones, with drift flags)
and as open data for anyone (a page, CSV and JSON), against figures computed by hand."""

import csv
import io
import json

import pytest

from qyzmet.office.testing import make_cast, provider_for, staff
from qyzmet.providers.models import SUPERVISOR

from .analytics_helpers import application, day, run

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    cast = make_cast()
    a, b = cast.provider_a, cast.provider_b
    ministry = provider_for("mhsd-2015-401/specialist-certificate", "ministry")
    ministry.supervises.add(b)
    supervisor = staff(ministry, "m.supervisor", SUPERVISOR)
    in_term = application(a, status="issued", due=day(3, 20), closed=day(3, 15))
    run(in_term, by=cast.executor, minutes=120, kept=True)
    application(a, status="deemed_issued", channel="psc", due=day(3, 20), closed=day(3, 20))
    for n in range(4):
        app = application(
            b,
            status="refused" if n < 3 else "issued",
            due=day(3, 20),
            closed=day(3, 19),
            grounds=["documents-incomplete"] if n < 3 else [],
        )
        run(app, by=cast.clerk_b, minutes=30 * (n + 1), kept=n < 2)
    return cast, supervisor


def _get(client, user, url, HTTP_ACCEPT_LANGUAGE="en", **params):  # noqa: N803 (the header's name)
    client.force_login(user)
    return client.get(url, params, HTTP_ACCEPT_LANGUAGE=HTTP_ACCEPT_LANGUAGE)


def test_staff_see_their_own_providers_figures_and_no_drift(client, world):
    cast, _supervisor = world
    response = _get(client, cast.clerk, "/office/figures/")
    (row,) = response.context["by_provider"]
    assert row.key == {"provider": "health-a"} and row.in_term_share == 0.5 and row.deemed_issued == 1
    assert "drift" not in response.context and "Refusal drift" not in response.content.decode()
    assert [o.key["officer"] for o in response.context["officers"]] == ["a.executor"]


def test_a_supervisor_sees_the_providers_it_supervises_and_their_refusal_drift(client, world):
    _cast, supervisor = world
    response = _get(client, supervisor, "/office/figures/")
    assert [r.key["provider"] for r in response.context["by_provider"]] == ["health-b"]
    b = response.context["by_provider"][0]
    assert (b.applications, b.refused, b.in_term, b.steps_kept) == (4, 3, 4, 2)
    assert b.p90_minutes == pytest.approx(111)  # 90, 120: rank 2.7 -> 90 + 0.7 * 30
    rows = response.context["drift"]
    assert {(d.unit, d.who) for d in rows} == {("provider", "health-b"), ("officer", "b.clerk")}
    any_ground = next(d for d in rows if d.unit == "provider" and d.ground == "")
    assert (any_ground.count, any_ground.decided, any_ground.rest_count, any_ground.rest_decided) == (
        3,
        4,
        0,
        1,
    )
    kazakh = _get(client, supervisor, "/office/figures/", HTTP_ACCEPT_LANGUAGE="kk").content.decode()
    assert "Бас тартулардағы ауытқу" in kazakh and "q-мәні 5% аспайтын жол белгіленеді" in kazakh
    html = response.content.decode()
    assert "Refusal drift" in html and "vendor/echarts.min.js" in html and 'data-table="by-month"' in html


def test_a_supervisor_cannot_ask_for_a_provider_it_does_not_supervise(client, world):
    _cast, supervisor = world
    assert _get(client, supervisor, "/office/figures/", provider="health-a").status_code == 404
    assert _get(client, supervisor, "/office/figures/", provider="health-b").status_code == 200


def test_open_data_page_shows_every_provider_without_signing_in(client, world):
    response = client.get("/portal/open-data/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert [r.key["provider"] for r in response.context["providers"]] == ["health-a", "health-b"]
    (service,) = response.context["services"]
    assert service.applications == 6 and service.in_term == 5 and service.with_term == 6
    assert "a.executor" not in response.content.decode()  # no officer in open data
    kazakh = client.get("/portal/open-data/", HTTP_ACCEPT_LANGUAGE="kk").content.decode()
    assert "Ашық деректер: қызметтер мерзімдерін қалай сақтайды" in kazakh and "Мерзімінде шешілді" in kazakh


def test_open_data_csv_has_one_row_per_provider_of_each_service(client, world):
    response = client.get("/portal/open-data/figures.csv", {"level": "provider"}, HTTP_ACCEPT_LANGUAGE="ru")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["provider"] for r in rows] == ["health-a", "health-b"]
    a, b = rows
    assert (a["applications"], a["in_term"], a["with_term"], a["in_term_share"]) == ("2", "1", "2", "0.5")
    assert (a["psc"], a["psc_share"], a["satisfied_share"]) == ("1", "0.5", "")  # nobody answered: empty
    assert (b["refused"], b["refused_share"], b["steps_kept_share"]) == ("3", "0.75", "0.5")
    assert a["service_title"] == "Выдача сертификата специалиста для допуска к клинической практике"


def test_open_data_json_per_service_and_its_period(client, world):
    application(world[0].provider_a, filed=day(5, 7))  # filed in May
    data = json.loads(client.get("/portal/open-data/figures.json", {"level": "service"}).content)
    assert data["level"] == "service" and data["columns"][0] == "service"
    (row,) = data["rows"]
    assert row["applications"] == 7 and row["open"] == 1 and row["in_term_share"] == pytest.approx(5 / 6)
    assert set(row["service_title"]) == {"kk", "ru", "en"}
    march = json.loads(
        client.get("/portal/open-data/figures.json", {"level": "service", "until": "2018-03"}).content
    )
    assert march["rows"][0]["applications"] == 6 and march["period"]["until"] == "2018-03"
    assert client.get("/portal/open-data/figures.json", {"since": "March"}).status_code == 400
