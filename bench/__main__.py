"""The benchmark harness: each comparison measured in one run, side by side, as ratios.

    python -m bench generate  [--scale 1]            the provincial batch and the big file
    python -m bench validate  [--repeat 5]           ost validate vs read_fwf vs the polars floor
    python -m bench linkage   [--students N]         match_students vs a naive rule vs Splink
    python -m bench weights   [--students N] [--write]  the matching weights (training seeds only)
    python -m bench e2e       [--scale 1]            ost run into SQLite and PostgreSQL
    python -m bench growth    [--scales .25,.5,1]    e2e at several sizes: is the cost linear?
    python -m bench startup   [--against REV]        ost as installed vs python's own start-up
    python -m bench console   [--clients 8]          the web console's pages and a 5 MB upload
                              [--console-backend postgres]
    python -m bench crowd     [--big-file]           peak memory: ost run on a held crowd
                                                     (and ost ingest of a 999,999-student file)
    python -m bench report    [--write]              RESULTS.md from the stored results
    python -m bench all       [--write]              everything above, then the report

Data and results go under --work (default bench/work, git-ignored); `--write` writes
bench/RESULTS.md (or --results PATH).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import provincial
from bench.end_to_end import DEFAULT_POSTGRES_URL, run_once
from bench.growth import growth_from
from bench.report import RESULTS_PATH, write_report

BIG_FILE_GRADES = 1_000_000


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- data --------------------------------------------------------------------------------------


def batch_at(scale: float, work: Path) -> Path:
    """The provincial batch at `scale`, generated unless already there."""
    folder = provincial.batch_folder(scale, work)
    if not (folder / "manifest.json").exists():
        log(f"generating the provincial batch at scale {scale:g} in {folder}")
        manifest = provincial.generate_batch(provincial.BatchSize.at_scale(scale), folder)
        log(f"generated: {manifest}")
        store(work, f"generate-{scale:g}", {"scale": scale, **manifest})
    return folder


def big_file(grades: int, work: Path) -> Path:
    folder = work / f"big-{grades}"
    if not (folder / "manifest.json").exists():
        log(f"generating one file with {grades} grades in {folder}")
        manifest = provincial.generate_big_file(grades, folder)
        store(work, "generate-big", {"target_grades": grades, **manifest})
    return folder


# --- results -----------------------------------------------------------------------------------


def results_dir(work: Path) -> Path:
    folder = work / "results"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def store(work: Path, name: str, value: dict[str, Any]) -> None:
    from bench.machine import code_version, load_average

    value = {**value, "load_average_at_end": load_average(), "code": code_version()}
    path = results_dir(work) / f"{name}.json"
    path.write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    log(f"stored {path}")


def e2e_name(scale: float, backend: str) -> str:
    return f"e2e-{scale:g}-{backend}"


# --- subcommands -------------------------------------------------------------------------------


def cmd_generate(args: argparse.Namespace) -> None:
    batch_at(args.scale, args.work)
    big_file(big_grades(args), args.work)


def big_grades(args: argparse.Namespace) -> int:
    return args.big_grades or max(1000, round(BIG_FILE_GRADES * args.scale))


def cmd_validate(args: argparse.Namespace) -> None:
    from bench.measure import product_install
    from bench.parsing import compare_parsing

    folder = big_file(big_grades(args), args.work)
    product_ost = product_install(args.work, log)
    store(args.work, "validate", compare_parsing(folder, args.repeat, product_ost, log))


def cmd_startup(args: argparse.Namespace) -> None:
    from bench.startup import compare_startup

    store(args.work, "startup", compare_startup(args.work, args.repeat, log, args.against))


def cmd_linkage(args: argparse.Namespace) -> None:
    from bench.linkage import compare_linkage

    students = args.students or max(100, round(provincial.STUDENTS * args.scale))
    store(args.work, "linkage", compare_linkage(students, log=log))


def cmd_weights(args: argparse.Namespace) -> None:
    """The field weights and zone thresholds, estimated on the training seeds only."""
    from bench.weights import main as estimate

    estimate(
        [
            *(["--students", str(args.students)] if args.students else []),
            *(["--write"] if args.write else []),
        ]
    )


def cmd_e2e(args: argparse.Namespace, scale: float | None = None) -> None:
    scale = args.scale if scale is None else scale
    batch = batch_at(scale, args.work)
    for backend in args.backends:
        result = run_once(
            batch,
            backend,
            args.work,
            postgres_url=args.postgres_url,
            profile=not args.no_profile,
            log=log,
        )
        store(args.work, e2e_name(scale, backend), {"scale": scale, **result})


def cmd_growth(args: argparse.Namespace) -> None:
    backends = args.growth_backends or args.backends
    for scale in args.scales:
        missing = [b for b in backends if not measured_now(args.work, e2e_name(scale, b))]
        if missing:
            # Timed only: the stages are sampled at the main scale (cmd_e2e).
            only_timed = {**vars(args), "backends": missing, "no_profile": True}
            cmd_e2e(argparse.Namespace(**only_timed), scale)
    runs = {
        backend: [load(args.work, e2e_name(scale, backend)) for scale in args.scales]
        for backend in backends
    }
    store(args.work, "growth", growth_from(runs))


def stored(work: Path, name: str) -> bool:
    return (results_dir(work) / f"{name}.json").exists()


def measured_now(work: Path, name: str) -> bool:
    """Stored, and measured on the product's source files as they are now."""
    from bench.machine import code_version

    if not stored(work, name):
        return False
    code = load(work, name).get("code") or {}
    return bool(code.get("source_digest") == code_version()["source_digest"])


def load(work: Path, name: str) -> dict[str, Any]:
    return dict(json.loads((results_dir(work) / f"{name}.json").read_text(encoding="utf-8")))


def cmd_console(args: argparse.Namespace) -> None:
    from bench.console import compare_console
    from bench.console_report import write_console_section

    batch = batch_at(args.scale, args.work)
    postgres = args.console_backend == "postgres"
    result = compare_console(
        batch, args.work, args.clients, args.requests, log, args.postgres_url if postgres else None
    )
    name = f"console-{args.scale:g}{'-postgres' if postgres else ''}"
    store(args.work, name, {"scale": args.scale, **result})
    if args.write:
        measured = sorted(results_dir(args.work).glob("console-*.json"))
        write_console_section([load(args.work, path.stem) for path in measured], args.results)


def cmd_crowd(args: argparse.Namespace) -> None:
    from bench.memory import CROWD_STUDENTS, NAMES, measure_big_file, measure_crowd

    if not args.only_big_file:
        students = args.students or CROWD_STUDENTS
        store(args.work, NAMES[0], measure_crowd(args.work, students, args.applicants, log))
    if args.big_file or args.only_big_file:
        applicants = args.big_applicants
        name = NAMES[1] if applicants is None else f"{NAMES[1]}-with-applicants"
        store(args.work, name, measure_big_file(args.work, args.big_students, log, applicants))
    if args.write:
        from bench.memory_report import write_memory_section
        from bench.report import load_results

        write_memory_section(load_results(results_dir(args.work)), args.results)


def cmd_report(args: argparse.Namespace) -> None:
    text = write_report(
        results_dir(args.work), args.results if args.write else None, args.postgres_url, args.scale
    )
    if not args.write:
        print(text)


def cmd_all(args: argparse.Namespace) -> None:
    steps: list[tuple[str, Callable[[argparse.Namespace], None]]] = [
        ("generate", cmd_generate),
        ("validate", cmd_validate),
        ("startup", cmd_startup),
        ("linkage", cmd_linkage),
        ("e2e", cmd_e2e),
        ("growth", cmd_growth),
    ]
    for name, step in steps:
        log(f"--- {name}")
        step(args)
    cmd_report(args)


# --- arguments ---------------------------------------------------------------------------------


def _floats(text: str) -> list[float]:
    return [float(part) for part in text.split(",") if part.strip()]


def _names(text: str) -> list[str]:
    names = [part.strip() for part in text.split(",") if part.strip()]
    unknown = set(names) - {"sqlite", "postgres"}
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown backend(s): {', '.join(sorted(unknown))}")
    return names


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    main.add_argument("--work", type=Path, default=provincial.WORK)
    main.add_argument("--scale", type=float, default=1.0, help="size factor of every data set")
    main.add_argument("--repeat", type=int, default=5, help="runs of each validate candidate")
    main.add_argument("--big-grades", type=int, default=0, help="grades in the big file")
    main.add_argument("--students", type=int, default=0, help="students in the linkage set")
    main.add_argument("--backends", type=_names, default=["sqlite", "postgres"])
    main.add_argument("--growth-backends", type=_names, default=None)
    main.add_argument("--scales", type=_floats, default=None, help="growth sizes (x --scale)")
    main.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    main.add_argument("--no-profile", action="store_true", help="no py-spy stage sampling")
    main.add_argument("--clients", type=int, default=8, help="concurrent console clients")
    main.add_argument("--requests", type=int, default=20, help="requests per page and client")
    main.add_argument(
        "--console-backend", choices=["sqlite", "postgres"], default="sqlite", help="console: db"
    )
    main.add_argument("--applicants", type=int, default=50_000, help="crowd: applicants")
    main.add_argument("--big-file", action="store_true", help="crowd: also the big file")
    main.add_argument("--only-big-file", action="store_true", help="crowd: the big file only")
    main.add_argument("--big-students", type=int, default=999_999, help="students in it")
    main.add_argument("--big-applicants", type=Path, default=None, help="CSV imported first")
    main.add_argument("--write", action="store_true", help="write the report file")
    main.add_argument("--results", type=Path, default=RESULTS_PATH)
    main.add_argument("--against", default=None, help="startup: also time this git revision")
    main.add_argument(
        "command",
        choices=[
            "generate",
            "validate",
            "startup",
            "linkage",
            "weights",
            "e2e",
            "growth",
            "console",
            "crowd",
            "report",
            "all",
        ],
    )
    return main


COMMANDS: dict[str, Callable[[argparse.Namespace], None]] = {
    "generate": cmd_generate,
    "validate": cmd_validate,
    "startup": cmd_startup,
    "linkage": cmd_linkage,
    "weights": cmd_weights,
    "e2e": cmd_e2e,
    "growth": cmd_growth,
    "console": cmd_console,
    "crowd": cmd_crowd,
    "report": cmd_report,
    "all": cmd_all,
}


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    if args.scales is None:
        args.scales = [0.25 * args.scale, 0.5 * args.scale, args.scale]
    COMMANDS[args.command](args)


if __name__ == "__main__":
    main()
