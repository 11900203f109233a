"""The benchmark harness at a tiny size: it runs end to end and writes well-formed results.

Only the shape of the results is checked here, never the speed (README.md, Benchmarks: speed is
measured in
bench/, not in timed tests).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from bench.end_to_end import SERVER_SETTINGS, database_name, stage_times
from bench.measure import run_child
from tests.postgres import server_url

SCALE = 0.001
ROOT = Path(__file__).resolve().parents[2]


def _results(work: Path) -> dict[str, dict[str, Any]]:
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8"))
        for path in (work / "results").glob("*.json")
    }


def _drop(url: str, name: str) -> None:
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """`python -m bench all --write` at scale 0.001 into a temporary folder."""
    work = tmp_path_factory.mktemp("bench")
    report = work / "RESULTS.md"
    postgres = server_url()
    command = [
        sys.executable, "-m", "bench", "--work", str(work), "--scale", str(SCALE),
        "--repeat", "1", "--backends", "sqlite,postgres", "--growth-backends", "sqlite",
        "--scales", f"{SCALE / 2},{SCALE}", "--postgres-url", postgres, "--no-profile",
        "--results", str(report), "--write", "all",
    ]  # fmt: skip
    try:
        # The first step installs the package alone into a new environment (bench/measure.py),
        # with every dependency of the command line and the web console.
        done = subprocess.run(
            command, cwd=ROOT, capture_output=True, text=True, timeout=900, env=dict(os.environ)
        )
    finally:
        batch = work / f"provincial-{SCALE:g}"
        _drop(postgres, database_name(batch, "postgres", work))
    assert done.returncode == 0, done.stderr[-3000:]
    return work, report


@pytest.mark.postgres
def test_generated_batch_has_its_truth(bench_run: tuple[Path, Path]) -> None:
    work, _ = bench_run
    batch = work / f"provincial-{SCALE:g}"
    manifest = json.loads((batch / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["students"] == 150
    assert len(list((batch / "inbox").iterdir())) == manifest["files"]
    assert (batch / "applicants.csv").read_text(encoding="utf-8").startswith("application_number,")
    assert (batch / "truth" / "students.parquet").exists()
    assert (batch / "truth" / "defects.parquet").exists()


@pytest.mark.postgres
def test_validate_result_is_well_formed(bench_run: tuple[Path, Path]) -> None:
    result = _results(bench_run[0])["validate"]
    assert set(result["seconds"]) == {
        "ost_validate_cli", "ost_validate_cli_with_pandas", "validate_file", "pandas_read_fwf",
        "polars_floor",
    }  # fmt: skip
    # The command as installed has the package's own dependencies only: pandas is not one.
    assert result["pandas_beside_ost"] == {
        "ost_validate_cli": False, "ost_validate_cli_with_pandas": True
    }  # fmt: skip
    assert all(s["median"] > 0 and len(s["runs"]) == 1 for s in result["seconds"].values())
    assert result["warmup"] == 1
    assert all(ratio > 0 for ratio in result["ratios"].values())
    assert result["defects"]["detected"] == result["defects"]["injected"]


@pytest.mark.postgres
def test_linkage_result_is_well_formed(bench_run: tuple[Path, Path]) -> None:
    result = _results(bench_run[0])["linkage"]
    for method in ("match_students", "naive"):
        quality = result[method]
        assert 0 <= quality["precision"] <= 1 and 0 <= quality["recall"] <= 1
        assert quality["correct_links"] <= quality["predicted_links"]
    splink = result["splink"]
    assert "error" in splink or 0 <= splink["best_f1"]["f1"] <= 1


@pytest.mark.postgres
def test_end_to_end_results_are_well_formed(bench_run: tuple[Path, Path]) -> None:
    results = _results(bench_run[0])
    for backend in ("sqlite", "postgres"):
        run = results[f"e2e-{SCALE:g}-{backend}"]
        assert run["run"]["seconds"] > 0 and run["run"]["peak_rss_bytes"] > 0
        assert sum(run["outcome"]["transmissions"].values()) == run["files"]
        assert run["outcome"]["student_records"] == run["students"]
    settings = results[f"e2e-{SCALE:g}-postgres"]["server_settings"]
    assert set(settings) == set(SERVER_SETTINGS) and settings["fsync"] in ("on", "off")
    assert "server_settings" not in results[f"e2e-{SCALE:g}-sqlite"]
    growth = results["growth"]["backends"]["sqlite"]
    assert [size["scale"] for size in growth["sizes"]] == [SCALE / 2, SCALE]
    assert isinstance(growth["linear"], bool)


@pytest.mark.postgres
def test_startup_result_is_well_formed(bench_run: tuple[Path, Path]) -> None:
    result = _results(bench_run[0])["startup"]
    assert {"python -c pass", 'python -c "import polars"', "ost --help [now]"} <= set(
        result["seconds"]
    )
    assert all(value["median"] > 0 for value in result["seconds"].values())
    assert set(result["over_polars_floor"]) == set(result["seconds"]) - {
        "python -c pass",
        'python -c "import polars"',
    }
    assert "## Start-up" in bench_run[1].read_text(encoding="utf-8")


@pytest.mark.postgres
def test_report_states_every_goal(bench_run: tuple[Path, Path]) -> None:
    text = bench_run[1].read_text(encoding="utf-8")
    for heading in (
        "## Goals",
        "## Parse and validate",
        "## Linkage",
        "## End to end",
        "## Growth",
    ):
        assert heading in text
    assert "## Machine" in text and "polars" in text
    assert "not measured" not in text
    assert "PostgreSQL server settings during the postgres run: fsync = " in text


def test_stage_times_take_the_main_thread_only(tmp_path: Path) -> None:
    samples = tmp_path / "profile.txt"
    samples.write_text(
        "main (pipeline/cli.py:10);validate_received (pipeline/ingest.py:5);parse (x.py:1) 30\n"
        "main (pipeline/cli.py:10);match_students (matching/match.py:3) 10\n"
        "run (threading.py:1);beat (pipeline/lock.py:2) 60\n",
        encoding="utf-8",
    )
    stages = stage_times(samples, wall_seconds=8.0, records=800)
    assert stages["parse and validate (or wait for it)"] == {
        "seconds": 6.0, "share": 0.75, "records_per_second": 133.3
    }  # fmt: skip
    assert set(stages) == {"parse and validate (or wait for it)", "match"}


ALLOCATE_100_MIB = (
    "import time\n"
    "block = bytearray(100 * 2**20)\n"
    "block[::4096] = bytes(len(range(0, len(block), 4096)))\n"
    "time.sleep(1.5)\n"
)


def test_peak_memory_is_the_childs_own_not_the_harness_size() -> None:
    """Linux gives a spawned child's ru_maxrss at least the parent's size: not used then."""
    ballast = bytearray(400 * 2**20)  # this process made large, as the harness is after linkage
    ballast[::4096] = bytes(len(range(0, len(ballast), 4096)))
    run = run_child([sys.executable, "-c", ALLOCATE_100_MIB], rss_every=0.2)
    assert run.returncode == 0
    assert 100 * 2**20 <= run.peak_rss_bytes < 300 * 2**20
    del ballast


def test_growth_measures_again_what_other_code_measured(tmp_path: Path) -> None:
    from bench.__main__ import measured_now, results_dir, store

    store(tmp_path, "e2e-0.5-sqlite", {"scale": 0.5})
    assert measured_now(tmp_path, "e2e-0.5-sqlite")
    path = results_dir(tmp_path) / "e2e-0.5-sqlite.json"
    result = json.loads(path.read_text(encoding="utf-8"))
    result["code"]["source_digest"] = "0" * 12
    path.write_text(json.dumps(result), encoding="utf-8")
    assert not measured_now(tmp_path, "e2e-0.5-sqlite")
    assert not measured_now(tmp_path, "e2e-1-sqlite")


def test_warmup_turns_come_first_and_are_not_timed() -> None:
    from bench.measure import interleaved

    calls: list[str] = []
    candidates = {name: (lambda name=name: calls.append(name) or len(calls)) for name in "AB"}
    seconds, values = interleaved(candidates, repeat=2, warmup=1)
    assert calls == ["A", "B", "A", "B", "A", "B"]
    assert {name: len(runs) for name, runs in seconds.items()} == {"A": 2, "B": 2}
    assert values == {"A": 5, "B": 6}
