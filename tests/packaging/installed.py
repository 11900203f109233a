"""The package as a school or an operator installs it: the wheel alone, in a new environment."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from bench.wheel import ROOT

SAMPLES = ROOT / "sample_files"
# What a missing dependency or an unplanned failure looks like on any stream.
BROKEN = ("Traceback (most recent call last)", "ModuleNotFoundError", "No module named")


@dataclass(frozen=True)
class Step:
    """One command line, the exit code it must end with, and the inbox files it needs first.

    `{samples}` and `{work}` in the arguments stand for sample_files/ and a scratch folder.
    """

    args: str
    exit_code: int
    inbox: tuple[str, ...] = ()
    stdout_has: str = ""
    stderr_has: str = ""
    extra_env: dict[str, str] = field(default_factory=dict)
    stdin: str = ""  # what the user types (a password, say)

    def argv(self, work: Path) -> list[str]:
        return [part.format(samples=SAMPLES, work=work) for part in self.args.split()]


def clean_env(home: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a user's shell: no OST_ setting but OST_HOME, no PYTHONPATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OST_", "PYTHON"))}
    return {**env, "OST_HOME": str(home), "OST_SETTLE_SECONDS": "0", **(extra or {})}


def run_step(bin_dir: Path, step: Step, home: Path, work: Path) -> subprocess.CompletedProcess[str]:
    for name in step.inbox:
        (home / "inbox").mkdir(parents=True, exist_ok=True)
        shutil.copy(SAMPLES / name, home / "inbox" / name)
    return subprocess.run(
        [bin_dir / "ost", *step.argv(work)],
        input=step.stdin,
        capture_output=True,
        text=True,
        env=clean_env(home, step.extra_env),
        cwd=work,  # not the checkout: only the installed package can be imported
        timeout=300,
        check=False,
    )


def problems(step: Step, run: subprocess.CompletedProcess[str]) -> list[str]:
    """What is wrong with one step's run; empty when it behaved."""
    found = [f"exit {run.returncode}, expected {step.exit_code}"] * (
        run.returncode != step.exit_code
    )
    found += [f"{text!r} in the output" for text in BROKEN if text in run.stdout + run.stderr]
    if step.stdout_has not in run.stdout:
        found.append(f"stdout lacks {step.stdout_has!r}")
    if step.stderr_has not in run.stderr:
        found.append(f"stderr lacks {step.stderr_has!r}")
    if run.returncode == 2 and len(run.stderr.strip().splitlines()) != 1:
        found.append("a command that could not run must say why in one line")
    return found


@dataclass(frozen=True)
class Service:
    """A command that runs until stopped: the start of the line it prints once it is ready."""

    args: str
    ready: str
