"""The next scheduled runs, in local wall time, across the changes of daylight saving time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from pipeline.config import ConfigError
from pipeline.schedule import next_run_times, parse_schedule

TORONTO = ZoneInfo("America/Toronto")


def test_each_time_once_soonest_first() -> None:
    now = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # 10:00 in Toronto
    assert next_run_times("16:00,04:00", "America/Toronto", now) == [
        datetime(2026, 11, 23, 16, 0, tzinfo=TORONTO),
        datetime(2026, 11, 24, 4, 0, tzinfo=TORONTO),
    ]


def test_a_run_starting_now_is_the_next_one_and_a_second_later_it_is_tomorrows() -> None:
    at_four = datetime(2026, 6, 2, 4, 0, tzinfo=TORONTO)
    assert next_run_times("04:00", "America/Toronto", at_four) == [at_four]
    later = next_run_times("04:00", "America/Toronto", at_four + timedelta(seconds=1))
    assert later == [at_four + timedelta(days=1)]


def test_the_wall_clock_decides_across_the_spring_change() -> None:
    saturday_noon = datetime(2026, 3, 7, 12, 0, tzinfo=TORONTO)
    # Midnight of the change day still exists; 04:00 is then on summer time.
    assert next_run_times("00:00", "America/Toronto", saturday_noon) == [
        datetime(2026, 3, 8, 0, 0, tzinfo=TORONTO)
    ]
    [four] = next_run_times("04:00", "America/Toronto", saturday_noon)
    assert four.astimezone(UTC) == datetime(2026, 3, 8, 8, 0, tzinfo=UTC)
    # 02:30 does not exist that night: the run starts an hour after 01:30 (07:30 UTC).
    [skipped] = next_run_times("02:30", "America/Toronto", saturday_noon)
    assert skipped.astimezone(UTC) == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)


def in_a_minute(moment: datetime) -> datetime:
    return moment.astimezone(UTC) + timedelta(minutes=1)


def test_the_hour_repeated_in_the_fall_runs_at_each_of_its_times() -> None:
    first = next_run_times("01:30", "America/Toronto", datetime(2026, 11, 1, 0, 0, tzinfo=TORONTO))
    assert first[0].astimezone(UTC) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    # Arithmetic in UTC: on a zone's datetimes it is wall-clock arithmetic, blind to the fold.
    second = next_run_times("01:30", "America/Toronto", in_a_minute(first[0]))
    assert second[0].astimezone(UTC) == datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
    third = next_run_times("01:30", "America/Toronto", in_a_minute(second[0]))
    assert third[0] == datetime(2026, 11, 2, 1, 30, tzinfo=TORONTO)


def test_bad_settings_are_configuration_errors() -> None:
    assert parse_schedule("16:00, 4:00,04:00") == [(4, 0), (16, 0)]
    for bad in ("", "4", "24:00", "04:60", "04:00;16:00", "noon"):
        with pytest.raises(ConfigError, match="OST_SCHEDULE"):
            next_run_times(bad, "America/Toronto", datetime(2026, 1, 1, tzinfo=UTC))
    with pytest.raises(ConfigError, match="OST_TIMEZONE"):
        next_run_times("04:00", "Mars/Olympus", datetime(2026, 1, 1, tzinfo=UTC))
