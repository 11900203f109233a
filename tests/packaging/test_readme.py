"""The README's shell examples, run as written on the sample files: every `ost` line works."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DOCUMENTS = ("README.md", "sample_files/README.md")
SHELL_BLOCK = re.compile(r"^ *```sh\n(.*?)^ *```", re.MULTILINE | re.DOTALL)
# Lines that set up rather than use the product: installing is what tests/packaging checks
# with the wheel; exports name a production server (the examples run on SQLite here).
NOT_RUN = re.compile(r"^(export |\./scripts/|python3? -m |\S*pip |pipx )")
OST = re.compile(r"^\S*\bost(?= )")


def examples(document: str) -> list[str]:
    """The `ost` command lines of the document's ```sh blocks, comments removed, in order."""
    lines = []
    for block in SHELL_BLOCK.findall((ROOT / document).read_text(encoding="utf-8")):
        for line in block.splitlines():
            command = re.sub(r"\s+#.*$", "", line).strip()
            if command and not NOT_RUN.match(command):
                lines.append(OST.sub("ost", command))
    return lines


def test_the_examples_are_found() -> None:
    found = examples("README.md")
    assert "ost applicants import sample_files/applicants.csv" in found
    assert all(line.startswith("ost ") for line in found), found


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_example_works_on_the_sample_files(tmp_path: Path, document: str) -> None:
    (tmp_path / "sample_files").symlink_to(ROOT / "sample_files")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("OST_")},
        "OST_HOME": str(tmp_path / "home"),
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
    }
    for command in examples(document):
        run = subprocess.run(
            ["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True
        )
        # 1 is a data error in a file, which the examples show on purpose; 2 and more: broken.
        assert run.returncode in (0, 1), f"{command}: exit {run.returncode}\n{run.stderr}"
        refusals = [line for line in run.stderr.splitlines() if line.startswith("ost: ")]
        assert refusals == [] and "Traceback" not in run.stderr, f"{command}\n{run.stderr}"
