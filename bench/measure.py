"""Timing and memory of what the benchmarks run: in-process calls and child processes."""

from __future__ import annotations

import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
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
    # (seconds since start, resident bytes of the child and its children), when sampled
    rss_timeline: list[tuple[float, int]] = field(default_factory=list)


def run_child(
    args: Sequence[str | Path],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    capture: bool = True,
    rss_every: float | None = None,
    on_start: Callable[[int], Any] | None = None,
) -> ChildRun:
    """Run a command to completion; its peak RSS is that of this child and its own children.

    With `rss_every`, the resident memory of the child's process tree is sampled at that
    interval, sooner in its first second (needs psutil), to tell a steady growth from a
    one-off peak, and each process's own high-water mark (VmHWM) is read: the peak is then the
    larger of the largest sampled sum and the sum of the processes' high-water marks (an upper
    bound: they need not peak at once). Without sampling it is the child's ru_maxrss from
    wait4, which Linux also raises to the resident size of this (parent) process when the
    child is spawned, so it only holds when this process is small. `on_start` is called with
    the child's pid as soon as it runs (e.g. to attach a profiler from outside).
    """
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            [str(arg) for arg in args],
            env=dict(env) if env is not None else None,
            cwd=cwd,
            stdout=out if capture else subprocess.DEVNULL,
            stderr=err,
        )
        if on_start is not None:
            on_start(process.pid)
        timeline: list[tuple[float, int]] = []
        marks: dict[int, int] = {}
        sampler = (
            _rss_sampler(process.pid, rss_every, started, timeline, marks) if rss_every else None
        )
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        if sampler is not None:
            sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if timeline:
            peak = max(max(rss for _, rss in timeline), sum(marks.values()))
        else:
            peak = usage.ru_maxrss * 1024  # KiB on Linux
        return ChildRun(seconds, peak, process.returncode, out.read(), err.read(), timeline)


FIRST_SAMPLE_SECONDS = 0.05


def high_water_mark(pid: int) -> int:
    """A process's own peak resident bytes (VmHWM), 0 when it is gone or not Linux."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii", errors="replace")
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def _rss_sampler(
    pid: int,
    every: float,
    started: float,
    timeline: list[tuple[float, int]],
    marks: dict[int, int],
) -> threading.Thread | None:
    """A thread appending (seconds, RSS of the process tree) until the process is gone, and
    keeping each process's high-water mark in `marks`."""
    try:
        import psutil
    except ImportError:
        return None

    def sample() -> None:
        # The first samples come sooner (0.05 s, then doubling up to `every`): a child that
        # ends within the first interval is still seen after its start-up, not only at it.
        wait = min(FIRST_SAMPLE_SECONDS, every)
        try:
            root = psutil.Process(pid)
            while root.status() != psutil.STATUS_ZOMBIE:
                tree = [root, *root.children(recursive=True)]
                rss = sum(_rss(process) for process in tree)
                timeline.append((round(time.perf_counter() - started, 2), rss))
                for process in tree:
                    marks[process.pid] = max(
                        marks.get(process.pid, 0), high_water_mark(process.pid)
                    )
                time.sleep(wait)
                wait = min(2 * wait, every)
        except psutil.Error:
            return

    def _rss(process: psutil.Process) -> int:
        try:
            return int(process.memory_info().rss)
        except psutil.Error:
            return 0

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    return thread


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    """Seconds a call took, and what it returned."""
    started = time.perf_counter()
    value = call()
    return time.perf_counter() - started, value


def interleaved(
    candidates: Mapping[str, Callable[[], Any]], repeat: int, warmup: int = 0
) -> tuple[dict[str, list[float]], dict[str, Any]]:
    """Each candidate `repeat` times, in turns (A B C A B C ...), so that a noisy neighbour
    slows all of them alike; the seconds of every run and the last value of each.

    `warmup` untimed turns come first: what a process does once (importing a library, reading
    the file from disk into the page cache) is then not counted as part of one run.
    """
    for _ in range(warmup):
        for call in candidates.values():
            call()
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


ROOT = Path(__file__).resolve().parents[1]
PRODUCT_ENV = "product-env"


def product_install(work: Path, log: Callable[[str], None] = print) -> Path:
    """The `ost` console script as a school installs it: the package and its own dependencies
    in an environment of their own, without the dev and bench extras (pandas among them).

    Made once under `work/` and kept while pyproject.toml is unchanged; the install is
    editable, so it always runs the source as it is now.
    """
    venv = work / PRODUCT_ENV
    script = venv / "bin" / "ost"
    stamp = venv / "pyproject.sha256"
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if script.exists() and stamp.exists() and stamp.read_text(encoding="ascii") == wanted:
        return script
    log(f"installing the package alone into {venv}")
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "--disable-pip-version-check"]
    subprocess.run([*pip, "install", "--quiet", "-e", str(ROOT)], check=True)
    stamp.write_text(wanted, encoding="ascii")
    return script


def has_module(script: Path, module: str) -> bool:
    """Whether the environment of a console script can import `module`."""
    python = script.parent / "python"
    probe = f"import importlib.util, sys; sys.exit(importlib.util.find_spec({module!r}) is None)"
    return subprocess.run([str(python), "-c", probe], check=False).returncode == 0


def ost_command() -> Path:
    """The `ost` console script of the interpreter running the benchmarks."""
    script = Path(sys.executable).parent / "ost"
    if not script.exists():
        raise FileNotFoundError(f"{script}: install the project (pip install -e .) first")
    return script


def load_average() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]
