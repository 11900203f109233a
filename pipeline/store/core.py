"""SQL helpers every table family uses: tables, chunks, frames, and bulk writes at provincial scale.

Bulk writes use COPY on PostgreSQL and executemany on SQLite's own cursor. Both run on the DBAPI
connection of the caller's SQLAlchemy transaction, so they commit or roll back with everything
else of the transmission.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import polars as pl
from sqlalchemy import ARRAY, ColumnElement, Connection, Engine, Table, any_, bindparam, text

from pipeline.merge import (
    COURSE_KEY,
)
from pipeline.models import (
    Course,
    CourseChange,
    GradeRecord,
    MatchDecision,
    StudentRecord,
)

# SQLAlchemy's SQLite DATETIME text format (values are UTC, as UTCDateTime stores them).
SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S.%6f"
COPY_NULL = r"\N"


def _cursor(conn: Connection) -> Any:
    return conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]


def _for_sqlite(frame: pl.DataFrame) -> pl.DataFrame:
    """Dates and timestamps as the text SQLAlchemy reads back; booleans as 0/1."""
    converted = []
    for name, dtype in frame.schema.items():
        column = pl.col(name)
        if isinstance(dtype, pl.Datetime):
            zoned = column.dt.convert_time_zone("UTC") if dtype.time_zone else column
            converted.append(zoned.dt.strftime(SQLITE_DATETIME))
        elif dtype == pl.Date:
            converted.append(column.dt.strftime("%Y-%m-%d"))
        elif dtype == pl.Boolean:
            converted.append(column.cast(pl.Int8))
        else:
            converted.append(column)
    return frame.select(converted)


def _columns(names: Sequence[str]) -> str:
    return ", ".join(f'"{name}"' for name in names)


def _copy_rows(cursor: Any, target: str, frame: pl.DataFrame) -> None:
    """COPY of the frame as CSV written by polars: no Python object per value.

    Every value but a null is quoted, so only a null is read as NULL: an empty string or a
    text that happens to be `\\N` stays what it is.
    """
    text = frame.write_csv(include_header=False, null_value=COPY_NULL, quote_style="non_numeric")
    columns = _columns(frame.columns)
    statement = f"COPY {target} ({columns}) FROM STDIN (FORMAT csv, NULL '{COPY_NULL}')"
    with cursor.copy(statement) as copy:
        copy.write(text)


def bulk_insert(conn: Connection, table: Table, frame: pl.DataFrame) -> None:
    """Insert every row of `frame` (its columns named as the table's)."""
    if frame.is_empty():
        return
    cursor = _cursor(conn)
    try:
        if conn.dialect.name == "postgresql":
            _copy_rows(cursor, f'"{table.name}"', frame)
        else:
            marks = ", ".join("?" * frame.width)
            sql = f'INSERT INTO "{table.name}" ({_columns(frame.columns)}) VALUES ({marks})'
            cursor.executemany(sql, _for_sqlite(frame).iter_rows())
    finally:
        cursor.close()


def _staged(conn: Connection, cursor: Any, table: Table, frame: pl.DataFrame) -> str:
    """A temporary PostgreSQL table holding `frame`, dropped at commit."""
    stage = f"stage_{table.name}"
    cursor.execute(
        f'CREATE TEMP TABLE "{stage}" ON COMMIT DROP AS '
        f'SELECT {_columns(frame.columns)} FROM "{table.name}" WITH NO DATA'
    )
    _copy_rows(cursor, f'"{stage}"', frame)
    return stage


def bulk_update(conn: Connection, table: Table, frame: pl.DataFrame, key: str = "id") -> None:
    """Set the other columns of `frame` on the rows whose `key` it gives."""
    if frame.is_empty():
        return
    values = [name for name in frame.columns if name != key]
    cursor = _cursor(conn)
    try:
        if conn.dialect.name == "postgresql":
            stage = _staged(conn, cursor, table, frame.select(key, *values))
            assignments = ", ".join(f'"{n}" = s."{n}"' for n in values)
            cursor.execute(
                f'UPDATE "{table.name}" AS t SET {assignments} FROM "{stage}" AS s '
                f'WHERE t."{key}" = s."{key}"'
            )
            cursor.execute(f'DROP TABLE "{stage}"')
        else:
            assignments = ", ".join(f'"{name}" = ?' for name in values)
            sql = f'UPDATE "{table.name}" SET {assignments} WHERE "{key}" = ?'
            cursor.executemany(sql, _for_sqlite(frame.select(*values, key)).iter_rows())
    finally:
        cursor.close()


def bulk_upsert(conn: Connection, table: Table, frame: pl.DataFrame, key: str) -> None:
    """Insert new rows, update the rows whose `key` exists already."""
    if frame.is_empty():
        return
    values = [name for name in frame.columns if name != key]
    updates = ", ".join(f'"{name}" = excluded."{name}"' for name in values)
    conflict = f'ON CONFLICT ("{key}") DO UPDATE SET {updates}'
    cursor = _cursor(conn)
    try:
        if conn.dialect.name == "postgresql":
            stage = _staged(conn, cursor, table, frame)
            columns = _columns(frame.columns)
            cursor.execute(
                f'INSERT INTO "{table.name}" ({columns}) SELECT {columns} FROM "{stage}" {conflict}'
            )
            cursor.execute(f'DROP TABLE "{stage}"')
        else:
            marks = ", ".join("?" * frame.width)
            sql = (
                f'INSERT INTO "{table.name}" ({_columns(frame.columns)}) VALUES ({marks}) '
                f"{conflict}"
            )
            cursor.executemany(sql, _for_sqlite(frame).iter_rows())
    finally:
        cursor.close()


# Stay well under every database's limit on bound parameters in one statement.
CHUNK = 5000


def table(model: type[Any]) -> Table:
    return model.__table__  # type: ignore[no-any-return]


def chunks(values: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def stacked(parts: Sequence[pl.DataFrame], schema: Mapping[str, pl.DataType]) -> pl.DataFrame:
    """Frames of the same `schema` (a query's chunks) one under the other: the only one as it
    is, or an empty frame when there are none (a page's lookups are one chunk, and each polars
    operation on a small frame costs more than its work)."""
    if not parts:
        return pl.DataFrame(schema=schema)
    return parts[0] if len(parts) == 1 else pl.concat(parts)


def one_of(
    conn: Connection, column: ColumnElement[Any], values: Sequence[Any]
) -> ColumnElement[bool]:
    """`column` IN `values`: on PostgreSQL one array parameter (thousands of parameters, one
    per value, cost more to send than the query takes)."""
    if conn.dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(values)


def insert_rows(conn: Connection, model: type[Any], rows: pl.DataFrame) -> None:
    """Bulk insert of a frame whose columns are named as the model's."""
    bulk_insert(conn, table(model), rows)


def frame(conn: Connection, statement: Any, schema: Mapping[str, pl.DataType]) -> pl.DataFrame:
    """A query's rows as a polars frame of the given schema."""
    rows = conn.execute(statement).all()
    return pl.DataFrame([tuple(row) for row in rows], schema=schema, orient="row")


# Tables a batch grows many-fold, whose statistics the PostgreSQL planner needs kept up, with
# the columns the ingest's lookups filter or join on. Only those are sampled: the others (the
# sixteen fields of a grade record, say) are never planned on, and sorting their samples was
# most of the cost of each refresh.
GROWING_TABLES: dict[str, tuple[str, ...]] = {
    table(StudentRecord).name: (
        "id",
        "transmission_id",
        "accepted",
        "match_status",
        "mident",
        "application_number",
    ),
    table(GradeRecord).name: ("transmission_id", "student_record_id", "accepted"),
    table(MatchDecision).name: ("student_record_id",),
    table(Course).name: ("id", *COURSE_KEY, "transmission_id"),
    table(CourseChange).name: (*COURSE_KEY, "action", "transmission_id"),
}


def refresh_statistics(engine: Engine) -> None:
    """ANALYZE the growing tables on PostgreSQL (SQLite plans from its indexes alone).

    Autovacuum refreshes statistics only now and then; tables planned as nearly empty while
    they grow are scanned whole by every lookup of a course.
    """
    if engine.dialect.name != "postgresql":
        return
    targets = ", ".join(f"{name} ({', '.join(cols)})" for name, cols in GROWING_TABLES.items())
    with engine.begin() as conn:
        conn.execute(text(f"ANALYZE {targets}"))
