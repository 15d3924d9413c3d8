"""The platform clock: real time, or the demo day set by QYZMET_TODAY at the real time of day."""

import datetime as dt

from django.utils import timezone

from qyzmet import clock


def _real_time(monkeypatch, moment: dt.datetime) -> None:
    monkeypatch.setattr(clock.timezone, "now", lambda: moment)


def test_the_demo_day_holds_through_the_hour_between_almatys_two_midnights(monkeypatch):
    # 23:30 in Almaty (UTC+5 since 2024) is 18:30 UTC; on 14 October 2015 the zone was UTC+6,
    # so the same UTC time of day would already be the 15th there.
    monkeypatch.setenv("QYZMET_TODAY", "2015-10-14")
    _real_time(monkeypatch, dt.datetime(2026, 11, 24, 18, 30, tzinfo=dt.UTC))
    assert clock.today() == dt.date(2015, 10, 14)
    assert timezone.localtime(clock.now()).time() == timezone.localtime(timezone.now()).time()


def test_the_demo_day_keeps_the_real_time_of_day(monkeypatch):
    monkeypatch.setenv("QYZMET_TODAY", "2015-10-14")
    _real_time(monkeypatch, dt.datetime(2026, 11, 24, 4, 15, tzinfo=dt.UTC))
    local = timezone.localtime(clock.now())
    assert local.date() == dt.date(2015, 10, 14)
    assert local.time() == timezone.localtime(dt.datetime(2026, 11, 24, 4, 15, tzinfo=dt.UTC)).time()


def test_without_a_demo_day_the_clock_is_real(monkeypatch):
    monkeypatch.delenv("QYZMET_TODAY", raising=False)
    moment = dt.datetime(2026, 11, 24, 18, 30, tzinfo=dt.UTC)
    _real_time(monkeypatch, moment)
    assert clock.now() == moment
