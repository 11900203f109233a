"""When the scheduled runs start: OST_SCHEDULE's local times in OST_TIMEZONE (docs/operations.md).

Pure: the times, the zone and `now` are handed in. `ost schedule` fires its triggers at these
times and announces them with `next_run_times`; the web console shows the same next run.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pipeline.config import ConfigError, time_zone

TIME = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")


def parse_schedule(schedule: str) -> list[tuple[int, int]]:
    """OST_SCHEDULE (`04:00,16:00`) as sorted (hour, minute) pairs."""
    times = set()
    for part in schedule.split(","):
        match = TIME.fullmatch(part.strip())
        if match is None:
            raise ConfigError(f"OST_SCHEDULE must be times such as 04:00,16:00, not {schedule!r}")
        times.add((int(match[1]), int(match[2])))
    return sorted(times)


def next_run_times(schedule: str, zone_name: str, now: datetime) -> list[datetime]:
    """The next start of each scheduled time at or after `now`, soonest first, in local time."""
    zone = time_zone(zone_name)
    times = (next_at(now, hour, minute, zone) for hour, minute in parse_schedule(schedule))
    return sorted(times, key=instant)


def next_at(now: datetime, hour: int, minute: int, zone: ZoneInfo) -> datetime:
    """The first hour:minute of the wall clock at or after `now`, as the scheduler fires it."""
    day = now.astimezone(zone).date()
    while True:
        starts = [start for start in wall_times(day, hour, minute, zone) if instant(start) >= now]
        if starts:
            return min(starts, key=instant)
        day += timedelta(days=1)


def instant(moment: datetime) -> datetime:
    """`moment` in UTC: datetimes of one zone compare by wall clock, blind to the repeated hour."""
    return moment.astimezone(UTC)


def wall_times(day: date, hour: int, minute: int, zone: ZoneInfo) -> list[datetime]:
    """The instants the wall clock shows hour:minute on `day`: twice in the hour the clocks go
    back; once, at the offset before the change, in the hour they skip."""
    first = datetime.combine(day, time(hour, minute), tzinfo=zone)
    second = first.replace(fold=1)
    if second.utcoffset() != first.utcoffset() and shown(second, zone) == second:
        return [first, second]
    return [first]


def shown(moment: datetime, zone: ZoneInfo) -> datetime:
    """What the wall clock shows at `moment` (a time that does not exist shows another)."""
    return instant(moment).astimezone(zone)
