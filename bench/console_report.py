"""The web console's section of RESULTS.md, from the stored `console` result."""

from __future__ import annotations

from pathlib import Path
from typing import Any

HEADING = "## Web console"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def console_section(result: dict[str, Any] | None) -> list[str]:
    if not result:
        return []
    db = result["database"]
    result = {**result, "load": result.get("load_average_at_end", [])}
    lines = [
        HEADING,
        "",
        f"`python -m bench console`: `ost serve` in its own process on 127.0.0.1, "
        f"{result['clients']} concurrent clients each asking every page "
        f"{result['requests_per_client']} times, signed in as an operator and then as the "
        f"school with the most students ({db['school']}). Database (SQLite, the batch through "
        f"`ost run`): {db['transmissions']:,} transmissions, {db['students']:,} student "
        f"records, {db['applicants']:,} applicants, {db['courses']:,} courses.",
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
    lines += [
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
        f"Load average at the end: {', '.join(f'{v:.2f}' for v in result.get('load', []))}.",
        "",
    ]
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


def write_console_section(result: dict[str, Any], path: Path) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    path.write_text(with_section(text, console_section(result)), encoding="utf-8")
