"""The package as users install it: the wheel, alone, in a new virtual environment."""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Left out of the copy the wheel is built from: environments, caches and work folders.
NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv", "var", "build", "bench", "tests", "*.egg-info", "__pycache__", ".*_cache"
)


def build_wheel(into: Path, tree: Path = ROOT) -> Path:
    """The project's wheel, built from a copy of `tree` (this checkout by default; the build
    writes its own folders where it runs), without its dependencies."""
    source = into / "source"
    shutil.rmtree(source, ignore_errors=True)
    shutil.copytree(tree, source, ignore=NOT_SOURCE)
    command = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(into)]
    subprocess.run([*command, str(source)], check=True, cwd=into)
    (wheel,) = into.glob("ost_pipeline-*.whl")
    return wheel


def install_alone(wheel: Path, environment: Path) -> Path:
    """A new virtual environment holding the wheel and its declared dependencies, no extras;
    its `bin/` folder."""
    venv.EnvBuilder(with_pip=True, clear=True).create(environment)
    python = environment / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "--quiet", str(wheel)], check=True)
    subprocess.run([python, "-m", "pip", "check"], check=True, capture_output=True)
    return environment / "bin"


def export_revision(revision: str, into: Path) -> Path:
    """The files of a git revision of this repository, written under `into`."""
    shutil.rmtree(into, ignore_errors=True)
    into.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", revision], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into
