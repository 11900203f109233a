"""The repository stands alone: its texts cite its own docs/, never a document it does not hold."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Spelled in pieces, so that this file does not match itself.
OUTSIDE_DOCUMENT = re.compile(
    r"\b" + "SP" + r"EC\b|\b" + "STY" + r"LE\b|\bthe " + "sp" + r"ec\b|" + "SP" + r"EC\.md"
)
OWN_DOCS = ("format.md", "rules.md", "matching.md", "merging.md", "commands.md")


def tracked_text_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    paths = [ROOT / name.decode() for name in listed if name and not name.startswith(b".venv/")]
    return [path for path in paths if path.is_file() and b"\0" not in path.read_bytes()[:8192]]


def outside_citations(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if OUTSIDE_DOCUMENT.search(line)]


def test_the_pattern_catches_citations_and_spares_names() -> None:
    caught = (
        "# " + "SP" + "EC 6: merge order",
        "(" + "STY" + "LE: pure logic)",
        "as in the " + "spec",
    )
    spared = "SEVERITY_STYLE = {}", "for spec in layout.fields", "colspecs=[]", "<style>"
    assert all(outside_citations(line) for line in caught)
    assert not any(outside_citations(line) for line in spared)


def test_no_tracked_text_cites_a_document_outside_the_repository() -> None:
    found = {
        str(path.relative_to(ROOT)): lines
        for path in tracked_text_files()
        if (lines := outside_citations(path.read_text(encoding="utf-8", errors="replace")))
    }
    assert found == {}


def test_the_contract_is_in_docs() -> None:
    for name in OWN_DOCS:
        text = (ROOT / "docs" / name).read_text(encoding="utf-8")
        assert text.startswith("# ") and len(text) > 1500, name
