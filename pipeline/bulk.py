"""Bulk writes at provincial scale: COPY on PostgreSQL, executemany on SQLite's own cursor.

Both run on the DBAPI connection of the caller's SQLAlchemy transaction, so they commit or
roll back with everything else of the transmission.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl
from sqlalchemy import Connection, Table

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
