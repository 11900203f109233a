"""The provincial batch's schools: header values and how each school's system writes its file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import polars as pl

# Header creation dates of this batch: the fall term, up to the day before this cycle's run.
FIRST_CREATION = dt.date(2026, 9, 28)
LAST_CREATION = dt.date(2026, 11, 20)


def choice(rng: np.random.Generator, values: Sequence[str], size: int, p=None) -> np.ndarray:
    return np.asarray(list(values), dtype=object)[rng.choice(len(values), size=size, p=p)]


def digits(rng: np.random.Generator, size: int, count: int) -> pl.Series:
    """Random strings of `count` digits."""
    numbers = rng.integers(0, 10**count, size=size, dtype=np.int64)
    return pl.Series(numbers).cast(pl.String).str.zfill(count)


def schools_frame(rng: np.random.Generator, midents: Sequence[str]) -> pl.DataFrame:
    """One row per school: header values and how its information system writes the file."""
    n = len(midents)
    days = (LAST_CREATION - FIRST_CREATION).days + 1
    created = [FIRST_CREATION + dt.timedelta(days=int(d)) for d in rng.integers(0, days, n)]
    seconds = rng.integers(7 * 3600, 18 * 3600, n)
    area = choice(rng, ("416", "613", "705", "519", "905"), n)
    return pl.DataFrame(
        {
            "mident": list(midents),
            "school_index": np.arange(n),
            "centre": "C",
            "transmission_number": rng.integers(1, 4, n).astype(str),
            "creation_date": [d.strftime("%Y%m%d") for d in created],
            "creation_time": [f"{s // 3600:02d}{s % 3600 // 60:02d}{s % 60:02d}" for s in seconds],
            "contact_name": "Student Services",
            "contact_phone": [f"{a}555{d}" for a, d in zip(area, digits(rng, n, 4), strict=True)],
            "layout_version": "2026",
            "continuing_mident": digits(rng, n, 6),
            "french": rng.random(n) < 0.08,
            "reports_midterms": rng.random(n) < 0.7,
            "sends_titles": rng.random(n) < 0.6,
            "section_letters": rng.random(n) < 0.05,
            "encoding": choice(rng, ("utf-8", "utf-8-sig", "cp1252"), n, p=(0.8, 0.05, 0.15)),
            "newline": choice(rng, ("\n", "\r\n"), n, p=(0.8, 0.2)),
            "trims_blanks": rng.random(n) < 0.3,
        }
    ).with_columns(
        creation_month=pl.col("creation_date").str.slice(0, 6),
        contact_email=pl.format("guidance{}@school.example.ca", pl.col("mident")),
    )
