"""Kazakhstan's calendar 2013-2027 against the published figures, the decrees and the Labour Code.

The figures are in tests/data/production_calendar_kz.yaml with their sources; the transfers and
corrections in qyzmet/calendar/transfers.yaml with their decrees.
"""

import calendar as gregorian
import datetime as dt
from pathlib import Path

import pytest
import yaml
from holidays.countries.kazakhstan import KazakhstanStaticHolidays

from qyzmet.calendar.workcal import ALMATY, WorkCalendar, WorkingHours, load_calendar_data, parse_moment
from qyzmet.engine import paths
from qyzmet.regulations.loader import CATALOGUE_DIR, load_file

FIGURES = yaml.safe_load(
    (Path(__file__).parent / "data" / "production_calendar_kz.yaml").read_text(encoding="utf-8")
)
YEARS = range(2013, 2028)
cal = WorkCalendar()


def published_working_days(year: int) -> dict[str, int]:
    """{"2024-06" or "2024": working days} from every source quoted for the year; sources must agree."""
    wanted = {}

    def put(key, n, source):
        assert wanted.setdefault(key, n) == n, (
            f"{key}: {source['url']} gives {n}, another source {wanted[key]}"
        )

    for source in FIGURES[year].get("sources", ()):
        for month, n in (source.get("working_days") or {}).items():
            put(f"{year}-{month:02}", n, source)
        for month, n in (source.get("days_off") or {}).items():
            put(f"{year}-{month:02}", gregorian.monthrange(year, month)[1] - n, source)
        if "year_working_days" in source:
            put(str(year), source["year_working_days"], source)
        if "year_days_off" in source:
            put(str(year), (366 if gregorian.isleap(year) else 365) - source["year_days_off"], source)
    return wanted


@pytest.mark.parametrize("year", YEARS)
def test_working_days_of_each_month_match_the_published_calendar(year):
    assert year in FIGURES, f"{year} is missing from production_calendar_kz.yaml"
    wanted = published_working_days(year)
    if not wanted:
        pytest.skip(f"{year}: {FIGURES[year]['none']}")
    counted = {}
    for key in wanted:
        if "-" in key:
            counted[key] = cal.working_days_in(year, int(key[5:]))
        else:
            counted[key] = sum(cal.working_days_in(year, m) for m in range(1, 13))
    assert counted == wanted


@pytest.mark.parametrize("year", YEARS)
def test_each_month_has_a_cited_figure_or_says_why_not(year):
    cited = {int(key[5:]) for key in published_working_days(year) if "-" in key}
    if not cited:
        assert FIGURES[year]["none"]
        return
    uncited = FIGURES[year].get("uncited", {"months": []})
    assert not cited & set(uncited["months"]), f"{year}: months both cited and listed as uncited"
    assert cited | set(uncited["months"]) == set(range(1, 13)), (
        f"{year}: months neither cited nor listed as uncited"
    )
    assert not uncited["months"] or uncited["why"]


def _package_transfers():
    pairs = set()
    for year, entries in KazakhstanStaticHolidays.special_public_holidays.items():
        if year < 2013:
            continue
        for entry in entries if isinstance(entries[0], tuple) else (entries,):
            month, day, from_month, from_day, *from_year = entry
            pairs.add(
                (
                    dt.date(year, month, day),
                    dt.date(from_year[0] if from_year else year, from_month, from_day),
                )
            )
    return pairs


def test_transfers_are_the_ones_the_holidays_package_knows():
    ours = {(t["day_off"], t["working_day"]) for t in load_calendar_data().transfers}
    assert ours == _package_transfers()


def test_every_transfer_names_its_government_decree():
    for t in load_calendar_data().transfers:
        decree = t["decree"]
        assert isinstance(decree["number"], int) and decree["year"] <= t["day_off"].year
        assert decree["adilet"].endswith(str(decree["number"]))
        assert decree["adilet"][1:3] == str(decree["year"])[2:]  # P1300001068, G24G0000109


def test_every_year_has_its_transfers_or_says_none_is_known():
    data = load_calendar_data()
    with_transfers = {t["day_off"].year for t in data.transfers}
    assert set(YEARS) <= with_transfers | set(data.no_transfer_known)
    assert not with_transfers & set(data.no_transfer_known)


def test_the_weekend_day_of_each_transfer_is_worked_and_its_day_off_is_not():
    for t in load_calendar_data().transfers:
        assert cal.is_working_day(t["working_day"]), t
        assert not cal.is_working_day(t["day_off"]), t


def test_saturday_12_october_2013_was_worked_for_monday_14_before_kurban_ait():
    assert cal.is_working_day(dt.date(2013, 10, 12))
    assert not cal.is_working_day(dt.date(2013, 10, 14)) and not cal.is_working_day(dt.date(2013, 10, 15))
    assert cal.next_working_day(dt.date(2013, 10, 11)) == dt.date(2013, 10, 12)


def test_kurban_ait_and_christmas_on_a_weekend_give_no_other_day_off():
    # Labour Code 2007 Art. 96 p.4 / 2015 Art. 84: days off, not holidays of the Law on holidays Art. 5.
    assert cal.is_working_day(dt.date(2014, 10, 6))  # Kurban ait Saturday 4 October 2014
    assert cal.is_working_day(dt.date(2022, 7, 11))  # Kurban ait Saturday 9 July 2022
    assert cal.is_working_day(dt.date(2017, 1, 9))  # Christmas Saturday 7 January 2017
    assert not cal.is_working_day(dt.date(2017, 9, 1))  # Kurban ait on a Friday is a day off


def test_kurban_ait_2024_was_monday_17_june():
    assert not cal.is_working_day(dt.date(2024, 6, 17))
    assert cal.holiday_name(dt.date(2024, 6, 17)) == "Kurban ait"
    assert cal.holiday_name(dt.date(2024, 6, 16)) is None


def test_constitution_day_is_not_kept_in_2026_and_is_15_march_from_2027():
    assert cal.is_working_day(dt.date(2026, 8, 31))
    assert not cal.is_working_day(dt.date(2027, 3, 15))


def test_a_six_day_week_keeps_its_days_when_the_five_day_week_moves_them():
    six = WorkCalendar(WorkingHours(weekdays=frozenset(range(6))))
    assert six.is_working_day(dt.date(2013, 10, 14))  # Monday: moved off for the 5-day week only
    assert six.is_working_day(dt.date(2013, 10, 12))
    assert not six.is_working_day(dt.date(2013, 10, 15))  # Kurban ait itself
    assert not six.is_working_day(dt.date(2024, 6, 17))


def test_engine_term_of_five_working_days_counts_saturday_12_october_2013():
    reg = load_file(CATALOGUE_DIR / "mh-2013-164" / "medicines-import-export-approval.yaml")
    filed = parse_moment("2013-10-10T10:00")
    # 11 Oct (Fri), 12 Oct (Sat, worked), 16, 17, 18 Oct: 14 Oct moved off, 15 Oct Kurban ait.
    due = paths.application_term_due(reg, "approval", filed, WorkCalendar())
    assert due == dt.datetime(2013, 10, 18, 18, 30, tzinfo=ALMATY)
