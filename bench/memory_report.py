"""The memory section of RESULTS.md, from the stored `crowd-run` and `big-file` results."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.console_report import with_section
from bench.memory import NAMES

HEADING = "## Memory: the held crowd and the largest file (`python -m bench crowd`)"
GOAL_BYTES = 3_000_000_000


def _mib(value: int) -> str:
    return f"{value / 2**20:,.0f} MiB"


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {n:,}" for name, n in counts.items()) or "none"


def _quarters(timeline: list[list[float]]) -> str:
    """The largest resident memory in each quarter of the run."""
    if not timeline:
        return "not sampled"
    end = timeline[-1][0] or 1.0
    peaks = [
        max((rss for t, rss in timeline if q / 4 <= t / end <= (q + 1) / 4), default=0)
        for q in range(4)
    ]
    return " / ".join(_mib(int(peak)) for peak in peaks)


def _verdict(peak: int) -> str:
    return "**met**" if peak < GOAL_BYTES else "**missed**"


def crowd_lines(result: dict[str, Any]) -> list[str]:
    data, run, held = result["data"], result["run"], result["held_before"]
    peak = run["peak_rss_bytes"]
    return [
        f"The crowd: {data['files']:,} files of {data['students']:,} students (S1 records "
        f"only) through `ost run` into a fresh SQLite OST_HOME with no applicant on record: "
        f"{_mib(result['ingest']['peak_rss_bytes'])} peak, {result['ingest']['seconds']:,.1f} s; "
        f"student statuses then: {_counts(held['match_statuses'])}. Then "
        f"`ost applicants import` of {result['applicants_imported']:,} applicants (a tenth "
        f"of them the crowd's own applicants, the others people no school sent) in "
        f"{result['import']['seconds']:,.1f} s, then `ost run` with an empty inbox, which "
        f"matches every held student again (the students of rejected records and files, "
        f"`none` below, have no match status):",
        "",
        "| measured | figure |",
        "|---|---|",
        f"| `ost run` (empty inbox), peak RSS of its process tree | **{_mib(peak)}** (goal "
        f"under 3 GB: {_verdict(peak)}) |",
        f"| largest RSS by quarter of the run | {_quarters(result.get('rss_timeline', []))} |",
        f"| wall time (loaded machine) | {run['seconds']:,.1f} s, exit code {run['returncode']} |",
        f"| student statuses after | {_counts(result['after']['match_statuses'])} |",
        f"| load average before / at the end | {result['load_average_before']} / "
        f"{result.get('load_average_at_end')} |",
        "",
    ]


def big_file_lines(result: dict[str, Any]) -> list[str]:
    data, ingest = result["data"], result["ingest"]
    applicants = result.get("applicants_on_record", 0)
    return [
        f"The largest file: `ost ingest {result['file']}`, one school's transmission of "
        f"{data['students']:,} students ({data['bytes'] / 1e6:,.1f} MB, "
        f"{data['records']:,} records), into a fresh SQLite OST_HOME with "
        + (f"{applicants:,} applicants imported first:" if applicants else "no applicant:"),
        "",
        "| measured | figure |",
        "|---|---|",
        f"| peak RSS of its process tree | **{_mib(ingest['peak_rss_bytes'])}** |",
        f"| largest RSS by quarter of the run | {_quarters(result.get('rss_timeline', []))} |",
        f"| wall time (loaded machine) | {ingest['seconds']:,.1f} s, exit code "
        f"{ingest['returncode']} |",
        f"| transmission status after | {_counts(result['after']['transmissions'])} |",
        f"| student statuses after | {_counts(result['after']['match_statuses'])} |",
        f"| load average before / at the end | {result['load_average_before']} / "
        f"{result.get('load_average_at_end')} |",
        "",
    ]


def memory_section(results: dict[str, dict[str, Any]]) -> list[str]:
    """The section from the stored results named in bench.memory.NAMES (none: no section)."""
    crowd, big = (results.get(name) for name in NAMES)
    with_applicants = results.get(f"{NAMES[1]}-with-applicants")
    if crowd is None and big is None and with_applicants is None:
        return []
    lines = [
        HEADING,
        "",
        "Each command a child process of the harness; peak RSS is that of the process tree, "
        "sampled every second with each process's high-water mark (bench/measure.py).",
        "",
    ]
    if crowd is not None:
        lines += crowd_lines(crowd)
    for result in (big, with_applicants):
        if result is not None:
            lines += big_file_lines(result)
    return lines


def write_memory_section(results: dict[str, dict[str, Any]], path: Path) -> None:
    """RESULTS.md with its memory section replaced, the other sections left as they are."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    path.write_text(with_section(text, memory_section(results)), encoding="utf-8")
