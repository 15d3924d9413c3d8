"""The main pages in Kazakh and in Russian carry no English words outside a short allow-list
(names of systems and formats, the language switcher's "English"): what a kk or ru reader sees
is in their language.

Not yet walked, because they still show English (issue 13, item 6): the regulation page and the
portal's catalogue and service pages (legal and fee citations are one English string each,
`Source.law`, and the team's readings of the seeds are English notes). Each joins the walk once
it is clean (`NOT_YET_CLEAN`); the office's task page (the officer's case file) has.
"""

import re
from html.parser import HTMLParser

import pytest
from django.test import Client

from .page_walk import main_pages

pytestmark = pytest.mark.django_db

# Latin-script words a kk or ru page may carry: names of systems, formats and standards, units.
ALLOWED = {
    "qyzmet", "pdf", "json", "csv", "xes", "ocel", "bpmn", "api", "openapi", "eds", "iin", "bin",
    "sha", "qr", "sms", "psc", "egov", "kz", "gov", "elicense", "http", "https", "www", "html",
    "cms", "pkcs", "rsa", "nca", "ncalayer", "ocsp", "crl", "python", "uuid", "utc",
    "e-mail", "email", "english",
}  # fmt: skip
WORD = re.compile(r"[A-Za-z][A-Za-z'-]{2,}")


class _Text(HTMLParser):
    """The text a reader sees: element text and the attributes read aloud, not scripts or styles,
    and not an element marked as another language (WCAG 3.1.2, language of parts): so far only
    legal citations are, which are one English string each (`Source.law`)."""

    SKIP = {"script", "style", "code", "kbd", "samp", "pre"}
    VOID = {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }

    def __init__(self, language: str):
        super().__init__()
        self.language = language
        self.parts, self._depth = [], 0  # depth inside a skipped element

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            if not self._depth:
                self._attributes(attrs)
            return
        if self._depth:
            self._depth += 1
        elif tag in self.SKIP or dict(attrs).get("lang", self.language) != self.language:
            self._depth = 1
        else:
            self._attributes(attrs)

    def _attributes(self, attrs):
        for name, value in attrs:
            if name in ("title", "aria-label", "placeholder", "alt") and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if self._depth and tag not in self.VOID:
            self._depth -= 1

    def handle_data(self, data):
        if not self._depth:
            self.parts.append(data)


def english_words(html: str, language: str) -> set[str]:
    parser = _Text(language)
    parser.feed(html)
    text = " ".join(parser.parts)
    # codes and identifiers: anything with a digit, an underscore or a slash next to it
    text = re.sub(r"\S*[\d_/.@:]\S*", " ", text)
    return {w for w in WORD.findall(text) if w.lower() not in ALLOWED}


# Pages that still show English (see the module's docstring): left out of the walk until clean.
NOT_YET_CLEAN = re.compile(r"^/(regulations/|portal/$|portal/services/)")


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_every_main_page_is_in_the_readers_language(language, monkeypatch):
    monkeypatch.setenv("QYZMET_TODAY", "2015-10-14")
    found = {}
    for user, urls in main_pages().items():
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        client.cookies["django_language"] = language
        if user is not None:
            client.force_login(user)
        for url in (u for u in urls if not NOT_YET_CLEAN.match(u)):
            answer = client.get(url, follow=True)
            assert answer.status_code == 200, url
            words = english_words(answer.content.decode(), language)
            if words:
                found[url] = sorted(words)
    assert not found, "\n".join(f"{url}: {' '.join(words)}" for url, words in found.items())
