"""`ost review accept` killed after its courses are written, before its commit (a subprocess)."""

from __future__ import annotations

import os
import sys
from datetime import datetime
from typing import Any

import polars as pl
from sqlalchemy import Connection

from pipeline import review_actions
from pipeline.cli import main


def main_killed() -> None:
    merge_held = review_actions.merge_held

    def merge_then_die(conn: Connection, decisions: pl.DataFrame, now: datetime) -> Any:
        merge_held(conn, decisions, now)
        os._exit(137)  # as abrupt as a SIGKILL: no cleanup, no rollback by us

    review_actions.merge_held = merge_then_die  # type: ignore[assignment]
    sys.argv = ["ost", *sys.argv[1:]]
    main()


if __name__ == "__main__":
    main_killed()
