"""Fellegi-Sunter weights of the field levels, kept as data in matching/data/weights.csv.

Each row gives a field, one of its levels, `m` (how often a true link shows that level), `u`
(how often two unrelated records do) and `weight` = log2(m / u). The table is written by
`python -m bench weights` from labelled sets generated with the training seeds only; a pair's
total weight is the sum of its fields' weights (docs/matching.md).
"""

import functools
import io
from importlib import resources

import polars as pl

from matching.fields import FIELDS
from matching.zones import Zones

__all__ = ["Zones", "read_weights"]

WEIGHTS_SCHEMA: dict[str, pl.DataType] = {
    "field": pl.String(),
    "level": pl.String(),
    "m": pl.Float64(),
    "u": pl.Float64(),
    "weight": pl.Float64(),
}


def read_weights(text: str) -> pl.DataFrame:
    """A weights table from its CSV text, checked: every field known, one row per level."""
    table = pl.read_csv(io.StringIO(text), schema=WEIGHTS_SCHEMA)
    unknown = set(table["field"].to_list()) - set(FIELDS)
    if unknown:
        raise ValueError(f"unknown fields in the weights table: {sorted(unknown)}")
    if table.select("field", "level").is_duplicated().any():
        raise ValueError("a field level appears twice in the weights table")
    return table


@functools.cache
def default_weights() -> pl.DataFrame:
    """The weights shipped in matching/data/weights.csv."""
    text = resources.files("matching").joinpath("data/weights.csv").read_text("utf-8")
    return read_weights(text)


def with_weights(pairs: pl.DataFrame, weights: pl.DataFrame) -> pl.DataFrame:
    """Add `<field>_w` for each field's level (`<field>_fs`) and their sum, `weight`.

    A level missing from the table weighs 0 (it says nothing either way).
    """
    for field in FIELDS:
        table = weights.filter(pl.col("field") == field).select(
            pl.col("level").alias(field + "_fs"), pl.col("weight").alias(field + "_w")
        )
        pairs = pairs.join(table, on=field + "_fs", how="left", maintain_order="left")
    pairs = pairs.with_columns(pl.col(f + "_w").fill_null(0.0) for f in FIELDS)
    return pairs.with_columns(weight=pl.sum_horizontal(f + "_w" for f in FIELDS))


def evidence_of() -> pl.Expr:
    """A pair's evidence as a list of {field, level, weight} structs, in the order of FIELDS."""
    return pl.concat_list(
        pl.struct(
            field=pl.lit(field), level=pl.col(field + "_fs"), weight=pl.col(field + "_w").round(2)
        )
        for field in FIELDS
    )
