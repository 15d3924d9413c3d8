"""Legal citations in the reader's language.

A regulation's `Source.law` is written once, in English, as the team read the law; the Kazakh and
Russian citations are kept beside the catalogue in `citations.yaml`, one entry per citation, so
that a kk or ru page cites the law in its own language. The validator fails on a citation that
has no entry, so a new one cannot reach a page untranslated.
"""

from __future__ import annotations

import functools
from pathlib import Path

import yaml
from django.utils.formats import date_format
from django.utils.translation import gettext as _

CITATIONS_FILE = Path(__file__).with_name("citations.yaml")


@functools.lru_cache(maxsize=1)
def citations() -> dict[str, dict[str, str]]:
    """Each English citation with its kk/ru/en texts."""
    entries = yaml.safe_load(CITATIONS_FILE.read_text(encoding="utf-8")) or []
    return {e["en"]: {"kk": e["kk"], "ru": e["ru"], "en": e["en"]} for e in entries}


def citation(law: str | None) -> dict[str, str] | None:
    """The kk/ru/en texts of a `Source.law` citation (None for none; an unknown one stays as written)."""
    if not law:
        return None
    return citations().get(law, {"kk": law, "ru": law, "en": law})


def missing(laws) -> list[str]:
    """The citations among `laws` that have no kk/ru entry."""
    known = citations()
    return sorted({law for law in laws if law and law not in known})


STANDARD_KINDS = {
    "government_decree": lambda: _("Government Decree"),
    "ministerial_order": lambda: _("Order of the Minister"),
}


def standard_act(standard) -> str:
    """A service standard named by its kind, number and date in the active language, e.g.
    "Government Decree No. 141 of 24.02.2014"."""
    return _("%(kind)s No. %(number)s of %(date)s") % {
        "kind": STANDARD_KINDS[standard.kind](),
        "number": standard.number,
        "date": date_format(standard.date, "SHORT_DATE_FORMAT"),
    }
