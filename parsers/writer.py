"""Records -> fixed-width lines by the layout table: the inverse of the slicer.

Used to produce sample transmissions, test files and the benchmark's provincial batch; the
product itself only reads. `record_text` formats a whole column of records at once (a frame with
a column per field); `format_record` and `format_file` format records one at a time with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

import polars as pl

from parsers.layout import RECORD_LENGTH, FieldSpec, Layout, default_layout


def field_text(spec: FieldSpec) -> pl.Expr:
    """One field as written: A left-justified, N right-justified zero-padded, blank stays blank.

    A value longer than its field is cut, as a school's system would.
    """
    value = pl.col(spec.name).fill_null("")
    if spec.type == "N":
        filled = value.str.pad_start(spec.length, "0").str.slice(0, spec.length)
        blank = value.str.strip_chars() == ""
        return pl.when(blank).then(pl.lit(" " * spec.length)).otherwise(filled)
    return value.str.pad_end(spec.length).str.slice(0, spec.length)


def record_text(record_type: str, layout: Layout | None = None) -> pl.Expr:
    """The 200-character records of `record_type`, from a frame with a column per field of its
    layout (`record_type` included), each field where the layout table places it."""
    return _record_text(record_type, layout or default_layout())


@lru_cache(maxsize=32)  # built once per record type: a record formatted alone costs no more
def _record_text(record_type: str, layout: Layout) -> pl.Expr:
    parts: list[pl.Expr] = []
    position = 1
    for spec in sorted(layout.fields_of(record_type), key=lambda spec: spec.start):
        if spec.start > position:
            parts.append(pl.lit(" " * (spec.start - position)))
        parts.append(field_text(spec))
        position = spec.end + 1
    if position <= RECORD_LENGTH:
        parts.append(pl.lit(" " * (RECORD_LENGTH - position + 1)))
    return pl.concat_str(parts).alias("text")


def format_records(
    record_type: str, rows: Sequence[Mapping[str, str]], layout: Layout | None = None
) -> list[str]:
    """Records of one type, formatted together; unknown field names raise KeyError."""
    layout = layout or default_layout()
    names = [spec.name for spec in layout.fields_of(record_type)]
    for values in rows:
        unknown = set(values) - set(names)
        if unknown:
            raise KeyError(f"{record_type} has no field {sorted(unknown)}")
    columns = {name: [values.get(name, "") for values in rows] for name in names}
    columns["record_type"] = [record_type] * len(rows)
    frame = pl.DataFrame(columns, schema=dict.fromkeys(names, pl.String))
    return frame.select(record_text(record_type, layout)).to_series().to_list()


def format_record(record_type: str, values: Mapping[str, str], layout: Layout | None = None) -> str:
    """A 200-character record: A fields left-justified, N fields right-justified zero-padded.

    A blank N value stays blank. Values longer than their field are cut, as a school's
    system would; unknown field names raise KeyError.
    """
    return format_records(record_type, [values], layout)[0]


def format_file(records: Iterable[tuple[str, Mapping[str, str]]], newline: str = "\n") -> str:
    """Records joined into a transmission's text, each line terminated (each record type
    formatted in one pass, the lines kept in their order)."""
    records = list(records)
    lines = [""] * len(records)
    by_type: dict[str, list[int]] = {}
    for index, (kind, _values) in enumerate(records):
        by_type.setdefault(kind, []).append(index)
    for kind, indexes in by_type.items():
        texts = format_records(kind, [records[index][1] for index in indexes])
        for index, text in zip(indexes, texts, strict=True):
            lines[index] = text
    return "".join(line + newline for line in lines)
