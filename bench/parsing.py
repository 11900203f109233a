"""Parse and validate side by side on one big transmission.

- `ost validate FILE`: the real command line, as a child process (start-up and report included),
  as a school installs it (the package alone: `bench.measure.product_install`), and in the
  harness's own environment, where pandas is installed too and pandera then imports it;
- `validate_file`: the same rules in process, from the file on disk to findings (through
  `validate_path`, as the command line reads it);
- `pandas.read_fwf`, parse only: one pass with the G1 colspecs of the layout table, dtype=str
  (a generous floor for pandas: the other record types would need passes of their own);
- the polars floor: read the lines (polars reading the file in place, its fastest way) and
  slice every field of every record type, no rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

from bench.measure import has_module, interleaved, ost_command, run_child, summary
from parsers.layout import Layout, default_layout
from pipeline.files import validate_path
from rules.validate import DEFAULT_MAX_FILE_MB, ValidationResult, packaged_code_tables

WARMUP_TURNS = 1


def read_fwf_parse(path: Path, layout: Layout) -> int:
    """pandas.read_fwf over the file with the G1 colspecs; the number of rows read."""
    import pandas as pd

    fields = layout.fields_of("G1")
    frame = pd.read_fwf(
        path,
        colspecs=[(spec.start - 1, spec.end) for spec in fields],
        names=[spec.name for spec in fields],
        dtype=str,
        header=None,
        keep_default_na=False,
        encoding="utf-8",
    )
    return len(frame)


def polars_floor(path: Path, layout: Layout) -> dict[str, int]:
    """Every line read and every field of every record type sliced; rows per record type."""
    lines = pl.read_csv(
        path,
        has_header=False,
        separator="\x00",
        quote_char=None,
        new_columns=["text"],
        infer_schema=False,
        eol_char="\n",
    ).lazy()
    record_type = pl.col("text").str.slice(0, 2)
    frames = [
        lines.filter(record_type == kind).select(
            pl.col("text").str.slice(spec.start - 1, spec.length).alias(spec.name)
            for spec in layout.fields_of(kind)
        )
        for kind in layout.record_types
    ]
    collected = pl.collect_all(frames)
    return {kind: frame.height for kind, frame in zip(layout.record_types, collected, strict=True)}


def validate_in_process(path: Path, today: dt.date) -> ValidationResult:
    tables = packaged_code_tables()
    return validate_path(path, tables=tables, today=today, max_bytes=DEFAULT_MAX_FILE_MB * 2**20)


def ost_validate(ost: Path, path: Path) -> int:
    """`ost validate FILE` to completion; its exit code (1: the file has errors)."""
    run = run_child([ost, "validate", path], capture=False)
    if run.returncode not in (0, 1):
        raise RuntimeError(f"ost validate exited {run.returncode}: {run.stderr[-2000:]}")
    return run.returncode


def detected_defects(result: ValidationResult, defects: pl.DataFrame) -> dict[str, int]:
    """How many injected defects the validation reported with their code, on their line."""
    injected = defects.filter(pl.col("line").is_not_null())
    found = result.findings.select(pl.col("line").cast(pl.Int64), "code").unique()
    hit = injected.join(found, on=["line", "code"], how="semi").height
    return {"injected": injected.height, "detected": hit}


def compare_parsing(
    big: Path, repeat: int, product_ost: Path, log: Callable[[str], None] = print
) -> dict[str, Any]:
    """Medians of `repeat` interleaved runs of each candidate, the ratios, and sanity checks.

    `product_ost` is the console script of the package installed alone (`product_install`).
    """
    path = next((big / "inbox").iterdir())
    harness_ost = ost_command()
    layout = default_layout()
    today = dt.date.today()
    packaged_code_tables()  # the code tables are read once per process, as the CLI does
    candidates = {
        "ost_validate_cli": lambda: ost_validate(product_ost, path),
        "ost_validate_cli_with_pandas": lambda: ost_validate(harness_ost, path),
        "validate_file": lambda: validate_in_process(path, today),
        "pandas_read_fwf": lambda: read_fwf_parse(path, layout),
        "polars_floor": lambda: polars_floor(path, layout),
    }
    # One untimed turn first: the in-process candidates import pandera or pandas on their first
    # call, once per process. `ost validate` pays its imports in every run (a new process each).
    seconds, values = interleaved(candidates, repeat, warmup=WARMUP_TURNS)
    for name, runs in seconds.items():
        log(f"validate: {name} {', '.join(f'{s:.2f}' for s in runs)} s")
    medians = {name: summary(runs)["median"] for name, runs in seconds.items()}
    result: ValidationResult = values["validate_file"]
    defects = pl.read_parquet(big / "truth" / "defects.parquet")
    return {
        "file": path.name,
        "bytes": path.stat().st_size,
        "grades": result.counts.grades,
        "students": result.counts.students,
        "findings": result.findings.height,
        "defects": detected_defects(result, defects),
        "rows_read": {"pandas_read_fwf": values["pandas_read_fwf"], **values["polars_floor"]},
        "repeat": repeat,
        "warmup": WARMUP_TURNS,
        "pandas_beside_ost": {
            "ost_validate_cli": has_module(product_ost, "pandas"),
            "ost_validate_cli_with_pandas": has_module(harness_ost, "pandas"),
        },
        "seconds": {name: summary(runs) for name, runs in seconds.items()},
        "ratios": {
            "read_fwf_over_validate_file": round(
                medians["pandas_read_fwf"] / medians["validate_file"], 2
            ),
            "validate_file_over_polars_floor": round(
                medians["validate_file"] / medians["polars_floor"], 2
            ),
            "read_fwf_over_ost_validate": round(
                medians["pandas_read_fwf"] / medians["ost_validate_cli"], 2
            ),
            "ost_validate_over_polars_floor": round(
                medians["ost_validate_cli"] / medians["polars_floor"], 2
            ),
            "read_fwf_over_ost_validate_with_pandas": round(
                medians["pandas_read_fwf"] / medians["ost_validate_cli_with_pandas"], 2
            ),
            "ost_validate_with_pandas_over_polars_floor": round(
                medians["ost_validate_cli_with_pandas"] / medians["polars_floor"], 2
            ),
        },
    }
