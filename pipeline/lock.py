"""The run lock: one batch at a time across processes and hosts, held in the database.

Acquiring inserts the `runlock` row (its primary key is the lock name), so on SQLite and on
PostgreSQL exactly one of two concurrent runs succeeds. The holder (`host:pid`) refreshes
`heartbeat_at` while it runs. A row left behind by a process that died is taken over: at once
when the holder ran on this host and its pid is gone, otherwise once its heartbeat is older than
the stale timeout. The takeover is a compare-and-set on the row, so two runs that both find the
lock stale cannot both win.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from pipeline.config import DEFAULT_STALE_AFTER
from pipeline.models import RunLock
from pipeline.store import table

log = logging.getLogger("ost.lock")

BATCH_LOCK = "batch"
ACQUIRE_ATTEMPTS = 3


class LockHeld(RuntimeError):
    """Another run holds the lock (the caller exits with its own code, 3)."""

    def __init__(self, state: LockState) -> None:
        super().__init__(
            f"another run is in progress (lock {state.name!r} held by {state.holder} "
            f"since {state.acquired_at:%Y-%m-%d %H:%M:%S} UTC); try again when it has finished"
        )
        self.state = state


class LockLost(RuntimeError):
    """The lock was taken over while this run held it (its heartbeat had gone stale)."""


@dataclass(frozen=True)
class LockState:
    name: str
    holder: str
    acquired_at: datetime
    heartbeat_at: datetime


def this_holder() -> str:
    """`host:pid` of this process."""
    return f"{socket.gethostname()}:{os.getpid()}"


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists on this host."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    return True


def is_stale(
    state: LockState,
    now: datetime,
    stale_after: timedelta,
    host: str,
    alive: Callable[[int], bool] = pid_alive,
) -> bool:
    """A lock whose holder is gone: a dead pid on this host, or a heartbeat too old anywhere."""
    holder_host, _, pid = state.holder.rpartition(":")
    if holder_host == host and pid.isdigit() and not alive(int(pid)):
        return True
    # Elsewhere (or a pid reused after a reboot): only the heartbeat tells.
    return now - state.heartbeat_at > stale_after


@dataclass
class DatabaseLock:
    """A named lock row; `acquire`, `beat` while working, `release` when done."""

    engine: Engine
    clock: Callable[[], datetime]
    name: str = BATCH_LOCK
    holder: str = field(default_factory=this_holder)
    stale_after: timedelta = DEFAULT_STALE_AFTER
    alive: Callable[[int], bool] = pid_alive

    def state(self) -> LockState | None:
        t = table(RunLock)
        with self.engine.connect() as conn:
            row = conn.execute(select(t).where(t.c.name == self.name)).first()
        return LockState(**row._mapping) if row else None

    def _insert(self) -> bool:
        now = self.clock()
        values = {"name": self.name, "holder": self.holder, "acquired_at": now, "heartbeat_at": now}
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(table(RunLock)).values(**values))
        except IntegrityError:
            return False
        return True

    def _take_over(self, stale: LockState) -> bool:
        """Replace a stale holder, unless someone else did (or it beat) in the meantime."""
        now = self.clock()
        t = table(RunLock)
        with self.engine.begin() as conn:
            result = conn.execute(
                update(t)
                .where(
                    t.c.name == self.name,
                    t.c.holder == stale.holder,
                    t.c.heartbeat_at == stale.heartbeat_at,
                )
                .values(holder=self.holder, acquired_at=now, heartbeat_at=now)
            )
        return result.rowcount == 1

    def acquire(self) -> None:
        """Take the lock, or raise LockHeld."""
        current: LockState | None = None
        for _ in range(ACQUIRE_ATTEMPTS):
            if self._insert():
                log.info("lock acquired", extra={"lock": self.name, "holder": self.holder})
                return
            current = self.state()
            if current is None:
                continue  # released between our insert and our read: try again
            host = self.holder.rpartition(":")[0]
            if not is_stale(current, self.clock(), self.stale_after, host, self.alive):
                raise LockHeld(current)
            if self._take_over(current):
                log.warning(
                    "stale lock taken over",
                    extra={"lock": self.name, "holder": self.holder, "previous": current.holder},
                )
                return
        assert current is not None
        raise LockHeld(current)

    def beat(self) -> bool:
        """Refresh the heartbeat; False when the lock is no longer ours."""
        t = table(RunLock)
        with self.engine.begin() as conn:
            result = conn.execute(
                update(t)
                .where(t.c.name == self.name, t.c.holder == self.holder)
                .values(heartbeat_at=self.clock())
            )
        return result.rowcount == 1

    def release(self) -> None:
        t = table(RunLock)
        with self.engine.begin() as conn:
            conn.execute(delete(t).where(t.c.name == self.name, t.c.holder == self.holder))
        log.info("lock released", extra={"lock": self.name, "holder": self.holder})


class Heartbeat(threading.Thread):
    """Beats the lock every `every` seconds until stopped; notes when the lock is lost."""

    def __init__(self, lock: DatabaseLock, every: float) -> None:
        super().__init__(name=f"heartbeat-{lock.name}", daemon=True)
        self.lock = lock
        self.every = every
        self.stopped = threading.Event()
        self.lost = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.every):
            try:
                if not self.lock.beat():
                    self.lost.set()
                    log.error("lock lost", extra={"lock": self.lock.name})
                    return
            except Exception as error:  # noqa: BLE001 - a missed beat is retried next time
                log.warning("heartbeat failed: %s", error, extra={"lock": self.lock.name})

    def check(self) -> None:
        """Raise LockLost if another run has taken the lock over."""
        if self.lost.is_set():
            raise LockLost(f"lock {self.lock.name!r} was taken over by another run")

    def stop(self) -> None:
        self.stopped.set()
        if self.is_alive():
            self.join()


@contextmanager
def holding(lock: DatabaseLock, heartbeat_every: float) -> Iterator[Heartbeat]:
    """Hold `lock` for the duration of the block, beating it; released in any case."""
    lock.acquire()
    heartbeat = Heartbeat(lock, heartbeat_every)
    heartbeat.start()
    try:
        yield heartbeat
    finally:
        heartbeat.stop()
        if not heartbeat.lost.is_set():
            lock.release()
