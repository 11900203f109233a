"""The OST record layout (docs/format.md), loaded from the declarative table in parsers/data/."""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

# The header timestamps are the school's local time (Ontario), never UTC (docs/format.md).
SCHOOL_TIMEZONE = ZoneInfo("America/Toronto")

RECORD_LENGTH = 200
LAYOUT_ENV = "OST_LAYOUT"
DEFAULT_LAYOUT_PATH = Path(__file__).parent / "data" / "layout.csv"

FieldType = Literal["A", "N"]


class LayoutError(ValueError):
    """The layout table itself is malformed (a configuration problem, not a data problem)."""


@dataclass(frozen=True)
class FieldSpec:
    """One field of one record type: 1-based inclusive positions, as docs/format.md prints them."""

    record_type: str
    name: str
    start: int
    end: int
    type: FieldType

    @property
    def length(self) -> int:
        return self.end - self.start + 1

    def text(self, line: str) -> str:
        """This field's characters of a record line (fewer, or none, past its end)."""
        return line[self.start - 1 : self.end]


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


def _parse_row(row: dict[str, str | None], path: Path, number: int) -> FieldSpec:
    if any(row.get(key) is None for key in ("record_type", "field", "start", "end", "type")):
        raise LayoutError(f"{path}: row {number}: needs record_type, field, start, end and type")
    try:
        kind = str(row["type"]).strip()
        if kind not in ("A", "N"):
            raise ValueError(f"type {kind!r} is neither A nor N")
        spec = FieldSpec(
            record_type=str(row["record_type"]).strip(),
            name=str(row["field"]).strip(),
            start=int(str(row["start"])),
            end=int(str(row["end"])),
            type="A" if kind == "A" else "N",
        )
    except (KeyError, ValueError, TypeError) as error:
        raise LayoutError(f"{path}: row {number}: {error}") from None
    if not 1 <= spec.start <= spec.end <= RECORD_LENGTH:
        raise LayoutError(f"{path}: row {number}: positions {spec.start}-{spec.end} out of range")
    return spec


def _check_record(path: Path, fields: tuple[FieldSpec, ...]) -> None:
    """A record's fields start at column 1, do not overlap, and are named once."""
    names = [spec.name for spec in fields]
    duplicated = sorted({name for name in names if names.count(name) > 1})
    if duplicated:
        raise LayoutError(f"{path}: {fields[0].record_type} names {duplicated} more than once")
    ordered = sorted(fields, key=lambda spec: spec.start)
    if ordered[0].start != 1:
        raise LayoutError(f"{path}: {fields[0].record_type} does not start at column 1")
    for before, after in zip(ordered, ordered[1:], strict=False):
        if after.start <= before.end:
            raise LayoutError(f"{path}: {after.record_type}.{after.name} overlaps {before.name}")


def load_layout(path: Path | None = None) -> Layout:
    """Read and check a layout table (record_type, field, start, end, type)."""
    source = path or Path(os.environ.get(LAYOUT_ENV) or DEFAULT_LAYOUT_PATH)
    with source.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    layout = Layout(tuple(_parse_row(row, source, n) for n, row in enumerate(rows, start=2)))
    if not layout.fields:
        raise LayoutError(f"{source}: the layout table is empty")
    for record_type in layout.record_types:
        _check_record(source, layout.fields_of(record_type))
    return layout


@lru_cache(maxsize=1)
def default_layout() -> Layout:
    """The layout in force: `OST_LAYOUT` if set, else the packaged 2026 edition."""
    return load_layout()


def merge_order(head: str, layout: Layout | None = None) -> tuple[str, str]:
    """(MIDENT, creation date and time) from the T1 header at the start of `head`: the order
    in which docs/merging.md processes transmissions."""
    fields = layout or default_layout()
    created = (fields.field("T1", name).text(head) for name in ("creation_date", "creation_time"))
    return fields.field("T1", "mident").text(head), "".join(created)
