"""Ordered agreement rules: the first rule that holds gives the level and the kind of agreement."""

import polars as pl

Rule = tuple[pl.Expr, int, str | None]


def first_rule(rules: list[Rule], none_level: int) -> tuple[pl.Expr, pl.Expr]:
    """(level, kind) expressions of the first rule whose condition holds."""
    level: pl.Expr = pl.lit(none_level, pl.Int8)
    kind: pl.Expr = pl.lit(None, pl.String)
    for condition, rule_level, rule_kind in reversed(rules):
        level = pl.when(condition).then(pl.lit(rule_level, pl.Int8)).otherwise(level)
        kind = pl.when(condition).then(pl.lit(rule_kind, pl.String)).otherwise(kind)
    return level, kind
