"""Ingest the given files, killing the process at a chosen step (run as a subprocess)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from pipeline.config import load_settings
from pipeline.ingest import ingest_paths
from pipeline.runtime import ingest_context


def main(kill_at: str, files: list[str]) -> None:
    context = ingest_context(load_settings())

    def checkpoint(step: str) -> None:
        if step == kill_at:
            os._exit(137)  # as abrupt as a SIGKILL: no cleanup, no rollback by us

    context.checkpoint = checkpoint
    ingest_paths(context, [Path(name) for name in files])


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
