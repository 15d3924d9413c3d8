"""A regulation's page says whom the service is for and which steps and statuses belong to one
channel only, with the seed lines, in Kazakh, Russian and English."""

import re
from html import unescape

import pytest

pytestmark = pytest.mark.django_db

NARCOTICS = "almaty-2015-2-279/narcotics-licence"  # legal entities only, seed 004 lines 2620-2621
PASSENGER = "almaty-2015-2-279/passenger-bus-transport-licence"  # S3 on the portal route only


@pytest.mark.parametrize(
    "lang,who,only",
    [
        ("kk", "Кім өтініш бере алады", "тек: заңды тұлғалар"),
        ("ru", "Кто может обратиться", "только: юридические лица"),
        ("en", "Who may apply", "only: legal entities"),
    ],
)
def test_regulation_page_shows_who_may_apply(client, lang, who, only):
    html = unescape(client.get(f"/regulations/{NARCOTICS}/", HTTP_ACCEPT_LANGUAGE=lang).content.decode())
    assert re.search(rf"<dt>{who}</dt><dd>{only} <span class=\"src\">2620–2621</span>", html)


def test_regulation_page_marks_a_step_of_one_channel(client):
    html = unescape(client.get(f"/regulations/{PASSENGER}/", HTTP_ACCEPT_LANGUAGE="en").content.decode())
    row = re.search(r'<tr id="examination-S3".*?</tr>', html, re.S).group(0)
    assert "only: Through the e-government portal" in row
    assert "7244–7250" in row
    step = re.search(r'<tr id="examination-S2".*?</tr>', html, re.S).group(0)
    assert "only: " not in step
    statuses = html[html.index("<h2>Statuses</h2>") :]
    assert "only: " in statuses.split("</ul>")[0]
