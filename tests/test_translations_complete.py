"""The project's kk, ru and en catalogues are complete: msgfmt counts no untranslated or fuzzy
entry in any of them (issue 13, item 6). English msgstr repeat their msgid: gettext then serves
the English text from the catalogue like the others, and an entry added without its English
line fails here."""

import re
import subprocess
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parent.parent / "qyzmet" / "locale"


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_catalogue_has_no_untranslated_or_fuzzy_entry(language):
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    answer = subprocess.run(
        ["msgfmt", "--check-format", "--statistics", "-o", "/dev/null", str(po)],
        capture_output=True,
        text=True,
        check=True,
    )
    counts = answer.stderr.strip().splitlines()[-1]
    assert re.fullmatch(r"\d+ translated messages\.", counts), f"{language}: {counts}"


def test_there_is_one_catalogue():
    """The project keeps one catalogue (qyzmet/locale): an app's own locale folder would be read
    after it, so its entries are either shadowed or slip past the completeness check above."""
    others = [p for p in LOCALE.parent.glob("*/locale") if p != LOCALE]
    assert not others, f"catalogues outside qyzmet/locale: {others}"


def _msgids(po: str) -> set[str]:
    """The msgids of a .po file, each joined from its quoted lines."""
    found = re.findall(r'^msgid ((?:".*"\n)+)', po + "\n", flags=re.M)
    return {"".join(re.findall(r'"(.*)"', quoted)) for quoted in found}


def test_every_language_has_the_same_entries():
    """kk, ru and en hold the same msgids, so no text is translated in one language only."""
    ids = {
        lang: _msgids((LOCALE / lang / "LC_MESSAGES" / "django.po").read_text())
        for lang in ("kk", "ru", "en")
    }
    assert ids["kk"] == ids["ru"] == ids["en"], {
        lang: sorted(ids[lang] ^ ids["kk"])[:5] for lang in ("ru", "en")
    }


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_no_translation_says_its_sentence_twice(language):
    """A merge of catalogues once glued a translation to itself ("…there first.Из …"): the page
    then printed the sentence twice."""
    po = (LOCALE / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    doubled = []
    for text in re.findall(r'^msgstr "(.+)"$', po, flags=re.M):
        half = len(text) // 2
        if len(text) >= 20 and len(text) % 2 == 0 and text[:half] == text[half:]:
            doubled.append(text[:half])
    assert not doubled, doubled[:5]
