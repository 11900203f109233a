"""The small code tables of docs/format.md (rules/data/codes.toml)."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

CODES_PATH = Path(__file__).parent / "data" / "codes.toml"


@lru_cache(maxsize=1)
def _tables() -> dict[str, dict[str, Any]]:
    with CODES_PATH.open("rb") as handle:
        return tomllib.load(handle)


def allowed(record_type: str, name: str) -> list[str]:
    """The values a coded field accepts ("" = blank allowed)."""
    return list(_tables()[record_type][name])


def number(record_type: str, name: str) -> int:
    """A number the rules use (a passing mark, say)."""
    value = _tables()[record_type][name]
    assert isinstance(value, int), name
    return value
