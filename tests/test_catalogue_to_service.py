"""From the catalogue to the service (issue 13, item 8).

Each catalogue card and regulation page says how the service is received and leads there: "Apply"
to the portal's page of the service, or the provider's offices with their hours, or a Population
Service Centre. By default the catalogue shows the versions in force on the platform's day (a
switch shows all); names are human, not seed file names with hashes or code slugs.
"""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest

from qyzmet.regulations.models import Regulation

from . import cast

pytestmark = pytest.mark.django_db

DAY = "2015-10-14"
LICENCE = "almaty-2015-2-279/medical-licence"  # in force on DAY, with a portal channel
REPEALED = "mhsd-2015-401/specialist-certificate"  # not yet in force on DAY
SEED_FILE = re.compile(r"\d{3}_[0-9a-f]{16}\.txt")
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def demo_day(monkeypatch):
    monkeypatch.setenv("QYZMET_TODAY", DAY)


def _card(html: str, reg_id: str) -> str:
    return next(
        row
        for row in re.findall(r"<tr class=\"regulation[^\"]*\">(.*?)</tr>", html, re.S)
        if f"/regulations/{reg_id}/" in row
    )


def test_the_catalogue_shows_the_versions_in_force_today_and_a_switch_shows_all(client):
    html = unescape(client.get("/", **EN).content.decode())
    in_force = Regulation.objects.in_force(dt.date(2015, 10, 14))
    assert in_force.exists() and in_force.count() < Regulation.objects.count()
    for row in Regulation.objects.all():
        assert (f"/regulations/{row.id}/" in html) == in_force.filter(pk=row.pk).exists(), row.id
    assert "Regulations in force on 14.10.2015." in html and 'href="?all=1"' in html
    every = unescape(client.get("/?all=1", **EN).content.decode())
    assert all(f"/regulations/{row.id}/" in every for row in Regulation.objects.all())
    assert "not in force today" in _card(every, REPEALED)


def test_a_card_leads_to_apply_on_the_portal_and_to_the_offices(client):
    unit = cast.provider_for(LICENCE, "aed-test")
    card = _card(unescape(client.get("/", **EN).content.decode()), LICENCE)
    apply = f'href="/portal/services/{LICENCE}/"'
    assert apply in card and "Apply on the portal" in card
    assert unit.display_name in card and "(09:00–18:30)" in card  # where and when to go in person
    assert "At a Population Service Centre (PSC)" in card
    assert client.get(f"/portal/services/{LICENCE}/").status_code == 200  # the link leads somewhere


def test_without_a_provider_unit_there_is_nowhere_to_apply(client):
    card = _card(unescape(client.get("/", **EN).content.decode()), LICENCE)
    assert "Apply on the portal" not in card


def test_the_regulation_page_leads_to_the_service_too(client):
    cast.provider_for(LICENCE, "aed-test")
    html = unescape(client.get(f"/regulations/{LICENCE}/", **EN).content.decode())
    how = re.search(r'id="how-to-receive">(.*?)</section>', html, re.S).group(1)
    assert f'href="/portal/services/{LICENCE}/"' in how
    repealed = unescape(client.get(f"/regulations/{REPEALED}/", **EN).content.decode())
    how = re.search(r'id="how-to-receive">(.*?)</section>', repealed, re.S).group(1)
    assert "is not in force on 14.10.2015" in how and "/portal/" not in how


@pytest.mark.parametrize("path", ["/?all=1", f"/regulations/{LICENCE}/"])
def test_names_are_human_not_seed_files_or_code_slugs(client, path):
    html = unescape(client.get(path, **EN).content.decode())
    assert not SEED_FILE.search(html)
    reg = Regulation.objects.get(pk=LICENCE).parsed
    # the service's code appears only inside addresses, never as text
    assert f">{reg.service}<" not in html and f"<code>{reg.service}</code>" not in html
    if path != "/?all=1":
        assert "Akimat of Almaty city No. 2/279 of 05.05.2015, lines 139–1555" in html


@pytest.mark.parametrize(
    "language,apply", [("kk", "Порталда өтініш беру"), ("ru", "Подать заявление на портале")]
)
def test_apply_is_said_in_the_readers_language(client, language, apply):
    cast.provider_for(LICENCE, "aed-test")
    html = unescape(client.get("/", HTTP_ACCEPT_LANGUAGE=language).content.decode())
    assert apply in _card(html, LICENCE)
