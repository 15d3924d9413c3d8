"""Dates and numbers in each language's own format (issue 13, item 6): Django ships no Kazakh
formats, so kk fell back to the American "Oct. 14, 2015" and "10/14/2015"; qyzmet/formats gives
Kazakh and English theirs, Russian keeps Django's."""

import datetime as dt

import pytest
from django.utils import formats, translation

DAY = dt.date(2015, 10, 14)


@pytest.mark.parametrize(
    "language, long, short, number",
    [
        ("kk", "2015 жылғы 14 қазан", "14.10.2015", "12\xa0345,5"),
        ("ru", "14 октября 2015 г.", "14.10.2015", "12\xa0345,5"),
        ("en", "14 October 2015", "14.10.2015", "12,345.5"),
    ],
)
def test_dates_and_numbers_are_written_the_languages_way(language, long, short, number):
    with translation.override(language):
        assert formats.date_format(DAY, "DATE_FORMAT") == long
        assert formats.date_format(DAY, "SHORT_DATE_FORMAT") == short
        assert formats.number_format(12345.5, 1, use_l10n=True, force_grouping=True) == number


def test_every_kazakh_month_is_written_in_lower_case():
    with translation.override("kk"):
        months = [formats.date_format(dt.date(2015, m, 1), "DATE_FORMAT").split()[-1] for m in range(1, 13)]
    assert all(m == m.lower() for m in months), months
    assert months[0] == "қаңтар" and months[11] == "желтоқсан"
