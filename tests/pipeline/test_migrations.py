"""Schema migrations: a database made by an earlier migration is brought to the newest one."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, inspect, select, text

from pipeline.database import (
    alembic_config,
    head_revision,
    make_engine,
    migrate,
    open_database,
    schema_is_current,
)
from pipeline.models import Applicant, Course, GradeRecord, Transmission
from pipeline.store import table

NOW = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)


def engine_at(database_url: str, revision: str) -> Engine:
    """An engine on a database migrated only as far as `revision`."""
    engine = make_engine(database_url)
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    return engine


def add_transmission(conn: Connection, status: str) -> None:
    conn.execute(
        text(
            "INSERT INTO transmission (id, file_name, sha256, size, status, received_at, "
            "students, grades, errors, warnings) "
            "VALUES (1, 'S1.C1', :sha, 1, :status, :now, 1, 1, 0, 0)"
        ),
        {"sha": "0" * 64, "now": NOW, "status": status},
    )


def test_records_survive_the_move_to_links_kept_by_the_ingest(database_url: str) -> None:
    engine = engine_at(database_url, "0001")
    with engine.begin() as conn:
        add_transmission(conn, "processed")
        conn.execute(
            text(
                "INSERT INTO studentrecord (id, transmission_id, line, mident, student_number, "
                "surname, first_name, accepted) VALUES (1, 1, 2, '885827', '1', 'NG', 'LI', :yes)"
            ),
            {"yes": True},
        )
        grade = dict.fromkeys(("student_number", "course_code", "completion_date"), "")
        grade |= {"grade_type": "F", "mark": "085", "credit_value": "0100", "course_status": ""}
        grade |= {"delivery_type": "D", "course_type": "U", "course_mident": "885827"}
        grade |= {"language": "E", "notes": "", "supplier_mident": "", "course_title": ""}
        conn.execute(
            table(GradeRecord)
            .insert()
            .values(transmission_id=1, student_record_id=1, line=3, accepted=True, **grade)
        )
        conn.execute(
            table(Applicant)
            .insert()
            .values(
                application_number="A1",
                first_name="LI",
                last_name="NG",
                birth_date=date(2008, 3, 1),
                updated_at=NOW,
            )
        )
        identity = {"course_code": "ENG4U", "completion_date": "202606", "delivery_type": "D"}
        course = {k: grade[k] for k in ("grade_type", "mark", "credit_value", "course_status")}
        course |= {"mident": "885827", "student_number": "1", "course_type": "U", "notes": ""}
        conn.execute(
            table(Course)
            .insert()
            .values(
                application_number="A1",
                transmission_id=1,
                source_created_at=NOW,
                **identity,
                **course,
            )
        )
    migrate(engine)
    with engine.connect() as conn:
        assert conn.execute(select(table(GradeRecord).c.line)).scalars().all() == [3]
        courses = conn.execute(select(table(Course).c.application_number, table(Course).c.mark))
        assert [tuple(row) for row in courses] == [("A1", "085")]
        links = {name: inspect(conn).get_foreign_keys(name) for name in ("graderecord", "course")}
        change_indexes = {index["name"] for index in inspect(conn).get_indexes("coursechange")}
        course_indexes = {index["name"] for index in inspect(conn).get_indexes("course")}
        grade_key = inspect(conn).get_pk_constraint("graderecord")["constrained_columns"]
        grade_indexes = {index["name"] for index in inspect(conn).get_indexes("graderecord")}
        collations = {
            (name, column["name"]): getattr(column["type"], "collation", None)
            for name in ("course", "coursechange")
            for column in inspect(conn).get_columns(name)
        }
    assert links == {"graderecord": [], "course": []}
    assert change_indexes == {"ix_coursechange_application_number"}
    assert "ix_course_mident" not in course_indexes
    # A grade record is its transmission's line; that key also serves lookups by transmission.
    assert grade_key == ["transmission_id", "line"]
    assert grade_indexes == {"ix_graderecord_student_record_id"}
    key = ("application_number", "course_code", "completion_date", "delivery_type")
    # PostgreSQL compares the course key as bytes, as SQLite does by default.
    byte_order = "C" if engine.dialect.name == "postgresql" else None
    for name in ("course", "coursechange"):
        assert {collations[name, column] for column in key} == {byte_order}
    assert collations["course", "mident"] is None
    engine.dispose()


def test_a_percent_sign_in_the_url_reaches_the_migrations(tmp_path: Path) -> None:
    # A percent-encoded password (p%40ss) or a % in OST_HOME: alembic's options interpolate %.
    folder = tmp_path / "ost%40home"
    folder.mkdir()
    engine = open_database(f"sqlite:///{folder / 'ost.sqlite3'}")
    try:
        assert "transmission" in inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_courses_on_record_gain_their_own_school_and_title_from_0006(database_url: str) -> None:
    engine = engine_at(database_url, "0006")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO transmission (id, file_name, sha256, size, status, received_at, "
                "created_at, students, grades, errors, warnings) "
                "VALUES (1, 'S885827.C1', :sha, 1, 'processed', :now, :now, 1, 2, 0, 0)"
            ),
            {"sha": "0" * 64, "now": NOW},
        )
        conn.execute(
            text(
                "INSERT INTO studentrecord (id, transmission_id, line, mident, student_number, "
                "surname, first_name, accepted, match_status, application_number) "
                "VALUES (1, 1, 2, '885827', '77', 'NG', 'LI', :yes, 'matched', 'A1')"
            ),
            {"yes": True},
        )
        # Line 3: taken at another school, supplied by a virtual one; line 4: at home (blank).
        for line, code, taken_at, supplier, title in (
            (3, "MCV4U", "881234", "880999", "Calculus and Vectors"),
            (4, "ENG4U", "      ", "      ", ""),
        ):
            conn.execute(
                text(
                    "INSERT INTO graderecord (transmission_id, student_record_id, line, "
                    "student_number, course_code, completion_date, grade_type, mark, "
                    "credit_value, course_status, delivery_type, course_type, course_mident, "
                    "language, notes, supplier_mident, course_title, accepted) VALUES (1, 1, "
                    ":line, '77', :code, '202606', 'F', '085', '0100', '', 'D', 'R', :taken_at, "
                    "'E', '', :supplier, :title, :yes)"
                ),
                {"line": line, "code": code, "taken_at": taken_at, "supplier": supplier}
                | {"title": title, "yes": True},
            )
            conn.execute(
                text(
                    "INSERT INTO course (application_number, course_code, completion_date, "
                    "delivery_type, mident, student_number, grade_type, mark, credit_value, "
                    "course_status, course_type, notes, transmission_id, source_created_at) "
                    "VALUES ('A1', :code, '202606', 'D', '885827', '77', 'F', '085', '0100', "
                    "'', 'R', '', 1, :now)"
                ),
                {"code": code, "now": NOW},
            )
    migrate(engine)
    c = table(Course)
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                c.c.course_code, c.c.course_mident, c.c.supplier_mident, c.c.course_title
            ).order_by(c.c.course_code)
        ).all()
        facts = conn.execute(text("SELECT grad_status, ossd_issue_date FROM studentrecord")).all()
    assert [tuple(row) for row in rows] == [
        ("ENG4U", "885827", "", ""),
        ("MCV4U", "881234", "880999", "Calculus and Vectors"),
    ]
    assert [tuple(row) for row in facts] == [(None, None)]  # not kept before: not reported
    engine.dispose()


def test_an_0006_database_takes_applicants_with_blanks_and_counts_interrupted_attempts(
    database_url: str,
) -> None:
    engine = engine_at(database_url, "0006")
    with engine.begin() as conn:
        add_transmission(conn, "processing")
        conn.execute(
            table(Applicant)
            .insert()
            .values(
                application_number="A1",
                first_name="LI",
                last_name="NG",
                birth_date=date(2008, 3, 1),
                updated_at=NOW,
            )
        )
    migrate(engine)
    with engine.begin() as conn:
        conn.execute(
            table(Applicant)
            .insert()
            .values(application_number="A2", first_name="MADONNA", updated_at=NOW)
        )
        applicants = conn.execute(
            select(table(Applicant).c.application_number, table(Applicant).c.birth_date)
        )
        attempts = conn.execute(select(table(Transmission).c.interrupted_attempts))
        assert sorted(tuple(row) for row in applicants) == [
            ("A1", date(2008, 3, 1)),
            ("A2", None),
        ]
        assert attempts.scalars().all() == [0]
    engine.dispose()


def test_the_newest_revision_is_read_from_the_names_of_the_migration_files(tmp_path: Path) -> None:
    from alembic.script import ScriptDirectory

    engine = make_engine(f"sqlite:///{tmp_path / 'ost.sqlite3'}")
    scripts = ScriptDirectory.from_config(alembic_config(engine))
    assert head_revision() == scripts.get_current_head()
    for script in scripts.walk_revisions():
        assert Path(str(script.path)).name.startswith(f"{script.revision}_")
    engine.dispose()


def test_only_a_database_at_the_newest_revision_is_current(database_url: str) -> None:
    engine = make_engine(database_url)
    assert not schema_is_current(engine)  # nothing there yet
    engine.dispose()
    engine = engine_at(database_url, "0010")
    assert not schema_is_current(engine)
    migrate(engine)
    assert schema_is_current(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).all() == [
            (head_revision(),)
        ]
    engine.dispose()


def test_a_database_at_a_revision_this_version_does_not_know_is_refused(database_url: str) -> None:
    engine = open_database(database_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(CommandError, match="9999"):
        open_database(database_url)


def test_a_new_database_another_first_command_holds_is_waited_for(tmp_path: Path) -> None:
    # The other command is about to write its schema: turning the file to WAL needs a lock
    # that SQLite reports busy at once, without its busy wait.
    path = tmp_path / "ost.sqlite3"
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute("CREATE TABLE first (id INTEGER)")
    threading.Timer(0.5, other.execute, ["COMMIT"]).start()
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        engine.dispose()
        other.close()
