"""Schema migrations: a database made by an earlier migration is brought to the newest one."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import inspect, select, text

from pipeline.database import alembic_config, make_engine, migrate
from pipeline.models import GradeRecord
from pipeline.store import table

NOW = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)


def test_records_survive_the_move_to_unchecked_bulk_links(database_url: str) -> None:
    engine = make_engine(database_url)
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO transmission (id, file_name, sha256, size, status, received_at, "
                "students, grades, errors, warnings) "
                "VALUES (1, 'S1.C1', :sha, 1, 'processed', :now, 1, 1, 0, 0)"
            ),
            {"sha": "0" * 64, "now": NOW},
        )
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
    migrate(engine)
    with engine.connect() as conn:
        assert conn.execute(select(table(GradeRecord).c.line)).scalars().all() == [3]
        links = inspect(conn).get_foreign_keys("graderecord")
        course_links = inspect(conn).get_foreign_keys("course")
    assert links == []
    assert [link["referred_table"] for link in course_links] == ["applicant"]
    engine.dispose()
