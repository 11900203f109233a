"""Start-up time of `ost` as installed: each command a user waits for, beside the floor of any
Python command (`python -c pass`) and of anything that reads a file with polars
(`python -c "import polars"`), in the same environment, taking turns."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.measure import interleaved, median, run_child, summary
from bench.wheel import ROOT, build_wheel, export_revision, install_alone

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


def installed_bin(folder: Path, log: Callable[[str], None], revision: str | None = None) -> Path:
    """`bin/` of a new environment holding the wheel of the source as it is now, or of a git
    `revision`."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    tree = ROOT if revision is None else export_revision(revision, folder / "tree")
    log(f"installing the wheel of {revision or 'the source'} alone in {folder / 'env'}")
    return install_alone(build_wheel(folder, tree), folder / "env")


def runner(bin_dir: Path, name: str, argv: list[str]) -> Callable[[], int]:
    def run() -> int:
        child = run_child([bin_dir / argv[0], *argv[1:]], cwd=bin_dir)
        if child.returncode != EXPECTED_EXIT.get(name, 0):
            raise RuntimeError(f"{name}: exit {child.returncode}: {child.stderr[-500:]}")
        return child.returncode

    return run


def compare_startup(
    work: Path, repeat: int, log: Callable[[str], None], against: str | None = None
) -> dict[str, Any]:
    """Seconds of each command and floor (median of `repeat` turns after one warm-up turn),
    and each command's ratio to the polars floor; with `against`, the commands of that git
    revision too, installed the same way and taking the same turns."""
    now = installed_bin(work / "startup" / "now", log)
    candidates = {name: runner(now, name, argv) for name, argv in FLOORS.items()}
    installs = {"now": now}
    if against:
        installs[against] = installed_bin(work / "startup" / "against", log, against)
    for tag, bin_dir in installs.items():
        for name, argv in COMMANDS.items():
            candidates[f"{name} [{tag}]"] = runner(bin_dir, name, argv)
    log(f"timing {len(candidates)} commands, {repeat} turns")
    seconds, _ = interleaved(candidates, repeat, warmup=1)
    polars_floor = median(seconds['python -c "import polars"'])
    return {
        "against": against,
        "repeat": repeat,
        "seconds": {name: summary(values) for name, values in seconds.items()},
        "over_polars_floor": {
            name: round(median(values) / polars_floor, 2)
            for name, values in seconds.items()
            if name not in FLOORS
        },
    }


def startup_section(results: dict[str, dict[str, Any]]) -> list[str]:
    lines = ["## Start-up (`python -m bench startup`)", ""]
    run = results.get("startup")
    if run is None:
        return [*lines, "Not measured yet.", ""]
    against = run.get("against")
    lines += [
        "Each command as a user runs it: the wheel built from the source, installed alone in a "
        "new environment, each command a child process of that environment"
        + (f", beside the same commands installed from `{against}`" if against else "")
        + f"; every candidate {run['repeat']} times, taking turns after one warm-up turn. The "
        "median, and its ratio to the time Python takes to `import polars` in the same "
        "environment (the floor of any command that reads a file). Load average at the end: "
        f"{run.get('load_average_at_end')}.",
        "",
        "| command | median | range | × `import polars` |",
        "|---|---|---|---|",
    ]
    for name, value in run["seconds"].items():
        ratio = run["over_polars_floor"].get(name, "")
        lines.append(
            f"| `{name}` | {value['median']:.2f} s | {value['min']:.2f}–{value['max']:.2f} s "
            f"| {ratio} |"
        )
    return [*lines, ""]
