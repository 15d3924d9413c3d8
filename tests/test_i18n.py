"""Texts kept in data in kk, ru and en reach the reader in the active language, Kazakh first when one is missing."""

from django.template import Context, Template
from django.utils import translation

from qyzmet.i18n import current_language, in_language
from qyzmet.regulations.schema import Text

NAME = {"kk": "Алматы қаласы", "ru": "город Алматы", "en": "Almaty city"}


def test_a_text_is_given_in_the_active_language():
    with translation.override("ru"):
        assert in_language(NAME) == "город Алматы"
        assert in_language(Text(**NAME)) == "город Алматы"
        assert current_language() == "ru"


def test_a_language_asked_for_wins_over_the_active_one():
    with translation.override("ru"):
        assert in_language(NAME, "en") == "Almaty city"
        assert in_language(NAME, "kk-KZ") == "Алматы қаласы"


def test_a_missing_text_falls_back_to_kazakh_then_russian_then_english():
    assert in_language({"kk": "Алматы", "ru": "Алматы (ru)", "en": ""}, "en") == "Алматы"
    assert in_language({"ru": "город Алматы", "en": "Almaty city"}, "en") == "Almaty city"
    assert in_language({"ru": "город Алматы", "en": ""}, "en") == "город Алматы"
    assert in_language({"en": "Almaty city"}, "kk") == "Almaty city"


def test_nothing_to_show_is_the_empty_string():
    assert in_language(None) == ""
    assert in_language({}) == ""
    assert in_language({"kk": "", "ru": "", "en": ""}) == ""


def test_without_an_active_language_the_site_default_kazakh_is_used():
    with translation.override(None):
        assert current_language() == "kk"
        assert in_language(NAME) == "Алматы қаласы"


def test_templates_pick_the_text_with_the_tr_filter():
    template = Template('{% load regulations %}{{ name|tr }} / {{ name|tr:"kk" }} / {{ missing|tr }}.')
    with translation.override("en"):
        assert template.render(Context({"name": NAME})) == "Almaty city / Алматы қаласы / ."
