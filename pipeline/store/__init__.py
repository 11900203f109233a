"""Every read and write of the database, by table family; the rest of the product calls these.

`core` holds the helpers all families share (tables, chunks, frames, bulk writes). The names
below load their module on first use: a command that needs one family (`ost review list`
reads the queue) does not load the others, nor the matcher that the applicants' module uses.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipeline.store.applicants import load_applicant_pool, load_applicants
    from pipeline.store.core import (
        CHUNK,
        bulk_insert,
        bulk_update,
        bulk_upsert,
        chunks,
        frame,
        insert_rows,
        refresh_statistics,
        table,
    )
    from pipeline.store.courses import (
        STUDENT_SCHEMA,
        apply_plan,
        carried_courses,
        deleted_courses,
        held_grades,
        matched_students,
        read_courses,
        save_decisions,
        save_findings,
        save_grades,
        save_students,
        stored_courses,
        unmatched_students,
    )
    from pipeline.store.transmissions import (
        add_transmission,
        clear_records,
        get_transmission,
        previous_receipt,
        summary_of,
        unfinished_transmissions,
        update_transmission,
    )

# The module of pipeline/store/ that defines each name.
_HOMES = {
    "CHUNK": "core",
    "STUDENT_SCHEMA": "courses",
    "add_transmission": "transmissions",
    "apply_plan": "courses",
    "bulk_insert": "core",
    "bulk_update": "core",
    "bulk_upsert": "core",
    "carried_courses": "courses",
    "chunks": "core",
    "clear_records": "transmissions",
    "deleted_courses": "courses",
    "frame": "core",
    "get_transmission": "transmissions",
    "held_grades": "courses",
    "insert_rows": "core",
    "load_applicant_pool": "applicants",
    "load_applicants": "applicants",
    "matched_students": "courses",
    "previous_receipt": "transmissions",
    "read_courses": "courses",
    "refresh_statistics": "core",
    "save_decisions": "courses",
    "save_findings": "courses",
    "save_grades": "courses",
    "save_students": "courses",
    "stored_courses": "courses",
    "summary_of": "transmissions",
    "table": "core",
    "unfinished_transmissions": "transmissions",
    "unmatched_students": "courses",
    "update_transmission": "transmissions",
}

__all__ = [
    "CHUNK",
    "STUDENT_SCHEMA",
    "add_transmission",
    "apply_plan",
    "bulk_insert",
    "bulk_update",
    "bulk_upsert",
    "carried_courses",
    "chunks",
    "clear_records",
    "deleted_courses",
    "frame",
    "get_transmission",
    "held_grades",
    "insert_rows",
    "load_applicant_pool",
    "load_applicants",
    "matched_students",
    "previous_receipt",
    "read_courses",
    "refresh_statistics",
    "save_decisions",
    "save_findings",
    "save_grades",
    "save_students",
    "stored_courses",
    "summary_of",
    "table",
    "unfinished_transmissions",
    "unmatched_students",
    "update_transmission",
]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{_HOMES[name]}"), name)
    globals()[name] = value  # found directly from now on
    return value
