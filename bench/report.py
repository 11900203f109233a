"""RESULTS.md: the machine, the versions, every stored measurement, and the goals met or missed."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.end_to_end import hot_spots, postgres_version, stage_times
from bench.machine import machine, versions
from bench.memory_report import memory_section
from bench.startup import startup_section

RESULTS_PATH = Path(__file__).parent / "RESULTS.md"
GOALS = {
    "read_fwf_over_validate": 10.0,
    "validate_over_floor": 3.0,
    "precision": 0.999,
    "recall": 0.99,
    "recall_with_review": 0.998,
    "queue_share": 0.02,
    "e2e_seconds": 180.0,
    "e2e_peak_rss_bytes": 3_000_000_000,
}
MISSING = "not measured"


def load_results(folder: Path) -> dict[str, dict[str, Any]]:
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(folder.glob("*.json"))
    }


def _yes(met: bool | None) -> str:
    return MISSING if met is None else ("**met**" if met else "**missed**")


def _mib(value: int | None) -> str:
    return "-" if value is None else f"{value / 2**20:,.0f} MiB"


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:,.2f} s"


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines


# --- sections ----------------------------------------------------------------------------------


def machine_section(postgres_url: str, results: dict[str, dict[str, Any]]) -> list[str]:
    info, found = machine(), versions()
    found["postgres (server)"] = postgres_version(postgres_url)
    rows = [
        [name, result["load_average_at_end"], _code(result.get("code"))]
        for name, result in results.items()
        if result.get("load_average_at_end")
    ]
    lines = [
        "## Machine",
        "",
        f"- CPU: {info['cpu_model']}, {info['cores']} cores; memory "
        f"{(info['memory_bytes'] or 0) / 2**30:.1f} GiB; {info['system']}",
        f"- load average (1, 5, 15 min) when this report was written: {info['load_average']}",
        "- the machine is shared with other work: the load average at the end of each "
        "measurement is kept with it (a load above 2 on 2 cores means the benchmark was "
        "competing for the processors, so absolute times are pessimistic; the ratios of "
        "candidates run in turns in the same run are much less affected)",
        "- the code measured: the commit and a digest of the product's source files as they "
        "were on disk (uncommitted changes included) when each measurement was stored",
        "",
    ]
    lines += _table(["measurement", "load average at its end", "code"], rows)
    lines += ["", "## Versions", ""]
    lines += _table(["software", "version"], [[k, v or "not installed"] for k, v in found.items()])
    return [*lines, ""]


def _code(code: dict[str, Any] | None) -> str:
    if not code:
        return "not recorded"
    return f"{code.get('commit') or '?'} + source {code.get('source_digest')}"


def validate_goals(result: dict[str, Any] | None) -> list[list[str]]:
    if result is None:
        return [["validate >= 10x faster than read_fwf", MISSING, MISSING]]
    ratios = result["ratios"]
    fwf, floor = ratios["read_fwf_over_validate_file"], ratios["validate_file_over_polars_floor"]
    cli_fwf, cli_floor = (
        ratios["read_fwf_over_ost_validate"],
        ratios["ost_validate_over_polars_floor"],
    )
    # Stored before the command was also measured in the harness's environment: absent.
    pandas_fwf = ratios.get("read_fwf_over_ost_validate_with_pandas")
    pandas_floor = ratios.get("ost_validate_with_pandas_over_polars_floor")
    fwf_goal, floor_goal = GOALS["read_fwf_over_validate"], GOALS["validate_over_floor"]
    return [
        [
            "validate >= 10x faster than pandas.read_fwf (parse only)",
            f"validate_file {fwf}x; `ost validate` CLI {cli_fwf}x" + _beside_pandas(pandas_fwf),
            f"{_yes(fwf >= fwf_goal)} (in process); {_yes(cli_fwf >= fwf_goal)} (CLI)"
            + _beside_pandas(pandas_fwf, pandas_fwf is not None and pandas_fwf >= fwf_goal),
        ],
        [
            "validate <= 3x the polars parse floor",
            f"validate_file {floor}x; `ost validate` CLI {cli_floor}x"
            + _beside_pandas(pandas_floor),
            f"{_yes(floor <= floor_goal)} (in process); {_yes(cli_floor <= floor_goal)} (CLI)"
            + _beside_pandas(pandas_floor, pandas_floor is not None and pandas_floor <= floor_goal),
        ],
    ]


def _beside_pandas(value: float | None, met: bool | None = None) -> str:
    """The CLI in an environment that also has pandas, which pandera then imports."""
    if value is None:
        return ""
    if met is None:
        return f"; CLI beside pandas {value}x"
    return f"; {_yes(met)} (CLI beside pandas)"


def linkage_goals(result: dict[str, Any] | None) -> list[list[str]]:
    if result is None:
        return [["linkage precision, recall, F1 vs Splink", MISSING, MISSING]]
    ours, splink = result["match_students"], result["splink"]
    if "outcomes" in ours:  # the queue `ost review list` shows: A009, A002 and A003
        held = sum(ours["outcomes"].get(s, 0) for s in ("review", "ambiguous", "not_merged"))
        ours = {**ours, "queue": held, "queue_share": held / result["students"]}
    rows = [
        [
            "linkage precision >= 0.999",
            f"{ours['precision']:.6f}",
            _yes(ours["precision"] >= GOALS["precision"]),
        ],
        [
            "linkage recall >= 0.99 (automatic)",
            f"{ours['recall']:.6f}",
            _yes(ours["recall"] >= GOALS["recall"]),
        ],
        [
            "linkage recall >= 0.998 counting the review zone",
            f"{ours.get('recall_with_review', 0.0):.6f}",
            _yes(ours.get("recall_with_review", 0.0) >= GOALS["recall_with_review"]),
        ],
        [
            "review queue < 2% of students",
            f"{ours.get('queue', 0):,} students, {ours.get('queue_share', 0.0):.2%}",
            _yes(ours.get("queue_share", 1.0) < GOALS["queue_share"]),
        ],
    ]
    if "error" in splink:
        rows.append(["F1 higher than Splink", f"Splink could not run: {splink['error']}", "-"])
        return rows
    best = splink["best_f1"]
    rows.append(
        [
            "F1 higher than Splink",
            f"ours {ours['f1']:.6f}; Splink {splink['f1']:.6f} at p >= {splink['threshold']}, "
            f"{best['f1']:.6f} at its best-F1 threshold {best['threshold']}",
            f"{_yes(ours['f1'] > splink['f1'])} (p >= {splink['threshold']}); "
            f"{_yes(ours['f1'] > best['f1'])} (best F1)",
        ]
    )
    return rows


def e2e_goals(results: dict[str, dict[str, Any]], scale: float) -> list[list[str]]:
    rows = []
    for backend in ("sqlite", "postgres"):
        run = results.get(f"e2e-{scale:g}-{backend}")
        if run is None:
            rows.append([f"batch end to end <= 3 min on {backend}", MISSING, MISSING])
            continue
        seconds, peak = run["run"]["seconds"], run["run"]["peak_rss_bytes"]
        rows.append(
            [
                f"batch end to end ({run['command']}) <= 3 min on {backend}",
                f"{seconds:,.1f} s",
                _yes(seconds <= GOALS["e2e_seconds"]),
            ]
        )
        rows.append(
            [
                f"peak RSS <= 3 GB on {backend}",
                _mib(peak),
                _yes(peak <= GOALS["e2e_peak_rss_bytes"]),
            ]
        )
    return rows


def growth_goals(result: dict[str, Any] | None) -> list[list[str]]:
    if result is None:
        return [["cost grows linearly", MISSING, MISSING]]
    return [
        [
            f"cost grows linearly ({backend})",
            f"slope {g['slope']}, time per record {g['per_record_drift']:+.0%} from the "
            f"smallest to the largest size",
            _yes(g["linear"]),
        ]
        for backend, g in result["backends"].items()
    ]


def goals_section(results: dict[str, dict[str, Any]], scale: float) -> list[str]:
    rows = [
        *validate_goals(results.get("validate")),
        *linkage_goals(results.get("linkage")),
        *e2e_goals(results, scale),
        *growth_goals(results.get("growth")),
    ]
    return ["## Goals", "", *_table(["goal", "measured", "verdict"], rows), ""]


def _warmup(result: dict[str, Any]) -> str:
    """How many untimed turns came first (results stored before there were any have none)."""
    turns = int(result.get("warmup", 0))
    if not turns:
        return ""
    return (
        f" {turns} untimed turn(s) of every candidate came first, so that the in-process ones"
        " do not count importing their libraries; `ost validate` starts a new process, imports"
        " included, in every run."
    )


def _environments(result: dict[str, Any]) -> str:
    """Where each `ost validate` ran, and whether pandas was importable there."""
    pandas = result.get("pandas_beside_ost")
    if not pandas:
        return ""
    where = {True: "installed", False: "not installed"}
    return (
        " `ost validate` as installed runs from an environment holding the package and its own"
        f" dependencies only (pandas {where[pandas['ost_validate_cli']]}), as a school installs"
        " it; beside pandas, from the harness's environment (pandas"
        f" {where[pandas['ost_validate_cli_with_pandas']]}, for `read_fwf`), where pandera"
        " imports pandas as it is imported itself."
    )


def validate_section(result: dict[str, Any] | None) -> list[str]:
    lines = ["## Parse and validate (`python -m bench validate`)", ""]
    if result is None:
        return [*lines, MISSING, ""]
    lines += [
        f"One transmission `{result['file']}` of {result['bytes'] / 2**20:,.1f} MiB: "
        f"{result['students']:,} students, {result['grades']:,} grades, {result['findings']:,} "
        f"findings; {result['defects']['detected']:,} of the {result['defects']['injected']:,} "
        "injected record defects reported with their code on their line. Each candidate ran "
        f"{result['repeat']} times, in turns; the median is the figure.{_warmup(result)}"
        f"{_environments(result)}",
        "",
    ]
    names = {
        "ost_validate_cli": "`ost validate FILE` as installed (child process, report printed)",
        "ost_validate_cli_with_pandas": "`ost validate FILE` beside pandas (the harness's venv)",
        "validate_file": "`validate_file` in process (the file read in place, every rule)",
        "pandas_read_fwf": "`pandas.read_fwf`, G1 colspecs, dtype=str (parse only)",
        "polars_floor": "polars floor: read lines from the file, slice every field (no rules)",
    }
    rows = [
        [names[name], _seconds(s["median"]), f"{s['min']:.2f}-{s['max']:.2f} s"]
        for name, s in result["seconds"].items()
    ]
    lines += _table(["candidate", "median", "range"], rows)
    lines += ["", "Ratios of medians:", ""]
    lines += _table(["ratio", "value"], [[k, f"{v}x"] for k, v in result["ratios"].items()])
    return [*lines, ""]


def _quality_row(name: str, q: dict[str, Any]) -> list[Any]:
    return [
        name,
        f"{q['precision']:.6f}",
        f"{q['recall']:.6f}",
        f"{q['f1']:.6f}",
        f"{q['correct_links']:,} / {q['predicted_links']:,}",
        f"{q['seconds']:,.2f} s",
    ]


def _set_tables(result: dict[str, Any]) -> list[str]:
    """The methods side by side on one labelled set, and the product's review zone."""
    ours = result["match_students"]
    rows = [
        _quality_row("match_students (merged automatically)", ours),
        _quality_row(
            "naive: exact OEN, else exact first + last name + birth date", result["naive"]
        ),
    ]
    splink = result["splink"]
    notes: list[str] = []
    if "error" in splink:
        notes = ["", f"Splink could not run here: {splink['error']}"]
    else:
        rows.append(_quality_row(f"Splink {splink['version']}, p >= {splink['threshold']}", splink))
        best = {**splink["best_f1"], "seconds": splink["seconds"]}
        rows.append(_quality_row(f"Splink, best-F1 threshold {best['threshold']}", best))
    lines = _table(["method", "precision", "recall", "F1", "correct / links", "time"], rows)
    if "recall_with_review" in ours:
        # The queue is what `ost review list` shows: A009, A002 and A003 (from the outcomes).
        held = sum(ours["outcomes"].get(s, 0) for s in ("review", "ambiguous", "not_merged"))
        ours = {**ours, "queue": held, "queue_share": held / result["students"]}
        lines += [
            "",
            f"Review zone of match_students: {ours['queue']:,} students held for an operator "
            f"({ours['queue_share']:.2%} of the students); {ours['found_in_review']:,} true links "
            f"among them with the true applicant proposed; recall counting them "
            f"{ours['recall_with_review']:.6f}. Outcomes: "
            + ", ".join(f"{k} {v:,}" for k, v in ours["outcomes"].items())
            + ".",
        ]
    return [*lines, *notes, ""]


def linkage_section(result: dict[str, Any] | None) -> list[str]:
    lines = ["## Linkage (`python -m bench linkage`)", ""]
    if result is None:
        return [*lines, MISSING, ""]
    lines += [
        "Hard labelled sets of `bench.linkage_noise` (the errors of `bench.linkage_data`, plus "
        "birth dates typed wrong, OEN and birth date both wrong, names swapped, two typing errors, "
        "blank names, birth dates and OENs on both sides, and two kinds no rule is designed "
        "around: OCR letter confusions and names cut short). The weights and thresholds were "
        f"estimated on training seeds only (`python -m bench weights`); seed {result['seed']} is "
        "held out, used for this measurement only. Links to international applicants are "
        "dropped from every method (A005).",
        "",
        f"### Held-out set (seed {result['seed']}): {result['students']:,} students, "
        f"{result['applicants']:,} applicants, "
        f"{result['match_students']['true_links']:,} true links",
        "",
        *_set_tables(result),
    ]
    training = result.get("training")
    if training:
        lines += [
            f"### Training set (seed {training['seed']}): {training['students']:,} students, "
            f"{training['applicants']:,} applicants, "
            f"{training['match_students']['true_links']:,} true links",
            "",
            *_set_tables(training),
        ]
    splink = result["splink"]
    if "error" not in splink:
        lines += [
            f"Splink (DuckDB): names cleaned (case, accents, punctuation); blocking on birth date "
            "and on OEN; Jaro-Winkler levels on first, middle and last name, the birth-date "
            "comparison, OEN within 1 or 2 edits; λ from deterministic rules, u by random "
            "sampling (10^7 pairs), m by EM blocked on birth date and on OEN; each student's most "
            f"probable applicant. Training {splink['training_seconds']:,.1f} s, prediction "
            f"{splink['predict_seconds']:,.1f} s, {splink['scored_pairs']:,} pairs above "
            "p = 0.01. The best-F1 threshold is chosen with the truth, so it flatters Splink.",
            "",
        ]
    return lines


def profile_of(run: dict[str, Any], work: Path) -> Path | None:
    """The py-spy samples of an end-to-end run, where they are still on disk."""
    path = Path(run.get("profile") or work / "e2e" / sample_tag(run) / "profile.txt")
    return path if path.is_file() else None


def sample_tag(run: dict[str, Any]) -> str:
    return f"{run['batch'].replace('.', '_').replace('-', '_')}_{run['backend']}"


def e2e_section(results: dict[str, dict[str, Any]], scale: float, work: Path) -> list[str]:
    lines = ["## End to end (`python -m bench e2e`)", ""]
    runs = [
        results[k] for k in (f"e2e-{scale:g}-sqlite", f"e2e-{scale:g}-postgres") if k in results
    ]
    if not runs:
        return [*lines, MISSING, ""]
    first = runs[0]
    lines += [
        f"The provincial batch at scale {scale:g}: {first['files']:,} file(s), "
        f"{first['students']:,} students, {first['grades']:,} grades ({first['records']:,} "
        f"records with headers and trailers), {first['applicants']:,} applicants. A fresh "
        f"OST_HOME and database each time; `ost applicants import`, then `{first['command']}` "
        "over the inbox. Wall time of the child process; its peak RSS is that of its whole "
        "process tree (the run and its validation workers): the larger of the largest sum "
        "sampled each second and the sum of each process's own high-water mark (VmHWM). "
        "The goal is judged on the batch; the import of the applicants, which the "
        "application system feeds in the course of the day, is shown beside it.",
        "",
    ]
    rows = []
    for run in runs:
        outcome = run["outcome"]
        accuracy = outcome["matching_against_truth"]
        rows.append(
            [
                run["backend"],
                _seconds(run["import"]["seconds"]),
                _seconds(run["run"]["seconds"]),
                f"{run['run']['per_second']:,.0f}",
                _mib(run["run"]["peak_rss_bytes"]),
                ", ".join(f"{k} {v}" for k, v in outcome["transmissions"].items()),
                f"{accuracy['precision']:.6f} / {accuracy['recall']:.6f}",
                run["load_average_after"],
            ]
        )
    header = [
        "database", "applicants import", "batch", "records/s", "peak RSS (batch)",
        "transmissions", "matches vs truth (precision / recall)", "load average after",
    ]  # fmt: skip
    lines += _table(header, rows)
    for run in runs:
        if settings := run.get("server_settings"):
            listed = ", ".join(f"{name} = {value}" for name, value in settings.items())
            lines += ["", f"PostgreSQL server settings during the {run['backend']} run: {listed}."]
    quarters = [run for run in runs if run.get("rss_over_time")]
    if quarters:
        lines += ["", "Largest resident memory in each quarter of the batch's run time:", ""]
        lines += _table(
            ["database", "1st quarter", "2nd", "3rd", "4th"],
            [
                [run["backend"], *(_mib(q["max_rss_bytes"]) for q in run["rss_over_time"])]
                for run in quarters
            ],
        )
    for run in runs:
        samples = profile_of(run, work)
        if samples is not None:
            # The stages are taken from the samples again, so that the report always uses the
            # stage names of the current harness.
            seconds = run.get("profiled_seconds", run["run"]["seconds"])
            run["stages"] = stage_times(samples, seconds, run["records"])
        if samples is not None and run.get("stages"):
            largest = next(iter(run["stages"]))
            spots = hot_spots(samples, largest)
            lines += ["", f"Where `{largest}` spends its time on {run['backend']}:", ""]
            lines += _table(
                ["calls (outermost first)", "share of the batch"],
                [[f"`{spot['calls']}`", f"{spot['share']:.1%}"] for spot in spots],
            )
        if run.get("stages"):
            lines += [
                "",
                f"Stages on {run['backend']}: py-spy samples of the main thread, from a second "
                "run of the batch with the profiler attached (the timed run above has none); "
                f"that run took {_seconds(run.get('profiled_seconds'))}.",
                "",
            ]
            lines += _table(
                ["stage", "seconds", "share", "records/s"],
                [
                    [
                        name,
                        f"{s['seconds']:,.1f}",
                        f"{s['share']:.1%}",
                        f"{s['records_per_second']:,.0f}",
                    ]
                    for name, s in run["stages"].items()
                ],
            )
    return [*lines, ""]


def growth_section(result: dict[str, Any] | None) -> list[str]:
    lines = ["## Growth (`python -m bench growth`)", ""]
    if result is None:
        return [*lines, MISSING, ""]
    for backend, growth in result["backends"].items():
        lines += [f"{backend}:", ""]
        lines += _table(
            ["scale", "records", "batch", "µs per record", "peak RSS"],
            [
                [
                    f"{s['scale']:g}",
                    f"{s['records']:,}",
                    _seconds(s["seconds"]),
                    f"{s['microseconds_per_record']:,.1f}",
                    _mib(s["peak_rss_bytes"]),
                ]
                for s in growth["sizes"]
            ],
        )
        lines += [
            "",
            f"log-log slope {growth['slope']} (1 = linear); time per record "
            f"{growth['per_record_drift']:+.1%} from the smallest to the largest size "
            f"(linear when within +{result['tolerance']:.0%}): {_yes(growth['linear'])}.",
            "",
        ]
    return lines


def data_section(work: Path) -> list[str]:
    """The generated data sets (their manifests), with the time their generation took."""
    rows = []
    for manifest_path in sorted(work.glob("*/manifest.json")):
        m = json.loads(manifest_path.read_text(encoding="utf-8"))
        rows.append(
            [
                f"`{manifest_path.parent.name}`",
                f"{m['files']:,}",
                f"{m['students']:,}",
                f"{m['grades']:,}",
                f"{m['applicants']:,}",
                f"{m['defective_records']:,} ({m['defective_records'] / m['records']:.2%})",
                m["rejected_files"],
                _seconds(m["generated_seconds"]),
                m.get("load_average_at_end", "not recorded"),
            ]
        )
    header = [
        "data set", "files", "students", "grades", "applicants", "defective records",
        "files with a file-level error", "generated in", "load average at the end",
    ]  # fmt: skip
    lines = [
        "## Data (`python -m bench generate`, `bench/provincial.py`)",
        "",
        "Deterministic (seeded): names, OEN and birth-date slips, students who never apply and "
        "international applicants come from `bench.linkage_data`; courses from the course-code "
        "table by pathway and grade; grade types by term against each file's creation date; "
        "about 1% of the S1 and G1 records carry one defect each, spread evenly over S002-S009, "
        "G001-G020 and R001-R004; 0.5% of the files are rejected whole (F005, F007). The truth "
        "(each student's application, each defect's line and code) is written beside the files.",
        "",
    ]
    return [*lines, *_table(header, rows), ""] if rows else [*lines, MISSING, ""]


def render(results: dict[str, dict[str, Any]], postgres_url: str, scale: float, work: Path) -> str:
    sections: list[Callable[[], list[str]]] = [
        lambda: goals_section(results, scale),
        lambda: validate_section(results.get("validate")),
        lambda: startup_section(results),
        lambda: linkage_section(results.get("linkage")),
        lambda: e2e_section(results, scale, work),
        lambda: growth_section(results.get("growth")),
        lambda: memory_section(results),
        lambda: data_section(work),
        lambda: machine_section(postgres_url, results),
    ]
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Benchmark results",
        "",
        f"Written by `python -m bench all --write` (or `python -m bench report --write` from "
        f"stored results) on {now}. Every figure below comes from the harness's stored "
        "results, each measurement listed under Machine with the code it ran and the load at "
        "its end; nothing is edited by hand.",
        "",
        'To measure again: start PostgreSQL (`eval "$(scripts/services)"`), install the '
        "alternatives (`pip install -e '.[bench]'`), then `python -m bench all --write` "
        "(data and raw results under `bench/work/`, git-ignored). Speed is only ever compared "
        "within one run of the harness, candidates taking turns.",
        "",
    ]
    for section in sections:
        lines += section()
    return "\n".join(lines).rstrip() + "\n"


def write_report(results: Path, path: Path | None, postgres_url: str, scale: float) -> str:
    """Render the report from the results folder; write it to `path` when given."""
    text = render(load_results(results), postgres_url, scale, results.parent)
    if path is not None:
        path.write_text(text, encoding="utf-8")
    return text
