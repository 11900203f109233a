"""The OST record layout (SPEC 2.2), loaded from the declarative table in parsers/data/."""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

RECORD_LENGTH = 200
LAYOUT_ENV = "OST_LAYOUT"
DEFAULT_LAYOUT_PATH = Path(__file__).parent / "data" / "layout.csv"

FieldType = Literal["A", "N"]


class LayoutError(ValueError):
    """The layout table itself is malformed (a configuration problem, not a data problem)."""


@dataclass(frozen=True)
class FieldSpec:
    """One field of one record type: 1-based inclusive positions, as printed in the spec."""

    record_type: str
    name: str
    start: int
    end: int
    type: FieldType

    @property
    def length(self) -> int:
        return self.end - self.start + 1


@dataclass(frozen=True)
class Layout:
    """Every record type's fields, in position order."""

    fields: tuple[FieldSpec, ...]

    @property
    def record_types(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(spec.record_type for spec in self.fields))

    def fields_of(self, record_type: str) -> tuple[FieldSpec, ...]:
        return tuple(spec for spec in self.fields if spec.record_type == record_type)

    def field(self, record_type: str, name: str) -> FieldSpec:
        for spec in self.fields_of(record_type):
            if spec.name == name:
                return spec
        raise KeyError(f"{record_type}.{name}")


def _parse_row(row: dict[str, str], path: Path, number: int) -> FieldSpec:
    try:
        kind = row["type"].strip()
        if kind not in ("A", "N"):
            raise ValueError(f"type {kind!r} is neither A nor N")
        spec = FieldSpec(
            record_type=row["record_type"].strip(),
            name=row["field"].strip(),
            start=int(row["start"]),
            end=int(row["end"]),
            type="A" if kind == "A" else "N",
        )
    except (KeyError, ValueError, TypeError) as error:
        raise LayoutError(f"{path}: row {number}: {error}") from None
    if not 1 <= spec.start <= spec.end <= RECORD_LENGTH:
        raise LayoutError(f"{path}: row {number}: positions {spec.start}-{spec.end} out of range")
    return spec


def load_layout(path: Path | None = None) -> Layout:
    """Read a layout table (record_type, field, start, end, type)."""
    source = path or Path(os.environ.get(LAYOUT_ENV) or DEFAULT_LAYOUT_PATH)
    with source.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return Layout(tuple(_parse_row(row, source, n) for n, row in enumerate(rows, start=2)))


@lru_cache(maxsize=1)
def default_layout() -> Layout:
    """The layout in force: `OST_LAYOUT` if set, else the packaged 2026 edition."""
    return load_layout()
