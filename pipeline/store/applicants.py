"""Applicants as the matcher reads them."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
from sqlalchemy import Connection, func, select

from matching import ApplicantPool, Zones
from matching.schema import ACCOUNT_SCHEMA, APPLICANTS_SCHEMA
from pipeline.models import (
    Applicant,
)
from pipeline.store.core import chunks, frame, table

# -- applicants ----------------------------------------------------------------------------


def load_applicants(conn: Connection, numbers: Sequence[str] | None = None) -> pl.DataFrame:
    """Every applicant (or those with these application numbers), in the matcher's schema."""
    a = table(Applicant)
    query = select(
        a.c.application_number,
        a.c.first_name,
        a.c.middle_name,
        a.c.last_name,
        a.c.previous_last_name,
        a.c.birth_date,
        a.c.oen,
        a.c.gender,
        a.c.school_midents,
        a.c.international,
        a.c.account_number,
        a.c.paid,
    )
    schema = {**APPLICANTS_SCHEMA, "school_midents": pl.Utf8(), **ACCOUNT_SCHEMA}
    if numbers is None:
        raw = frame(conn, query, schema)
    else:
        parts = [
            frame(conn, query.where(a.c.application_number.in_(list(part))), schema)
            for part in chunks(sorted(set(numbers)))
        ]
        raw = pl.concat([pl.DataFrame(schema=schema), *parts])
    return raw.with_columns(
        pl.col("school_midents").str.split(";").list.eval(pl.element().filter(pl.element() != ""))
    )


def load_applicant_pool(conn: Connection, zones: Zones | None = None) -> ApplicantPool:
    """Every applicant, prepared once for all the files of a batch, with the zones to decide in."""
    return ApplicantPool.of(load_applicants(conn), zones)


def applicant_count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(table(Applicant))).scalar_one())
