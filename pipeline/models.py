"""The database schema (sqlmodel): transmissions, their records, applicants, courses, history."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from parsers.layout import SCHOOL_TIMEZONE as SCHOOL_TIMEZONE  # stored in UTC

# docs/rules.md: what became of a received file.
TRANSMISSION_STATUSES = (
    "received",
    "processing",
    "processed",
    "partially processed",
    "rejected",
    "failed",
    "duplicate",
)
# Done with; a transmission in one of the unfinished ones may have been interrupted while its
# records or files were written.
FINAL_STATUSES = ("processed", "partially processed", "rejected")
MERGED_STATUSES = ("processed", "partially processed")  # a rejected file merges nothing
UNFINISHED_STATUSES = ("received", "processing", "failed")


class Transmission(SQLModel, table=True):
    """One received file and what became of it (docs/rules.md statuses)."""

    id: int | None = Field(default=None, primary_key=True)
    file_name: str = Field(max_length=255)
    sha256: str = Field(max_length=64, index=True)
    size: int
    mident: str | None = Field(default=None, max_length=6, index=True)
    transmission_number: str | None = Field(default=None, max_length=1)
    created_at: datetime | None = None  # the T1 header's creation timestamp
    received_at: datetime
    processed_at: datetime | None = None
    status: str = Field(max_length=32, index=True)
    students: int = 0
    grades: int = 0
    errors: int = 0
    warnings: int = 0
    failure_reason: str | None = None
    duplicate_of: int | None = Field(default=None, foreign_key="transmission.id")
    contact_email: str | None = Field(default=None, max_length=60)
    encoding: str | None = Field(default=None, max_length=16)
    summary_json: str | None = None  # matching and merge counts of the last processing
    # Attempts that never ended because the process died (the run sets it aside after some).
    interrupted_attempts: int = 0


class StudentRecord(SQLModel, table=True):
    """An S1 record as received, with its disposition and current match decision."""

    __table_args__ = (
        Index("ix_student_record_match", "match_status"),
        # The console finds a student by number (migration 0009).
        Index("ix_studentrecord_student_number", "student_number"),
    )

    id: int | None = Field(default=None, primary_key=True)
    transmission_id: int = Field(foreign_key="transmission.id", index=True)
    line: int
    mident: str = Field(max_length=6)
    student_number: str = Field(max_length=12)
    oen: str | None = Field(default=None, max_length=9)
    surname: str = Field(max_length=30)
    first_name: str = Field(max_length=20)
    middle_name: str | None = Field(default=None, max_length=20)
    birth_date: date | None = None
    gender: str | None = Field(default=None, max_length=1)
    # docs/record.md: the S1 facts of the record (migration 0007); null when not reported or
    # ignored for an invalid value (S007, S008).
    community_involvement: str | None = Field(default=None, max_length=1)
    literacy_requirement: str | None = Field(default=None, max_length=1)
    grad_status: str | None = Field(default=None, max_length=1)
    ossd_issue_date: date | None = None
    shsm_sector: str | None = Field(default=None, max_length=3)
    accepted: bool
    match_status: str | None = Field(default=None, max_length=16)
    application_number: str | None = Field(default=None, max_length=32, index=True)


class GradeRecord(SQLModel, table=True):
    """A G1 record as received, tied to its S1 (so replays and re-matching need no file).

    Identified by its transmission and physical line (migration 0006).
    """

    # Links kept by the ingest's transaction, not checked per row (migration 0002).
    transmission_id: int = Field(primary_key=True)
    student_record_id: int | None = Field(default=None, index=True)
    line: int = Field(primary_key=True)
    student_number: str = Field(max_length=12)
    course_code: str = Field(max_length=6)
    completion_date: str = Field(max_length=6)
    grade_type: str = Field(max_length=1)
    mark: str = Field(max_length=3)
    credit_value: str = Field(max_length=4)
    course_status: str = Field(max_length=1)
    delivery_type: str = Field(max_length=1)
    course_type: str = Field(max_length=1)
    course_mident: str = Field(max_length=6)
    language: str = Field(max_length=1)
    notes: str = Field(max_length=5)
    supplier_mident: str = Field(max_length=6)
    course_title: str = Field(max_length=40)
    accepted: bool


class Applicant(SQLModel, table=True):
    """A college applicant (imported from the application system, docs/matching.md)."""

    application_number: str = Field(primary_key=True, max_length=32)
    account_number: str | None = Field(default=None, max_length=32)
    # At least one of the two names (docs/matching.md); the birth date may be unknown.
    first_name: str | None = Field(default=None, max_length=60)
    middle_name: str | None = Field(default=None, max_length=60)
    last_name: str | None = Field(default=None, max_length=60)
    previous_last_name: str | None = Field(default=None, max_length=60)
    birth_date: date | None = None
    oen: str | None = Field(default=None, max_length=9, index=True)
    gender: str | None = Field(default=None, max_length=1)
    school_midents: str = ""  # ";"-separated, as imported
    paid: bool = False
    international: bool = False
    updated_at: datetime


class Course(SQLModel, table=True):
    """A course on an applicant's academic record, identified as in docs/merging.md.

    On PostgreSQL its key columns, here and in `CourseChange`, are in the "C" collation
    (migration 0005): a comparison with a column of another collation needs an explicit COLLATE.
    """

    __table_args__ = (
        UniqueConstraint(
            "application_number",
            "course_code",
            "completion_date",
            "delivery_type",
            name="uq_course_identity",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    # Kept by the ingest, which writes courses only for applicants it matched (migration 0003).
    application_number: str = Field(max_length=32)
    course_code: str = Field(max_length=6)
    completion_date: str = Field(max_length=6)
    delivery_type: str = Field(max_length=1)
    mident: str = Field(max_length=6)  # not indexed: only an export filters by it (0005)
    student_number: str = Field(max_length=12)
    grade_type: str = Field(max_length=1)
    mark: str = Field(max_length=3)
    credit_value: str = Field(max_length=4)
    course_status: str = Field(max_length=1)
    course_type: str = Field(max_length=1)
    notes: str = Field(max_length=5)
    # The school where the course was taken (the sending school for a blank or 000000 course
    # MIDENT), the supplier school (blank when none) and the title (migration 0007).
    # Blank in the database for rows written without them; no default on the Python side,
    # so that a statement written for an older schema stays valid.
    course_mident: str = Field(sa_column=Column(String(6), nullable=False, server_default=""))
    supplier_mident: str = Field(sa_column=Column(String(6), nullable=False, server_default=""))
    course_title: str = Field(sa_column=Column(String(40), nullable=False, server_default=""))
    transmission_id: int  # kept by the ingest's transaction (migration 0002)
    source_created_at: datetime  # header timestamp of the transmission that last changed it


class CourseChange(SQLModel, table=True):
    """Every change to an applicant's courses, with the transmission that made it
    (docs/merging.md)."""

    id: int | None = Field(default=None, primary_key=True)
    application_number: str = Field(max_length=32, index=True)
    course_code: str = Field(max_length=6)
    completion_date: str = Field(max_length=6)
    delivery_type: str = Field(max_length=1)
    action: str = Field(max_length=8)  # insert | update | delete
    old_values: str | None = None  # JSON
    new_values: str | None = None  # JSON
    # Kept by the ingest's transaction (0002); not indexed, nothing looks changes up by it (0004).
    transmission_id: int
    changed_at: datetime


class MatchDecision(SQLModel, table=True):
    """Every match decision taken for a student record, with its reason (docs/matching.md)."""

    # The console's applicant page reads the decisions of one applicant (migration 0009).
    __table_args__ = (Index("ix_matchdecision_application_number", "application_number"),)

    id: int | None = Field(default=None, primary_key=True)
    student_record_id: int = Field(foreign_key="studentrecord.id", index=True)
    status: str = Field(max_length=16)
    application_number: str | None = Field(default=None, max_length=32)
    codes: str = ""  # ";"-separated glossary codes
    agreed: str = ""  # ";"-separated fields that agreed
    reason: str = ""
    candidates: str = ""
    decided_at: datetime
    weight: float | None = None  # the total weight of the evidence (migration 0008)
    evidence: str | None = None  # JSON: fields with level and weight, candidates beaten


class ReviewDecision(SQLModel, table=True):
    """An operator's decision on a held student (docs/review.md), kept for good.

    Keyed by the school and the student number, so that it holds for the student's later
    records too; `student_record_id` is the record the operator looked at.
    """

    __table_args__ = (Index("ix_reviewdecision_student", "mident", "student_number"),)

    id: int | None = Field(default=None, primary_key=True)
    mident: str = Field(max_length=6)
    student_number: str = Field(max_length=12)
    student_record_id: int | None = None
    action: str = Field(max_length=8)  # accept | reject | link | unlink
    application_number: str = Field(max_length=32)
    decided_by: str = Field(max_length=64)
    decided_at: datetime
    reason: str
    evidence: str | None = None  # JSON: what the operator was shown


class MergeFinding(SQLModel, table=True):
    """A-code and M-code findings of a transmission (matching and merge), for its reports."""

    id: int | None = Field(default=None, primary_key=True)
    transmission_id: int = Field(foreign_key="transmission.id", index=True)
    code: str = Field(max_length=4)
    line: int | None = None
    record_type: str | None = Field(default=None, max_length=2)
    field: str | None = Field(default=None, max_length=32)
    value: str | None = None
    expected: str | None = None
    application_number: str | None = Field(default=None, max_length=32)
    created_at: datetime


class Run(SQLModel, table=True):
    """One batch (`ost run`): what it processed and how long it took."""

    id: int | None = Field(default=None, primary_key=True)
    trigger: str = Field(max_length=16)  # manual | scheduled
    started_at: datetime
    finished_at: datetime | None = None
    status: str = Field(max_length=16)  # running | finished | failed | interrupted (killed)
    files: int = 0
    rematched: int = 0
    summary_json: str | None = None


class RunLock(SQLModel, table=True):
    """At most one batch at a time, across processes and hosts (one row per lock name)."""

    name: str = Field(primary_key=True, max_length=32)
    holder: str = Field(max_length=128)  # host:pid
    acquired_at: datetime
    heartbeat_at: datetime


USER_ROLES = ("operator", "school")


class ConsoleUser(SQLModel, table=True):
    """An account of the web console (migration 0009): an operator, or a school with its
    MIDENTs (";"-separated; a board has several)."""

    name: str = Field(primary_key=True, max_length=64)
    role: str = Field(max_length=16)
    midents: str = ""
    password_hash: str
    disabled: bool = False
    created_at: datetime
    password_changed_at: datetime
