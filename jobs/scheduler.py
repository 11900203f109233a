"""`ost schedule`: the batch (`ost run`) at fixed local times, by APScheduler (3.x).

The job is defined here in code, in the default memory job store (nothing is pickled): one job
whose trigger fires at each time of OST_SCHEDULE in OST_TIMEZONE, as `pipeline.schedule` says.
The callable only calls `pipeline.batch.run_batch`; the run lock keeps it apart from manual runs.
"""

from __future__ import annotations

import logging
import signal
import socket
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger

from pipeline.batch import run_batch
from pipeline.config import ConfigError, Settings, batch_options, time_zone
from pipeline.database import is_transient
from pipeline.lock import LockHeld
from pipeline.retry import Backoff, retrying
from pipeline.run_summary import RunSummary
from pipeline.runtime import ingest_context
from pipeline.schedule import next_run_times

log = logging.getLogger("ost.scheduler")

JOB_ID = "ost-run"
# A run delayed (machine asleep, scheduler busy) still starts within the hour; later, it waits
# for the next time. Several missed runs become one.
MISFIRE_GRACE_SECONDS = 3600
ONE_MICROSECOND = timedelta(microseconds=1)
# The database unreachable when a scheduled run starts: try again a few times, minutes apart.
START_RETRY = Backoff(attempts=4, base_delay=60.0, max_delay=600.0)


def utc_now() -> datetime:
    return datetime.now(UTC)


class ScheduledTimes(BaseTrigger):  # type: ignore[misc]
    """Fires at OST_SCHEDULE's local times in OST_TIMEZONE, by `pipeline.schedule`: the times
    the scheduler fires are the times the product announces (DST changes included)."""

    def __init__(self, settings: Settings) -> None:
        self.schedule, self.zone = settings.schedule, settings.timezone
        next_run_times(self.schedule, self.zone, datetime.now(UTC))  # a bad setting fails now

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        start = now if previous_fire_time is None else previous_fire_time + ONE_MICROSECOND
        return next_run_times(self.schedule, self.zone, start)[0]

    def __str__(self) -> str:
        return f"at {self.schedule} ({self.zone})"


def start_batch(
    settings: Settings, clock: Callable[[], datetime], sleep: Callable[[float], None]
) -> RunSummary:
    context = replace(ingest_context(settings), clock=clock)
    try:
        return run_batch(context, batch_options(trigger="scheduled", sleep=sleep))
    finally:
        context.engine.dispose()


def startup_transient(error: BaseException) -> bool:
    return not isinstance(error, LockHeld | ConfigError) and is_transient(error)


def scheduled_run(
    settings: Settings,
    clock: Callable[[], datetime] = utc_now,
    sleep: Callable[[float], None] = time.sleep,
) -> RunSummary | None:
    """The scheduled job: one batch; None when another run holds the lock or it could not run."""
    try:
        return retrying(
            lambda: start_batch(settings, clock, sleep),
            replace(START_RETRY, sleep=sleep),
            startup_transient,
        )
    except LockHeld as held:
        log.warning("scheduled run skipped: %s", held)
    except Exception:  # noqa: BLE001 - logged; the scheduler carries on to the next time
        log.exception("scheduled run could not run")
    return None


def build_scheduler(
    settings: Settings, job: Callable[[Settings], object] = scheduled_run
) -> BackgroundScheduler:
    """A scheduler with the one batch job (not started); it runs in threads of its own."""
    scheduler = BackgroundScheduler(timezone=time_zone(settings.timezone))
    scheduler.add_job(
        job,
        ScheduledTimes(settings),
        args=[settings],
        id=JOB_ID,
        name="ost run",
        misfire_grace_time=MISFIRE_GRACE_SECONDS,
        coalesce=True,
        max_instances=1,
    )
    return scheduler


STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}


def run_until_stopped(
    scheduler: BackgroundScheduler, on_start: Callable[[], None]
) -> signal.Signals:
    """Schedule until SIGTERM or SIGINT, then wait for the batch in progress; the signal.

    The handlers do nothing but let the interpreter write the signal's number to a socket the
    main thread waits on: no handler ever interrupts the scheduler (one that shut it down while
    it held its own locks deadlocked), and a signal is caught whichever thread the system gives
    it to (polars starts threads of its own before any mask could be set: a signal given to one
    of those, with the default disposition, killed the process). The process ends when this
    returns, so the batch is waited for first: one still running then would have its files fail
    ("cannot schedule new futures after interpreter shutdown"). A further signal meanwhile is
    ignored (a service manager ends the process after its own timeout).
    """
    receiver, sender = socket.socketpair()
    sender.setblocking(False)
    previous = {number: signal.signal(number, ignore_signal) for number in STOP_SIGNALS}
    previous_fd = signal.set_wakeup_fd(sender.fileno(), warn_on_full_buffer=False)
    try:
        scheduler.start()
        on_start()
        received = stop_signal_from(receiver)
        log.info("stopping on %s; a batch in progress finishes first", received.name)
        scheduler.shutdown(wait=True)
    finally:
        signal.set_wakeup_fd(previous_fd)
        for number, handler in previous.items():
            signal.signal(number, handler)
        receiver.close()
        sender.close()
    return received


def ignore_signal(number: int, frame: object) -> None:
    """The stop signals' handler: the wake-up socket carries them to the main thread."""


def stop_signal_from(receiver: socket.socket) -> signal.Signals:
    """The first stop signal written to the wake-up socket (others arriving are skipped)."""
    while True:
        for number in receiver.recv(64):
            if number in STOP_SIGNALS:
                return signal.Signals(number)


def serve(settings: Settings, echo: Callable[[str], None] = print) -> None:
    """Run the scheduler until SIGTERM or SIGINT, saying when the next runs are."""
    scheduler = build_scheduler(settings)

    def announce() -> None:
        now = datetime.now(time_zone(settings.timezone))
        for when in next_run_times(settings.schedule, settings.timezone, now):
            echo(f"next run: {when:%Y-%m-%d %H:%M %Z} ({when.astimezone(UTC):%H:%M} UTC)")

    log.info("scheduler starting", extra={"schedule": settings.schedule, "zone": settings.timezone})
    run_until_stopped(scheduler, announce)
    log.info("scheduler stopped")
