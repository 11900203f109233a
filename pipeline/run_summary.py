"""What a run did: the result of each file, the run's summary and its lines, and progress."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Protocol

from pipeline.printable import printable
from pipeline.rematch import RematchOutcome

# A file or replay that did not get as far as a transmission status (see its reason).
UNPROCESSED = "error"


@dataclass(frozen=True)
class FileResult:
    """What became of one file (or one replayed transmission)."""

    file: str
    status: str  # a docs/rules.md status, or UNPROCESSED
    transmission_id: int | None = None
    errors: int = 0
    reason: str | None = None
    attempts: int = 1


@dataclass
class RunSummary:
    """A batch: its files, the files left for later, the re-matching, and how long it took."""

    run_id: int
    trigger: str
    started_at: datetime
    finished_at: datetime | None = None
    files: list[FileResult] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)  # still arriving: next run
    ignored: list[str] = field(default_factory=list)  # not regular files
    rematch: RematchOutcome | None = None
    error: str | None = None

    @property
    def statuses(self) -> dict[str, int]:
        return dict(Counter(result.status for result in self.files))

    @property
    def duration_seconds(self) -> float:
        end = self.finished_at or self.started_at
        return round((end - self.started_at).total_seconds(), 3)

    def to_json(self) -> dict[str, Any]:
        return {
            "run": self.run_id,
            "trigger": self.trigger,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "duration_seconds": self.duration_seconds,
            "statuses": self.statuses,
            "files": [asdict(result) for result in self.files],
            "waiting": self.waiting,
            "ignored": self.ignored,
            "rematch": asdict(self.rematch) if self.rematch else None,
            "error": self.error,
        }


def has_failures(results: Iterable[FileResult]) -> bool:
    return any(r.status in ("failed", UNPROCESSED) for r in results)


def has_data_errors(results: Iterable[FileResult]) -> bool:
    return any(r.errors or r.status == "rejected" for r in results)


def file_line(result: FileResult) -> str:
    where = f"transmission {result.transmission_id}" if result.transmission_id else "not registered"
    line = f"{printable(result.file)}: {result.status} ({where})"
    return f"{line}: {printable(result.reason)}" if result.reason else line


def summary_lines(summary: RunSummary) -> list[str]:
    """The run summary for a terminal or a log: totals, each file, what waits, re-matching."""
    counts = ", ".join(f"{status} {n}" for status, n in sorted(summary.statuses.items()))
    lines = [
        f"run {summary.run_id} ({summary.trigger}): {len(summary.files)} file(s) in "
        f"{summary.duration_seconds:.1f} s" + (f": {counts}" if counts else ""),
        *(f"  {file_line(result)}" for result in summary.files),
    ]
    if summary.waiting:
        waiting = ", ".join(map(printable, summary.waiting))
        lines.append(f"still arriving, left for the next run: {waiting}")
    if summary.ignored:
        lines.append(f"not regular files, ignored: {', '.join(map(printable, summary.ignored))}")
    if summary.rematch is not None:
        merge = ", ".join(f"{k} {v}" for k, v in summary.rematch.merge.items())
        lines.append(
            f"pending students: {summary.rematch.held} held, "
            f"{summary.rematch.newly_matched} newly matched; {merge}"
        )
    if summary.error:
        lines.append(f"run failed: {printable(summary.error)}")
    return lines


class Progress(Protocol):
    """Told about a batch as it goes (a progress bar on a terminal)."""

    def start(self, total: int) -> None: ...
    def advance(self, result: FileResult) -> None: ...
    def finish(self) -> None: ...


class QuietProgress:
    def start(self, total: int) -> None:
        pass

    def advance(self, result: FileResult) -> None:
        pass

    def finish(self) -> None:
        pass
