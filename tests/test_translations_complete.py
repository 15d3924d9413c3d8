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
