"""Every code the product emits is in the glossary, and every glossary code is emitted somewhere."""

from __future__ import annotations

import re
from pathlib import Path

from error_glossary import glossary

ROOT = Path(__file__).parents[2]
EMITTING_PACKAGES = ("parsers", "rules", "matching", "pipeline")
CODE_LITERAL = re.compile(r"""["']([FRSGAM]\d{3})["']""")


def emitted_codes() -> set[str]:
    found: set[str] = set()
    for package in EMITTING_PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            found |= set(CODE_LITERAL.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_emitted_code_is_in_the_glossary() -> None:
    assert emitted_codes() - set(glossary()) == set()


def test_no_glossary_code_is_unused() -> None:
    assert set(glossary()) - emitted_codes() == set()
