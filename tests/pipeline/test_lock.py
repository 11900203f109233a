"""The run lock on SQLite and PostgreSQL: one holder, stale holders recovered, released always."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from pipeline.lock import DatabaseLock, LockHeld, LockLost, LockState, holding, is_stale
from tests.pipeline.conftest import NOW

HOST = socket.gethostname()
STALE_AFTER = timedelta(minutes=10)
HOLD_LOCK = """
import sys, time
from datetime import UTC, datetime
from pipeline.database import open_database
from pipeline.lock import DatabaseLock
DatabaseLock(open_database(sys.argv[1]), lambda: datetime.now(UTC)).acquire()
print("held", flush=True)
time.sleep(300)
"""


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def clock_at_now() -> Clock:
    return Clock(NOW)


@pytest.fixture
def live_pid() -> Iterator[int]:
    """The pid of another process on this host that stays alive during the test."""
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
    yield process.pid
    process.kill()
    process.wait()


@pytest.fixture
def dead_pid() -> int:
    """The pid of a process on this host that has ended."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def lock_for(engine: Engine, clock: Callable[[], datetime], holder: str) -> DatabaseLock:
    return DatabaseLock(engine, clock, holder=holder, stale_after=STALE_AFTER)


def holder_of(engine: Engine) -> str | None:
    state = DatabaseLock(engine, lambda: NOW).state()
    return state.holder if state else None


def test_one_holder_at_a_time(engine_migrated: Engine, clock_at_now: Clock, live_pid: int) -> None:
    other = lock_for(engine_migrated, clock_at_now, f"{HOST}:{live_pid}")
    mine = lock_for(engine_migrated, clock_at_now, f"{HOST}:{os.getpid()}")
    other.acquire()
    with pytest.raises(LockHeld, match=rf"another run is in progress .*held by {HOST}:{live_pid}"):
        mine.acquire()
    assert holder_of(engine_migrated) == f"{HOST}:{live_pid}"
    other.release()
    mine.acquire()
    assert holder_of(engine_migrated) == f"{HOST}:{os.getpid()}"
    mine.release()
    assert holder_of(engine_migrated) is None


def test_a_stale_lock_from_a_dead_pid_is_taken_over(
    engine_migrated: Engine, clock_at_now: Clock, dead_pid: int
) -> None:
    lock_for(engine_migrated, clock_at_now, f"{HOST}:{dead_pid}").acquire()
    clock_at_now.advance(timedelta(seconds=1))  # the heartbeat is fresh: only the pid tells
    mine = lock_for(engine_migrated, clock_at_now, f"{HOST}:{os.getpid()}")
    mine.acquire()
    state = mine.state()
    assert state is not None
    assert state.holder == f"{HOST}:{os.getpid()}"
    assert state.acquired_at == state.heartbeat_at == clock_at_now.now


def test_the_lock_of_a_killed_process_is_recovered(
    database_url: str, engine_migrated: Engine
) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, database_url], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None
    try:
        assert holder.stdout.readline().strip() == "held"
        mine = DatabaseLock(engine_migrated, lambda: datetime.now(UTC))
        with pytest.raises(LockHeld):
            mine.acquire()
        holder.kill()
        holder.wait()
        mine.acquire()
        assert holder_of(engine_migrated) == mine.holder
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()


def test_a_lock_from_another_host_is_stale_only_after_the_timeout(
    engine_migrated: Engine, clock_at_now: Clock
) -> None:
    lock_for(engine_migrated, clock_at_now, "batch-host-2:4242").acquire()
    mine = lock_for(engine_migrated, clock_at_now, f"{HOST}:{os.getpid()}")
    clock_at_now.advance(STALE_AFTER - timedelta(seconds=1))
    with pytest.raises(LockHeld):
        mine.acquire()
    clock_at_now.advance(timedelta(seconds=2))
    mine.acquire()
    assert holder_of(engine_migrated) == mine.holder


def test_only_one_of_two_runs_takes_over_a_stale_lock(
    engine_migrated: Engine, clock_at_now: Clock, dead_pid: int
) -> None:
    lock_for(engine_migrated, clock_at_now, f"{HOST}:{dead_pid}").acquire()
    contenders = [
        lock_for(engine_migrated, clock_at_now, f"{HOST}:{pid}")
        for pid in (os.getpid(), os.getppid())
    ]
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def contend(lock: DatabaseLock) -> None:
        start.wait()
        try:
            lock.acquire()
            outcomes.append("acquired")
        except LockHeld:
            outcomes.append("held")

    threads = [threading.Thread(target=contend, args=(lock,)) for lock in contenders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["acquired", "held"]
    assert holder_of(engine_migrated) in {lock.holder for lock in contenders}


def test_heartbeat_keeps_the_lock_fresh(engine_migrated: Engine, clock_at_now: Clock) -> None:
    mine = lock_for(engine_migrated, clock_at_now, f"{HOST}:{os.getpid()}")
    with holding(mine, heartbeat_every=0.02) as heartbeat:
        clock_at_now.advance(timedelta(minutes=5))
        wait_for(lambda: heartbeat_at(mine) == clock_at_now.now)
        heartbeat.check()
    assert holder_of(engine_migrated) is None


def test_heartbeat_notices_a_takeover(engine_migrated: Engine, clock_at_now: Clock) -> None:
    mine = lock_for(engine_migrated, clock_at_now, f"{HOST}:{os.getpid()}")
    with holding(mine, heartbeat_every=0.02) as heartbeat:
        # Another host, seeing this run's last heartbeat older than the timeout (as when a
        # run hangs), takes the lock over.
        later = Clock(clock_at_now.now + STALE_AFTER + timedelta(seconds=1))
        lock_for(engine_migrated, later, "batch-host-2:4242").acquire()
        wait_for(heartbeat.lost.is_set)
        with pytest.raises(LockLost):
            heartbeat.check()
    # The former holder does not release a lock that is no longer its own.
    assert holder_of(engine_migrated) == "batch-host-2:4242"


def test_released_when_the_work_fails(engine_migrated: Engine, clock_at_now: Clock) -> None:
    mine = lock_for(engine_migrated, clock_at_now, f"{HOST}:{os.getpid()}")
    with pytest.raises(RuntimeError, match="disk full"), holding(mine, heartbeat_every=30):
        assert holder_of(engine_migrated) == mine.holder
        raise RuntimeError("disk full")
    assert holder_of(engine_migrated) is None


def test_staleness_rules() -> None:
    state = LockState("batch", f"{HOST}:123", NOW, NOW)
    fresh = NOW + timedelta(minutes=1)
    assert is_stale(state, fresh, STALE_AFTER, HOST, alive=lambda _pid: False)
    assert not is_stale(state, fresh, STALE_AFTER, HOST, alive=lambda _pid: True)
    # Another host's pid means nothing here: only its heartbeat counts.
    assert not is_stale(state, fresh, STALE_AFTER, "other-host", alive=lambda _pid: False)
    late = NOW + STALE_AFTER + timedelta(seconds=1)
    assert is_stale(state, late, STALE_AFTER, "other-host", alive=lambda _pid: True)
    # A live pid with a heartbeat long gone: hung, or the pid was reused after a reboot.
    assert is_stale(state, late, STALE_AFTER, HOST, alive=lambda _pid: True)


def heartbeat_at(lock: DatabaseLock) -> datetime | None:
    state = lock.state()
    return state.heartbeat_at if state else None


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)
