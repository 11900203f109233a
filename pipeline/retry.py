"""Bounded retries with exponential backoff, for failures that say trying again may help."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")
log = logging.getLogger("ost.retry")


@dataclass(frozen=True)
class Backoff:
    """`attempts` tries in all, waiting base, 2*base, 4*base ... (at most `max_delay`) between."""

    attempts: int = 3
    base_delay: float = 5.0
    max_delay: float = 120.0
    sleep: Callable[[float], None] = field(default=time.sleep)

    def delay(self, failed_attempts: int) -> float:
        """The wait after the `failed_attempts`-th failure (1-based)."""
        return float(min(self.base_delay * 2 ** (failed_attempts - 1), self.max_delay))


NO_RETRY = Backoff(attempts=1)


def retrying(
    call: Callable[[], T],
    backoff: Backoff,
    transient: Callable[[BaseException], bool],
    on_retry: Callable[[BaseException, int, float], None] | None = None,
) -> T:
    """`call()`, again after a transient failure, up to `backoff.attempts` times in all."""
    attempt = 1
    while True:
        try:
            return call()
        except Exception as error:
            if attempt >= backoff.attempts or not transient(error):
                raise
            wait = backoff.delay(attempt)
            if on_retry is not None:
                on_retry(error, attempt, wait)
            log.warning(
                "transient failure, retrying: %s",
                error,
                extra={"attempt": attempt, "wait_seconds": wait},
            )
            backoff.sleep(wait)
            attempt += 1
