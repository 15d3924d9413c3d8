"""Texts in the platform's three languages, and the one way to pick the text a reader gets.

A user-facing text that comes from data rather than from gettext (a regulation's `Text`, a
provider's name, a refusal message kept with a submission) carries all three languages:
`{"kk": …, "ru": …, "en": …}` as a dict, or an object with `kk`/`ru`/`en` attributes.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import get_language

LANGUAGES = ("kk", "ru", "en")

# The order in which a missing text is replaced: Kazakh, the state language, first; then
# Russian, used officially on a par with it; then English.
FALLBACK = ("kk", "ru", "en")


def current_language() -> str:
    """The two-letter code of the active language (the site's default when none is active)."""
    return (get_language() or settings.LANGUAGE_CODE)[:2]


def in_language(value, language: str | None = None) -> str:
    """The text of a kk/ru/en `value` in `language` (by default the active language).

    When that language's text is missing or empty, the first non-empty one in `FALLBACK` is
    given; when there is none (or `value` is None), the empty string. A plain string is its
    own text in every language.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    wanted = (language or current_language())[:2]
    get = value.get if isinstance(value, dict) else lambda code: getattr(value, code, None)
    for code in (wanted, *FALLBACK):
        text = get(code)
        if text:
            return text
    return ""
