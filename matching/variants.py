"""Name variants: nicknames and preferred names, and curated French and other Ontario variants."""

import functools
import io
from importlib import resources

import polars as pl
from nicknames import NickNamer

from matching.names import compact, folded

VARIANTS_SCHEMA: dict[str, pl.DataType] = {
    "name": pl.String(),
    "variant": pl.String(),
    "curated": pl.Boolean(),
}


def _nickname_pairs() -> pl.DataFrame:
    """(name, nickname) pairs of the `nicknames` package."""
    lookup = NickNamer().nickname_lookup
    pairs = [(name, nick) for name, nicks in lookup.items() for nick in nicks]
    return pl.DataFrame(pairs, schema=["name", "variant"], orient="row")


def _curated_pairs() -> pl.DataFrame:
    """The curated table shipped in matching/data/name_variants.csv."""
    text = resources.files("matching").joinpath("data/name_variants.csv").read_text("utf-8")
    return pl.read_csv(io.StringIO(text), schema={"name": pl.String(), "variant": pl.String()})


def _both_ways(pairs: pl.DataFrame, curated: bool) -> pl.DataFrame:
    """Compact-normalised pairs in both directions, without self-pairs."""
    normalised = pairs.select(compact(folded(pl.col("name"))), compact(folded(pl.col("variant"))))
    swapped = normalised.select(name="variant", variant="name")
    return (
        pl.concat([normalised, swapped])
        .filter((pl.col("name") != pl.col("variant")) & (pl.col("variant") != ""))
        .with_columns(curated=pl.lit(curated))
    )


@functools.cache
def variant_pairs() -> pl.DataFrame:
    """Every (name, variant) pair, symmetric; `curated` marks the rows of the curated table."""
    both = pl.concat([_both_ways(_curated_pairs(), True), _both_ways(_nickname_pairs(), False)])
    return both.group_by("name", "variant").agg(pl.col("curated").any()).sort("name", "variant")
