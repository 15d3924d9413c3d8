"""The main pages in Kazakh and in Russian carry no English words outside a short allow-list
(names of systems and formats, the language switcher's "English"): what a kk or ru reader sees
is in their language. Nothing is skipped for being marked as another language: a legal citation
is cited in the reader's language (regulations/citations.yaml).

Every main page is walked, the office's task page (the officer's case file) included.
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
    "e-mail", "email", "english", "ctrl", "javascript",
}  # fmt: skip
WORD = re.compile(r"[A-Za-z][A-Za-z'-]{2,}")


class _Text(HTMLParser):
    """The text a reader sees: element text and the attributes read aloud, not scripts or styles."""

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
        elif tag in self.SKIP:
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


# Dates the American way ("10/14/2015", "Қаз. 14, 2015"): Django's fallback where a language has no
# formats of its own, as Kazakh had (qyzmet/formats).
US_DATE = re.compile(r"\b\d{1,2}/\d{1,2}/\d{4}\b|\w+\.? \d{1,2}, \d{4}")


def us_dates(html: str, language: str) -> list[str]:
    parser = _Text(language)
    parser.feed(html)
    return US_DATE.findall(" ".join(parser.parts))


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_every_main_page_is_in_the_readers_language(language, monkeypatch):
    monkeypatch.setenv("QYZMET_TODAY", "2015-10-14")
    found = {}
    for user, urls in main_pages().items():
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        client.cookies["django_language"] = language
        if user is not None:
            client.force_login(user)
        for url in urls:
            answer = client.get(url, follow=True)
            assert answer.status_code == 200, url
            html = answer.content.decode()
            words = english_words(html, language) | set(us_dates(html, language))
            if words:
                found[url] = sorted(words)
    assert not found, "\n".join(f"{url}: {' '.join(words)}" for url, words in found.items())


def test_every_regulation_page_is_in_the_readers_language(monkeypatch):
    """Not only the walk's regulation: every regulation of the catalogue, in force or not, each
    in Kazakh or in Russian by turns (one page each keeps the test short; the walk reads the
    Almaty licence in both). Step ids are identifiers, shown as code."""
    from qyzmet.regulations.loader import catalogue

    monkeypatch.setenv("QYZMET_TODAY", "2015-10-14")
    found = {}
    for i, reg_id in enumerate(sorted(catalogue())):
        language = ("kk", "ru")[i % 2]
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        client.cookies["django_language"] = language
        answer = client.get(f"/regulations/{reg_id}/")
        assert answer.status_code == 200, reg_id
        html = answer.content.decode()
        if words := english_words(html, language) | set(us_dates(html, language)):
            found[f"{language} {reg_id}"] = sorted(words)
    assert not found, "\n".join(f"{where}: {' '.join(words)}" for where, words in found.items())
