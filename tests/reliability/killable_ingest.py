"""`ost ingest` in a process that is killed at a chosen point (run as a subprocess).

python -m tests.reliability.killable_ingest [--checkpoint N | --report-file N] FILE...

Settings come from OST_HOME and OST_DATABASE_URL, as for `ost ingest`. Once everything is
imported and the database is open the process prints `ready`, so that a parent killing it after
a delay measures that delay from the start of the ingest itself. `--checkpoint N` kills it at
the N-th step of a transaction (`IngestContext.checkpoint`), `--report-file N` just before the
N-th report file is written. Either way the kill is a SIGKILL: no cleanup, no rollback by us.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from dataclasses import replace
from pathlib import Path

from pipeline.config import load_settings
from pipeline.ingest import ingest_paths
from pipeline.runtime import ingest_context
from tests.reliability.injected import with_reports_folder


class Countdown:
    """SIGKILL to this process at the `at`-th call (1-based); never when `at` is 0."""

    def __init__(self, at: int) -> None:
        self.left = at

    def tick(self, *_: object) -> None:
        if self.left == 0:
            return
        self.left -= 1
        if self.left == 0:
            os.kill(os.getpid(), signal.SIGKILL)


def main(arguments: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="killable_ingest")
    parser.add_argument("--checkpoint", type=int, default=0)
    parser.add_argument("--report-file", type=int, default=0)
    parser.add_argument("files", nargs="+", type=Path)
    options = parser.parse_args(arguments)
    settings = load_settings()
    if options.report_file:
        settings = with_reports_folder(settings, Countdown(options.report_file).tick)
    context = ingest_context(settings)
    context = replace(context, checkpoint=Countdown(options.checkpoint).tick)
    print("ready", flush=True)
    ingest_paths(context, options.files)


if __name__ == "__main__":
    main(sys.argv[1:])
