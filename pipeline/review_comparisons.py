"""Held students beside their candidates, field by field, kept while their values are unchanged
(docs/console.md).

A comparison costs some two hundred small polars operations, whether it is of one student or of
fifty: compared one at a time, cases took most of a review page's time. So the console compares
the cases that follow a case in the queue in one pass, in the background, once the case is
shown (`review_case`'s `ahead`); when the first of those is shown, the pass after them starts:
an operator working through the queue finds the cases compared, one pass ahead of them.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import polars as pl

Rows = tuple[dict[str, Any], ...]
Key = tuple[Any, ...]
# What a pass compares (key, rows) and, maybe, the pass to start in the background once the
# comparison of a key is shown (at once: None).
Pass = tuple[list[tuple[Key, Rows]], tuple[Key | None, Callable[[], "Pass"]] | None]
log = logging.getLogger("ost.console")
KEPT = 4096  # comparisons kept; the least recently used goes first
# Cases after a case that the console compares with it: on a provincial queue, 61 ms of CPU a
# case compared alone, 15 ms each (reading included) compared fifty at a time.
CASES_AHEAD = 50


def comparison_key(student: pl.DataFrame, applicants: pl.DataFrame) -> Key:
    """Every value of a student and of its candidates (in application-number order): a key
    that changes with any of them."""
    return tuple(
        tuple(tuple(v) if isinstance(v, list) else v for v in row)
        for frame in (student, applicants.sort("application_number"))
        for row in (frame.columns, *frame.rows())
    )


def compared(
    students: pl.DataFrame, applicants: pl.DataFrame, wanted: pl.DataFrame | None = None
) -> dict[Any, Rows]:
    """`matching.explain.compare_pairs` (every pair, or the `wanted` ones), its rows by student
    key."""
    from matching.explain import compare_pairs  # the matcher, only to show students

    by_student: dict[Any, list[dict[str, Any]]] = {}
    for row in compare_pairs(students, applicants, wanted).to_dicts():
        by_student.setdefault(row["student_key"], []).append(row)
    return {key: tuple(rows) for key, rows in by_student.items()}


class Comparisons:
    """Comparisons by `comparison_key`, the last KEPT used, safe to share between threads."""

    def __init__(self, kept: int = KEPT) -> None:
        self._kept = kept
        self._rows: OrderedDict[Key, Rows] = OrderedDict()
        self._next: dict[Key, Callable[[], Pass]] = {}  # passes to start when a key is shown
        self._lock = threading.Lock()
        self._passes = 0  # passes started in the background and not done
        self._done = threading.Condition(self._lock)  # notified as each of them ends
        # One comparison at a time: a request waiting for it finds its case compared by it.
        self._computing = threading.Lock()

    def get(self, key: Key) -> Rows | None:
        with self._lock:
            rows = self._rows.get(key)
            if rows is not None:
                self._rows.move_to_end(key)
            follow = self._next.pop(key, None)
        if follow is not None:
            self._start(follow)
        return rows

    def of(self, key: Key, compare: Callable[[], Pass]) -> Rows:
        """The comparison of `key`; when not kept, `compare` (which compares it, then maybe
        starts a pass) runs once, whatever the number of requests asking for it.

        While passes run in the background, a case not kept waits for them rather than being
        compared alone: the cases asked for right after a pass started are in it."""
        while True:
            rows = self.get(key)
            if rows is not None:
                return rows
            with self._done:
                while self._passes and key not in self._rows:
                    self._done.wait()
            with self._computing:
                rows = self.get(key)
                if rows is not None:
                    return rows
                if self._passes:  # one started meanwhile, maybe with this case: wait for it
                    continue
                return dict(self._keep(compare())).get(key, ())

    def _keep(self, compared: Pass) -> list[tuple[Key, Rows]]:
        """Keep what a pass compared, and start or register the pass it calls for."""
        found, follow = compared
        with self._lock:
            for key, rows in found:
                self._rows[key] = rows
                self._rows.move_to_end(key)
            if follow is not None and follow[0] is not None:
                self._next[follow[0]] = follow[1]
            while len(self._rows) > self._kept:
                self._next.pop(self._rows.popitem(last=False)[0], None)
        if follow is not None and follow[0] is None:
            self._start(follow[1])
        return found

    def _start(self, compare: Callable[[], Pass]) -> None:
        with self._lock:
            self._passes += 1
        threading.Thread(target=self._ahead, args=(compare,), daemon=True).start()

    def _ahead(self, compare: Callable[[], Pass]) -> None:
        """A pass in the background: a failure is logged, and the cases are compared when
        shown."""
        try:
            with self._computing:
                self._keep(compare())
        except Exception:  # noqa: BLE001 - nobody waits for it; each case can be compared alone
            log.warning("review cases not compared ahead", exc_info=True)
        finally:
            with self._done:
                self._passes -= 1
                self._done.notify_all()

    def settle(self) -> None:
        """Wait for the passes started in the background."""
        with self._done:
            while self._passes:
                self._done.wait()

    def clear(self) -> None:
        with self._lock:
            self._rows.clear()
            self._next.clear()


COMPARISONS = Comparisons()
