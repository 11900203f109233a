"""Records -> fixed-width lines by the layout table: the inverse of the slicer.

Used to produce sample transmissions and test files; the product itself only reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from parsers.layout import RECORD_LENGTH, Layout, default_layout


def format_record(record_type: str, values: Mapping[str, str], layout: Layout | None = None) -> str:
    """A 200-character record: A fields left-justified, N fields right-justified zero-padded.

    A blank N value stays blank. Values longer than their field are cut, as a school's
    system would; unknown field names raise KeyError.
    """
    layout = layout or default_layout()
    specs = {spec.name: spec for spec in layout.fields_of(record_type)}
    unknown = set(values) - set(specs)
    if unknown:
        raise KeyError(f"{record_type} has no field {sorted(unknown)}")
    line = [" "] * RECORD_LENGTH
    for name, spec in specs.items():
        value = record_type if name == "record_type" else values.get(name, "")
        if spec.type == "N" and value.strip():
            text = value.rjust(spec.length, "0")[: spec.length]
        else:
            text = value.ljust(spec.length)[: spec.length]
        line[spec.start - 1 : spec.end] = list(text)
    return "".join(line)


def format_file(records: Iterable[tuple[str, Mapping[str, str]]], newline: str = "\n") -> str:
    """Records joined into a transmission's text, each line terminated."""
    return "".join(format_record(kind, values) + newline for kind, values in records)
