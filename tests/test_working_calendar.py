"""Working days and hours on Kazakhstan's calendar, counted as the Civil Code counts terms."""

import datetime as dt

from qyzmet.calendar.workcal import ALMATY, WorkCalendar, WorkingHours, parse_moment
from qyzmet.cli import main

cal = WorkCalendar()


def at(text):
    return parse_moment(text)


def test_nauryz_2015_is_not_worked():
    for day in range(21, 26):
        assert not cal.is_working_day(dt.date(2015, 3, day))
    assert cal.is_working_day(dt.date(2015, 3, 26))


def test_government_transfer_makes_a_saturday_a_working_day():
    assert cal.is_working_day(dt.date(2013, 5, 4))  # worked instead of Friday 10 May
    assert not cal.is_working_day(dt.date(2013, 5, 10))
    assert cal.is_working_day(dt.date(2016, 3, 5)) and not cal.is_working_day(dt.date(2016, 3, 7))


def test_holiday_on_a_weekend_moves_to_the_next_working_day():
    assert not cal.is_working_day(dt.date(2015, 8, 31))  # 30 August 2015 was a Sunday


def test_fifteen_working_days_start_the_day_after_and_end_at_close():
    due = cal.due(at("2015-03-20T10:00"), {"value": 15, "unit": "working_days"})
    assert due == dt.datetime(2015, 4, 15, 18, 30, tzinfo=ALMATY)


def test_working_days_registered_on_friday_evening():
    due = cal.due(at("2015-06-05T20:00"), {"value": 2, "unit": "working_days"})
    assert due == dt.datetime(2015, 6, 9, 18, 30, tzinfo=ALMATY)


def test_minutes_run_in_working_time_across_lunch_and_the_night():
    assert cal.due(at("2015-06-01T12:45"), {"value": 30, "unit": "minutes"}) == at("2015-06-01T14:45")
    assert cal.due(at("2015-06-01T18:15"), {"value": 30, "unit": "minutes"}) == at("2015-06-02T09:15")
    assert cal.due(at("2015-06-06T10:00"), {"value": 1, "unit": "hours"}) == at("2015-06-08T10:00")


def test_information_systems_count_continuous_time():
    assert cal.due(at("2015-06-01T18:29:50"), {"value": 30, "unit": "seconds"}) == at("2015-06-01T18:30:20")
    assert cal.due(at("2015-06-06T10:00"), {"value": 1, "unit": "hours"}, continuous=True) == at(
        "2015-06-06T11:00"
    )


def test_within_the_working_day():
    assert cal.due(at("2015-06-01T10:00"), {"unit": "within_working_day"}) == at("2015-06-01T18:30")
    assert cal.due(at("2015-06-01T19:00"), {"unit": "within_working_day"}) == at("2015-06-02T18:30")
    assert cal.due(at("2015-03-21T10:00"), {"unit": "within_working_day"}) == at("2015-03-26T18:30")


def test_calendar_days_ending_on_a_day_off_move_to_the_next_working_day():
    # 10 calendar days from 1 March 2015 is 11 March (Wednesday); from 11 March it is Saturday 21 March,
    # in the Nauryz holidays, so the term ends on Thursday 26 March.
    assert cal.due(at("2015-03-01T12:00"), {"value": 10, "unit": "calendar_days"}) == at("2015-03-11T18:30")
    assert cal.due(at("2015-03-11T12:00"), {"value": 10, "unit": "calendar_days"}) == at("2015-03-26T18:30")


def test_a_range_norm_is_due_at_its_maximum():
    assert cal.due(at("2015-06-01T10:00"), {"min": 10, "max": 15, "unit": "seconds"}) == at(
        "2015-06-01T10:00:15"
    )


def test_kept_and_late():
    start = at("2015-06-01T10:00")
    norm = {"value": 1, "unit": "working_days"}
    assert cal.kept(start, at("2015-06-02T18:30"), norm)
    assert not cal.kept(start, at("2015-06-03T09:00"), norm)


def test_provider_hours_are_configurable():
    short = WorkCalendar(WorkingHours(opens=dt.time(8), closes=dt.time(17), lunch_start=None, lunch_end=None))
    assert short.due(at("2015-06-01T16:30"), {"value": 60, "unit": "minutes"}) == at("2015-06-02T08:30")
    assert short.working_minutes_between(at("2015-06-01T08:00"), at("2015-06-02T08:00")) == 540


def test_cli_add_prints_iso_8601_in_almaty_time(capsys):
    assert main(["calendar", "add", "2015-03-20T10:00", "15", "working_days"]) == 0
    assert capsys.readouterr().out.strip() == "2015-04-15T18:30:00+06:00"


def test_cli_is_working_day(capsys):
    main(["calendar", "is-working-day", "2015-03-24"])
    main(["calendar", "is-working-day", "2015-03-26"])
    assert capsys.readouterr().out.split() == ["no", "yes"]


def test_cli_is_working_day_agrees_with_every_transfer_both_ways(capsys):
    from qyzmet.calendar.workcal import load_calendar_data

    transfers = load_calendar_data().transfers
    for t in transfers:
        main(["calendar", "is-working-day", t["working_day"].isoformat()])
        main(["calendar", "is-working-day", t["day_off"].isoformat()])
    assert capsys.readouterr().out.split() == ["yes", "no"] * len(transfers)


def test_cli_add_counts_the_saturday_worked_before_kurban_ait_2013(capsys):
    # Friday 11 October 2013 + 1 working day: Saturday 12 October was worked (decree No. 1068 of 2013).
    assert main(["calendar", "add", "2013-10-11T10:00", "1"]) == 0
    assert main(["calendar", "add", "2013-10-11T10:00", "2", "working_days"]) == 0
    assert capsys.readouterr().out.split() == ["2013-10-12T18:30:00+06:00", "2013-10-16T18:30:00+06:00"]


def test_cli_add_refuses_an_unknown_unit(capsys):
    assert main(["calendar", "add", "2013-10-11T10:00", "2", "fortnights"]) == 2
    assert "unknown unit" in capsys.readouterr().err


def test_cli_month_prints_the_working_days_of_a_month(capsys):
    assert main(["calendar", "month", "2024", "6"]) == 0  # Kurban ait on Monday 17 June
    assert main(["calendar", "month", "2013", "10"]) == 0
    assert capsys.readouterr().out.split() == ["19", "22"]
