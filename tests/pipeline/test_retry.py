"""Bounded retries with backoff: only transient failures, never more than the attempts allowed."""

from __future__ import annotations

import pytest

from pipeline.retry import Backoff, retrying


class Flaky:
    """Fails `failures` times with `error`, then returns "done"."""

    def __init__(self, failures: int, error: Exception) -> None:
        self.failures = failures
        self.error = error
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        return "done"


def always(_error: BaseException) -> bool:
    return True


def never(_error: BaseException) -> bool:
    return False


def test_transient_failures_are_retried_with_growing_waits() -> None:
    waits: list[float] = []
    backoff = Backoff(attempts=4, base_delay=2.0, max_delay=5.0, sleep=waits.append)
    call = Flaky(3, TimeoutError("timed out"))
    assert retrying(call, backoff, always) == "done"
    assert call.calls == 4
    assert waits == [2.0, 4.0, 5.0]


def test_the_last_failure_is_raised_once_the_attempts_are_used_up() -> None:
    waits: list[float] = []
    call = Flaky(5, TimeoutError("timed out"))
    with pytest.raises(TimeoutError):
        retrying(call, Backoff(attempts=3, base_delay=1.0, sleep=waits.append), always)
    assert call.calls == 3
    assert waits == [1.0, 2.0]


def test_a_terminal_failure_is_not_retried() -> None:
    waits: list[float] = []
    call = Flaky(1, ValueError("corrupt input"))
    with pytest.raises(ValueError):
        retrying(call, Backoff(attempts=5, sleep=waits.append), never)
    assert call.calls == 1
    assert waits == []
