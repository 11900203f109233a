"""The scheduler: its job calls the batch at 04:00 and 16:00 Toronto time, across DST changes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from jobs.scheduler import (
    JOB_ID,
    MISFIRE_GRACE_SECONDS,
    ScheduledTimes,
    build_scheduler,
    run_until_stopped,
    scheduled_run,
)
from pipeline.config import ConfigError, Settings, load_settings
from pipeline.database import open_database
from pipeline.lock import DatabaseLock
from pipeline.models import Run, Transmission
from pipeline.schedule import next_run_times, parse_schedule
from pipeline.store import table
from tests.jobs.conftest import NOW

TORONTO = ZoneInfo("America/Toronto")
OST = Path(sys.executable).parent / "ost"


class SleepRecorder:
    """A sleep function that only notes how long it was asked to wait."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def test_scheduled_run_processes_the_inbox_with_the_injected_clock(
    settings_sample_inbox: Settings,
) -> None:
    sleep = SleepRecorder()
    summary = scheduled_run(settings_sample_inbox, clock=lambda: NOW, sleep=sleep)
    assert summary is not None
    assert summary.trigger == "scheduled"
    assert summary.started_at == NOW and summary.finished_at == NOW
    assert len(summary.files) == 5
    assert summary.error is None
    # The files settled over the (injected) settle interval; nothing waited for real.
    assert sleep.waits == [5.0]
    assert list(settings_sample_inbox.inbox.iterdir()) == []
    engine = open_database(settings_sample_inbox.database_url)
    with engine.connect() as conn:
        runs = conn.execute(select(table(Run))).all()
        received = {row.received_at for row in conn.execute(select(table(Transmission)))}
    engine.dispose()
    assert [(run.trigger, run.status, run.files, run.started_at) for run in runs] == [
        ("scheduled", "finished", 5, NOW)
    ]
    assert received == {NOW}


def test_scheduled_run_leaves_a_running_batch_alone(settings_sample_inbox: Settings) -> None:
    engine = open_database(settings_sample_inbox.database_url)
    other = DatabaseLock(engine, lambda: NOW, holder="other-host:4242")
    other.acquire()
    later = NOW + timedelta(minutes=1)
    assert scheduled_run(settings_sample_inbox, clock=lambda: later, sleep=SleepRecorder()) is None
    with engine.connect() as conn:
        assert conn.execute(select(table(Run))).all() == []
    other.release()
    engine.dispose()
    assert len(list(settings_sample_inbox.inbox.iterdir())) == 5


def local_fire_times(start: datetime, count: int) -> list[datetime]:
    """The next `count` fire times of the default schedule after `start`."""
    trigger = ScheduledTimes(load_settings({}))
    times: list[datetime] = []
    previous = None
    now = start
    for _ in range(count):
        fire = trigger.get_next_fire_time(previous, now)
        assert fire is not None
        times.append(fire)
        previous = now = fire
    return times


@pytest.mark.parametrize(
    ("change", "offset_before", "offset_after"),
    [
        (datetime(2026, 3, 8), -5, -4),
        (datetime(2026, 11, 1), -4, -5),
        (datetime(2027, 3, 14), -5, -4),
        (datetime(2027, 11, 7), -4, -5),
    ],
)
def test_fire_times_stay_at_4_and_16_local_across_dst(
    change: datetime, offset_before: int, offset_after: int
) -> None:
    start = (change - timedelta(days=2)).replace(tzinfo=TORONTO)
    times = local_fire_times(start, 8)
    assert [(t.hour, t.minute) for t in times] == [(4, 0), (16, 0)] * 4
    offsets = [t.utcoffset() for t in times]
    # The day before the change keeps the old offset, the change day has the new one.
    assert offsets[:4] == [timedelta(hours=offset_before)] * 4
    assert offsets[4:] == [timedelta(hours=offset_after)] * 4
    assert times[4].date() == change.date()
    # In UTC, 04:00 local moves by the hour of the change.
    utc_hours = {t.astimezone(UTC).hour for t in times if t.hour == 4}
    assert utc_hours == {4 - offset_before, 4 - offset_after}


def test_each_time_fires_at_its_local_time_across_dst() -> None:
    morning = ScheduledTimes(load_settings({"OST_SCHEDULE": "04:00"}))
    afternoon = ScheduledTimes(load_settings({"OST_SCHEDULE": "16:00"}))
    before = datetime(2026, 3, 7, 12, 0, tzinfo=TORONTO)
    after_change = morning.get_next_fire_time(None, before)
    assert after_change == datetime(2026, 3, 8, 4, 0, tzinfo=TORONTO)
    assert after_change is not None and after_change.utcoffset() == timedelta(hours=-4)
    assert after_change.astimezone(UTC) == datetime(2026, 3, 8, 8, 0, tzinfo=UTC)
    fall = afternoon.get_next_fire_time(None, datetime(2026, 11, 1, 0, 0, tzinfo=TORONTO))
    assert fall is not None and fall.astimezone(UTC) == datetime(2026, 11, 1, 21, 0, tzinfo=UTC)


def test_next_fire_times_are_printed_in_order() -> None:
    now = datetime(2026, 11, 23, 10, 0, tzinfo=TORONTO)
    assert next_run_times("04:00,16:00", "America/Toronto", now) == [
        datetime(2026, 11, 23, 16, 0, tzinfo=TORONTO),
        datetime(2026, 11, 24, 4, 0, tzinfo=TORONTO),
    ]


def test_the_scheduler_fires_when_the_product_says_the_next_run_is() -> None:
    settings = load_settings({"OST_SCHEDULE": "00:00,01:30,02:30,04:00,16:00"})
    (job,) = build_scheduler(settings).get_jobs()
    now = datetime(2026, 10, 30, 12, 0, tzinfo=UTC)
    fired = None
    for _ in range(60):  # past the fall change, then past the spring one a year later
        fired = job.trigger.get_next_fire_time(fired, now)
        assert fired == next_run_times(settings.schedule, settings.timezone, now)[0]
        now = fired + timedelta(seconds=1)
    now = datetime(2027, 3, 12, 12, 0, tzinfo=UTC)
    fired = None
    for _ in range(20):
        fired = job.trigger.get_next_fire_time(fired, now)
        assert fired == next_run_times(settings.schedule, settings.timezone, now)[0]
        now = fired + timedelta(seconds=1)


def test_job_options(tmp_path: Path) -> None:
    settings = load_settings({"OST_HOME": str(tmp_path)})
    scheduler = build_scheduler(settings)
    (job,) = scheduler.get_jobs()
    assert job.func is scheduled_run
    assert job.args == (settings,)
    assert job.misfire_grace_time == MISFIRE_GRACE_SECONDS
    assert job.coalesce is True
    assert job.max_instances == 1
    assert isinstance(job.trigger, ScheduledTimes)
    assert str(job.trigger) == "at 04:00,16:00 (America/Toronto)"


def test_schedule_and_time_zone_from_the_settings() -> None:
    assert parse_schedule("16:00, 4:00,04:00") == [(4, 0), (16, 0)]
    assert parse_schedule("23:59") == [(23, 59)]
    for bad in ("", "4", "24:00", "04:60", "04:00;16:00", "noon"):
        with pytest.raises(ConfigError, match="OST_SCHEDULE"):
            parse_schedule(bad)
    with pytest.raises(ConfigError, match="OST_TIMEZONE"):
        ScheduledTimes(load_settings({"OST_TIMEZONE": "Mars/Olympus"}))
    with pytest.raises(ConfigError, match="OST_SCHEDULE"):
        ScheduledTimes(load_settings({"OST_SCHEDULE": "noon"}))
    winnipeg = ScheduledTimes(
        load_settings({"OST_TIMEZONE": "America/Winnipeg", "OST_SCHEDULE": "6:30"})
    )
    first = winnipeg.get_next_fire_time(None, datetime(2026, 1, 1, tzinfo=UTC))
    assert first == datetime(2026, 1, 1, 6, 30, tzinfo=ZoneInfo("America/Winnipeg"))


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_schedule_prints_next_runs_and_stops_cleanly(tmp_path: Path, stop_signal: int) -> None:
    env = {**os.environ, "OST_HOME": str(tmp_path / "home")}
    process = subprocess.Popen(
        [str(OST), "schedule"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline(), process.stdout.readline()]
        assert all(line.startswith("next run: ") for line in lines), lines
        assert {line.split()[3] for line in lines} == {"04:00", "16:00"}
        process.send_signal(stop_signal)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
    log = (tmp_path / "home" / "logs" / "ost.log").read_text(encoding="utf-8")
    assert '"scheduler starting"' in log and '"scheduler stopped"' in log


def test_a_stop_signal_lets_the_batch_in_progress_finish() -> None:
    # The process ends once the scheduler returns: a batch still running then would have its
    # files fail ("cannot schedule new futures after interpreter shutdown").
    finished: list[str] = []

    def batch(_settings: Settings) -> None:
        # The operator stops the service mid-batch (sent to this thread, the one that waits).
        signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGTERM)
        time.sleep(0.5)
        with ThreadPoolExecutor(1) as reports:  # as the ingest writes its reports
            finished.append(reports.submit(lambda: "reports written").result())

    scheduler = build_scheduler(load_settings({"OST_TIMEZONE": "UTC"}), job=batch)
    scheduler.modify_job(JOB_ID, next_run_time=datetime.now(UTC))
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, set())
    try:
        assert run_until_stopped(scheduler, lambda: None) == signal.SIGTERM
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
    assert finished == ["reports written"]
