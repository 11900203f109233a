"""The web console's section of RESULTS.md, from the stored `console` result."""

from __future__ import annotations

from pathlib import Path
from typing import Any

HEADING = "## Web console"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def _loads(values: list[float]) -> str:
    return ", ".join(f"{value:.2f}" for value in values) or "not recorded"


def measurement(result: dict[str, Any]) -> list[str]:
    """One stored measurement: the database, each page's times, the upload, the load."""
    db = result["database"]
    backend = "PostgreSQL" if result.get("backend") == "postgresql" else "SQLite"
    run = f", `ost run` {db['ost_run_seconds']:,.0f} s" if "ost_run_seconds" in db else ""
    lines = [
        f"### {backend}, scale {result.get('scale', 1):g}"
        + (f" ({result['label']})" if result.get("label") else ""),
        "",
        f"{result['clients']} concurrent clients each asking every page "
        f"{result['requests_per_client']} times"
        + (
            f" (`ost serve` making {result['page_turns']} pages at a time)"
            if "page_turns" in result
            else ""
        )
        + ", signed in as an operator and then as the "
        f"school with the most students ({db['school']}). Database ({backend}, the batch "
        f"through `ost run`{run}): {db['transmissions']:,} transmissions, "
        f"{db['students']:,} student records, {db['applicants']:,} applicants, "
        f"{db['courses']:,} courses"
        + (f", {db['course_changes']:,} course changes" if "course_changes" in db else "")
        + (f", {db['held']:,} students held for review" if "held" in db else "")
        + ".",
        "",
        "| page | who | median | p95 | p95 / 200 ms goal |",
        "|---|---|---|---|---|",
    ]
    for who, pages in result["pages"].items():
        for name, page in pages.items():
            ratio = page["p95"] / 0.200
            lines.append(
                f"| {name} | {who} | {_ms(page['median'])} | {_ms(page['p95'])} | {ratio:.2f} |"
            )
    upload = result["upload"]
    return [
        *lines,
        "",
        f"Every page's p95 under 200 ms: {'yes' if result['pages_goal_met'] else 'no'} "
        f"(worst {_ms(result['worst_p95'])}).",
        "",
        f"Upload of a {upload['bytes'] / 2**20:.1f} MiB file, checked and queued: median "
        f"{_ms(upload['upload']['median'])}, slowest {_ms(upload['upload']['max'])} (goal 2 s: "
        f"{'met' if upload['goal_met'] else 'missed'}); the same bytes through `ost validate`'s "
        f"rules in process: median {_ms(upload['validate_in_process']['median'])}; upload / "
        f"validate = {upload['ratio_upload_to_validate']:.2f}.",
        "",
        f"Load average before: {_loads(result.get('load_average_before', []))}; at the end: "
        f"{_loads(result.get('load_average_at_end', []))}.",
        "",
        *([result["note"], ""] if result.get("note") else []),
    ]


def console_section(results: list[dict[str, Any]]) -> list[str]:
    """The section: every stored measurement, SQLite first, the largest scale first."""
    if not results:
        return []
    ordered = sorted(
        results, key=lambda r: (r.get("backend", "sqlite"), -r.get("scale", 1), "label" in r)
    )
    lines = [
        HEADING,
        "",
        "`python -m bench console [--scale S] [--console-backend postgres]`: `ost serve` in its "
        "own process on 127.0.0.1, the clients threads of the harness; the database is built "
        "once per scale and backend under --work and reused. The machine has two processors: "
        "with a load average above 2, the server waited for them, and the times include that "
        "wait (the load average is given with each measurement).",
        "",
    ]
    for result in ordered:
        lines += measurement(result)
    return lines


def with_section(text: str, section: list[str]) -> str:
    """RESULTS.md with the section of the same heading (its first line) replaced, or added at
    the end; the other sections are left as they are."""
    if not section:
        return text
    heading = section[0]
    lines = text.rstrip("\n").split("\n")
    if heading in lines:
        start = lines.index(heading)
        end = next(
            (i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines)
        )
        lines = lines[:start] + section + lines[end:]
    else:
        lines = [*lines, "", *section]
    return "\n".join(lines).rstrip() + "\n"


def write_console_section(results: list[dict[str, Any]], path: Path) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    path.write_text(with_section(text, console_section(results)), encoding="utf-8")
