"""Timing and memory of what the benchmarks run: in-process calls and child processes."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class ChildRun:
    """A finished child process: wall time, peak resident memory, exit code, output."""

    seconds: float
    peak_rss_bytes: int
    returncode: int
    stdout: str
    stderr: str


def run_child(
    args: Sequence[str | Path],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    capture: bool = True,
) -> ChildRun:
    """Run a command to completion; its peak RSS comes from wait4 (the child and its children)."""
    started = time.perf_counter()
    output = subprocess.PIPE if capture else subprocess.DEVNULL
    process = subprocess.Popen(
        [str(arg) for arg in args],
        env=dict(env) if env is not None else None,
        cwd=cwd,
        stdout=output,
        stderr=subprocess.PIPE,
        text=True,
    )
    stdout, stderr = process.communicate()
    # communicate() has reaped nothing yet only if the process outlived the pipes; wait4 gets
    # the rusage of exactly this child (ru_maxrss in KiB on Linux).
    try:
        _, status, usage = os.wait4(process.pid, 0)
        returncode = os.waitstatus_to_exitcode(status)
        peak = usage.ru_maxrss * 1024
    except ChildProcessError:
        returncode = process.returncode
        peak = _children_peak_rss()
    seconds = time.perf_counter() - started
    return ChildRun(seconds, peak, returncode, stdout or "", stderr or "")


def _children_peak_rss() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    """Seconds a call took, and what it returned."""
    started = time.perf_counter()
    value = call()
    return time.perf_counter() - started, value


def interleaved(
    candidates: Mapping[str, Callable[[], Any]], repeat: int
) -> tuple[dict[str, list[float]], dict[str, Any]]:
    """Each candidate `repeat` times, in turns (A B C A B C ...), so that a noisy neighbour
    slows all of them alike; the seconds of every run and the last value of each."""
    seconds: dict[str, list[float]] = {name: [] for name in candidates}
    values: dict[str, Any] = {}
    for _ in range(repeat):
        for name, call in candidates.items():
            elapsed, values[name] = timed(call)
            seconds[name].append(elapsed)
    return seconds, values


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def summary(values: Sequence[float]) -> dict[str, Any]:
    """Median, min, max and every run, rounded for the report."""
    return {
        "median": round(median(values), 4),
        "min": round(min(values), 4),
        "max": round(max(values), 4),
        "runs": [round(value, 4) for value in values],
    }


def ost_command() -> Path:
    """The `ost` console script of the interpreter running the benchmarks."""
    script = Path(sys.executable).parent / "ost"
    if not script.exists():
        raise FileNotFoundError(f"{script}: install the project (pip install -e .) first")
    return script


def load_average() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]
