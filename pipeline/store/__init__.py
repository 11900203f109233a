"""Every read and write of the database, by table family; the rest of the product calls these.

`core` holds the helpers all families share (tables, chunks, frames, bulk writes).
"""

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
