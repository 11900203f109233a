"""Field rules as pandera schemas carrying glossary codes, and the adapter back to findings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import polars as pl

from rules.findings import empty_findings

if TYPE_CHECKING:
    import pandera.polars as pa
    from pandera.api.polars.types import PolarsData

# pandera (and the pandas it brings) is imported only when some record fails a rule: a clean
# file never needs it, and importing it costs more than validating a large clean file.

OUTCOME_PREFIX = "__passes_rule_"


@dataclass(frozen=True, eq=False)
class FieldRule:
    """`valid` is a column expression over the record frame; False raises `code` on `field`.

    A null result means the rule does not apply to that record (its inputs are judged by
    other rules), so it counts as valid. Rules compare by identity: the rule sets are built
    once per context and the schemas built from them are cached on the rules themselves.
    """

    code: str
    field: str
    valid: pl.Expr


def _check(rule: FieldRule) -> pa.Check:
    import pandera.polars as pa

    def passes(data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(rule.valid.fill_null(True))

    return pa.Check(passes, name=rule.code, error=rule.code)


@lru_cache(maxsize=64)
def build_schema(
    record_type: str, rules: tuple[FieldRule, ...], selected: frozenset[int] | None = None
) -> pa.DataFrameSchema:
    """One pandera column per field, one check per rule, in the order given.

    `selected` keeps only the rules at those positions (None: all of them); the columns keep
    the order of the whole rule set, so the failure cases come in the same order either way.
    """
    import pandera.polars as pa

    checks: dict[str, list[pa.Check]] = {rule.field: [] for rule in rules}
    for position, rule in enumerate(rules):
        if selected is None or position in selected:
            checks[rule.field].append(_check(rule))
    # The parser never yields nulls, so pandera's null check would only cost a pass per column.
    columns = {
        name: pa.Column(pl.Utf8, checks=found, nullable=True)
        for name, found in checks.items()
        if found
    }
    return pa.DataFrameSchema(columns, name=record_type, strict=False)


def failure_cases(schema: pa.DataFrameSchema, records: pl.DataFrame) -> pl.DataFrame:
    """pandera's failure cases of a lazy validation (empty when every record passes)."""
    from pandera.errors import SchemaErrors

    try:
        # pandera collects many small plans per check: the in-memory engine starts each one
        # faster than the streaming engine does, and the suspects are few.
        with pl.Config(engine_affinity="in-memory"):
            schema.validate(records, lazy=True)
    except SchemaErrors as errors:
        return pl.DataFrame(errors.failure_cases)
    return pl.DataFrame(schema={"column": pl.Utf8, "check": pl.Utf8, "index": pl.Int64})


def suspects(
    records: pl.DataFrame, rules: Sequence[FieldRule]
) -> tuple[pl.DataFrame, frozenset[int]]:
    """The records that fail some rule, and the positions of the rules that some record fails.

    Every rule is row-local, so the records that pass all of them in one parallel pass cannot
    fail the schema: pandera then only sees these suspects (usually a few percent) and only
    the rules they fail. Rules sharing a sub-expression compute it once in that pass.
    """
    outcomes = [f"{OUTCOME_PREFIX}{position}" for position in range(len(rules))]
    found = (
        records.lazy()
        .with_columns(
            rule.valid.fill_null(True).alias(name)
            for rule, name in zip(rules, outcomes, strict=True)
        )
        .filter(~pl.all_horizontal(outcomes))
        .collect()
    )
    passed = found.select(pl.col(outcomes).all()).row(0)
    failed = frozenset(position for position, ok in enumerate(passed) if not ok)
    return found.drop(outcomes), failed


def validate_fields(
    record_type: str, records: pl.DataFrame, rules: Sequence[FieldRule]
) -> pl.DataFrame:
    """Findings for every record that fails a rule; line and value come from `records`."""
    if records.is_empty() or not rules:
        return empty_findings()
    records, failed = suspects(records, rules)
    if records.is_empty():
        return empty_findings()
    cases = failure_cases(build_schema(record_type, tuple(rules), failed), records)
    unexpected = cases.filter(pl.col("index").is_null())
    if not unexpected.is_empty():
        raise RuntimeError(f"{record_type} schema failed outside its rules: {unexpected.row(0)}")
    # pandera's index is a 0-based row position; the finding takes the parser's line number.
    positioned = records.with_row_index("index").with_columns(pl.col("index").cast(pl.Int64))
    located = cases.select(
        pl.col("check").alias("code"),
        pl.col("column").alias("field"),
        pl.col("index").cast(pl.Int64),
    ).join(positioned, on="index", how="left")
    value = _value_of(located, sorted(set(located["field"].to_list())))
    return located.select(
        "code",
        "line",
        pl.lit(record_type).alias("record_type"),
        "field",
        value.alias("value"),
        pl.lit(None, dtype=pl.Utf8).alias("expected"),
    )


def _value_of(frame: pl.DataFrame, fields: list[str]) -> pl.Expr:
    """The value of the column each row's `field` names."""
    picks = [pl.when(pl.col("field") == name).then(pl.col(name).cast(pl.Utf8)) for name in fields]
    return pl.coalesce(picks) if picks else pl.lit(None, dtype=pl.Utf8)
