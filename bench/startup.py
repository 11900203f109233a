"""Start-up time of `ost` as installed: each command a user waits for, beside the floor of any
Python command (`python -c pass`) and of anything that reads a file with polars
(`python -c "import polars"`), in the same environment, taking turns."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.measure import interleaved, median, run_child, summary
from bench.wheel import ROOT, build_wheel, install_alone

SAMPLES = ROOT / "sample_files"
FLOORS = {
    "python -c pass": ["python", "-c", "pass"],
    'python -c "import polars"': ["python", "-c", "import polars"],
}
COMMANDS = {
    "ost --help": ["ost", "--help"],
    "ost glossary G004": ["ost", "glossary", "G004"],
    "ost validate S885827.C1 (clean)": ["ost", "validate", str(SAMPLES / "S885827.C1")],
    "ost validate S871234.C1 (errors)": ["ost", "validate", str(SAMPLES / "S871234.C1")],
}
EXPECTED_EXIT = {"ost validate S871234.C1 (errors)": 1}


def installed_bin(work: Path, log: Callable[[str], None]) -> Path:
    """`bin/` of a new environment holding the wheel of the source as it is now."""
    folder = work / "startup"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    log("building the wheel and installing it alone in a new environment")
    return install_alone(build_wheel(folder), folder / "env")


def runner(bin_dir: Path, name: str, argv: list[str]) -> Callable[[], int]:
    def run() -> int:
        child = run_child([bin_dir / argv[0], *argv[1:]], cwd=bin_dir)
        if child.returncode != EXPECTED_EXIT.get(name, 0):
            raise RuntimeError(f"{name}: exit {child.returncode}: {child.stderr[-500:]}")
        return child.returncode

    return run


def compare_startup(
    work: Path, repeat: int, log: Callable[[str], None], label: str = ""
) -> dict[str, Any]:
    """Seconds of each command and floor (median of `repeat` turns after one warm-up turn),
    and each command's ratio to the polars floor."""
    bin_dir = installed_bin(work, log)
    candidates = {
        name: runner(bin_dir, name, argv) for name, argv in {**FLOORS, **COMMANDS}.items()
    }
    log(f"timing {len(candidates)} commands, {repeat} turns")
    seconds, _ = interleaved(candidates, repeat, warmup=1)
    polars_floor = median(seconds['python -c "import polars"'])
    return {
        "label": label,
        "repeat": repeat,
        "seconds": {name: summary(values) for name, values in seconds.items()},
        "over_polars_floor": {
            name: round(median(seconds[name]) / polars_floor, 2) for name in COMMANDS
        },
    }


def startup_section(results: dict[str, dict[str, Any]]) -> list[str]:
    """Every stored start-up measurement, the earlier ones (e.g. `startup-before`) first."""
    runs = [results[name] for name in sorted(results) if name.startswith("startup")]
    lines = ["## Start-up (`python -m bench startup`)", ""]
    if not runs:
        return [*lines, "Not measured yet.", ""]
    lines += [
        "The wheel built from the source, installed alone in a new environment; each command run "
        "as a child process from that environment, the candidates taking turns after one "
        "warm-up turn; the median of the runs, and its ratio to the time Python takes to "
        "import polars (the floor of any command that reads a file).",
        "",
    ]
    for run in runs:
        lines += [f"**{run.get('label') or 'now'}** ({run['repeat']} runs each):", ""]
        lines += ["| command | median | range | × polars import |", "|---|---|---|---|"]
        for name, value in run["seconds"].items():
            ratio = run["over_polars_floor"].get(name)
            shown = f"{ratio}" if ratio is not None else ""
            lines.append(
                f"| `{name}` | {value['median']:.2f} s | {value['min']:.2f}–{value['max']:.2f} s "
                f"| {shown} |"
            )
        lines.append("")
    return lines
