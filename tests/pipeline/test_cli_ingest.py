"""The operator commands through the CLI: ingest, history, applicants, export."""

from __future__ import annotations

import csv
import io
import json
import socket
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from pipeline.cli import app
from tests.pipeline.test_cli_validate import invalid_marks_file
from tests.pipeline.test_ingest_end_to_end import SAMPLE_FILES, SAMPLES
from tests.postgres import server_url


@pytest.fixture
def ost_env(tmp_path: Path) -> dict[str, str]:
    return {
        "OST_HOME": str(tmp_path / "home"),
        "OST_DATABASE_URL": f"sqlite:///{tmp_path / 'o.db'}",
    }


def ost(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_import_ingest_history_show_export(ost_env: dict[str, str]) -> None:
    code, out, _ = ost(ost_env, "applicants", "import", str(SAMPLES / "applicants.csv"))
    assert code == 0 and "imported 60 applicant(s)" in out
    code, out, _ = ost(ost_env, "ingest", "--json", *map(str, SAMPLE_FILES))
    assert code == 1  # the sample files include errors
    reports = json.loads(out)
    assert [r["status"] for r in reports] == ["partially processed", "rejected", "processed"]
    assert all({"id", "matching", "merge"} <= set(r) for r in reports)

    code, out, _ = ost(ost_env, "history", "--json")
    assert code == 0
    history = json.loads(out)
    assert {row["file"] for row in history} == {path.name for path in SAMPLE_FILES}
    code, out, _ = ost(ost_env, "history", "--status", "rejected")
    assert code == 0 and "S880012.C3" in out and "S885827.C1" not in out
    # Received times are shown on the operators' clock (OST_TIMEZONE), with the zone named.
    code, out, _ = ost({**ost_env, "OST_TIMEZONE": "Asia/Tokyo"}, "history")
    assert code == 0 and out.count(" JST ") == len(SAMPLE_FILES)

    code, out, _ = ost(ost_env, "export", "courses", "--mident", "885827")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows and {row["mident"] for row in rows} == {"885827"}
    assert list(rows[0]) == [
        "application_number",
        "mident",
        "student_number",
        "course_code",
        "completion_date",
        "delivery_type",
        "grade_type",
        "mark",
        "credit_value",
        "course_status",
        "transmission_id",
        "transmission_file",
        "course_type",
        "notes",
        "course_mident",
        "supplier_mident",
        "course_title",
        "surname",
        "first_name",
        "middle_name",
    ]
    assert all(row["surname"] and row["course_mident"] for row in rows)
    # The OEN and birth date only on request: masked, or as stored.
    code, out, _ = ost(ost_env, "export", "courses", "--mident", "885827", "--personal")
    masked = list(csv.DictReader(io.StringIO(out)))
    code, out, _ = ost(ost_env, "export", "courses", "--mident", "885827", "--show-personal")
    shown = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and list(shown[0])[-2:] == ["oen", "birth_date"]
    first_born = shown[0]["birth_date"]
    assert len(first_born) == 10 and masked[0]["birth_date"] == first_born[:4] + "******"
    with_oen = [(m, s) for m, s in zip(masked, shown, strict=True) if s["oen"]]
    assert with_oen and all(m["oen"] == "******" + s["oen"][-3:] for m, s in with_oen)
    number = rows[0]["application_number"]
    code, out, _ = ost(ost_env, "applicants", "show", number, "--json")
    view = json.loads(out)
    assert code == 0 and view["applicant"]["application_number"] == number
    assert {c["course_code"] for c in view["courses"]} == {
        r["course_code"] for r in rows if r["application_number"] == number
    }
    assert all(student["reason"] for student in view["students"])
    code, out, _ = ost(ost_env, "applicants", "show", number)
    born, oen = view["applicant"]["birth_date"], view["applicant"]["oen"]
    assert code == 0 and number in out and oen not in out and born not in out
    assert f"born {born[:4]}******" in out  # the year stays, as in the validation reports
    assert "--show-personal shows them" in out
    code, out, _ = ost(ost_env, "applicants", "show", number, "--show-personal")
    assert code == 0 and oen in out and born in out and "--show-personal" not in out


@pytest.mark.parametrize(
    ("lang", "more", "counts"),
    [
        ("en", "... 55 more; the full list is in {}.", "held (no applicant yet) 5"),
        ("fr", "... 55 de plus; la liste complète se trouve dans {}.", "en attente (aucune"),
    ],
)
def test_ingest_console_points_to_the_saved_report(
    ost_env: dict[str, str], tmp_path: Path, lang: str, more: str, counts: str
) -> None:
    path = invalid_marks_file(tmp_path, students=5, grades_each=50)  # 250 G004, 5 A001
    code, out, _ = ost(ost_env, "ingest", "--lang", lang, str(path))
    assert code == 1
    suffix = "" if lang == "en" else ".fr"
    saved = Path(ost_env["OST_HOME"]).resolve() / "reports" / "1" / f"report{suffix}.csv"
    assert more.format(saved) in out.splitlines()
    assert saved.is_file() and counts in out
    assert ("La note « ZZZ »" in out) == (lang == "fr")  # the messages in that language too


def test_a_duplicate_is_not_called_clean(ost_env: dict[str, str]) -> None:
    sample = str(SAMPLES / "S885827.C1")
    code, out, _ = ost(ost_env, "ingest", sample)
    assert code == 0 and "No errors detected in the data" in out
    code, out, _ = ost(ost_env, "ingest", sample)  # the same bytes: nothing was checked
    assert code == 0 and "F009" in out and "No errors detected" not in out


def test_bad_applicant_rows_import_nothing(ost_env: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    lines = (SAMPLES / "applicants.csv").read_text(encoding="utf-8").splitlines()
    lines.append(lines[1].replace(lines[1].split(",")[6], "2008-02-30"))
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, _, err = ost(ost_env, "applicants", "import", str(bad))
    assert code == 1
    assert f"bad.csv:{len(lines)}:" in err and "nothing imported" in err
    code, out, _ = ost(ost_env, "applicants", "show", lines[1].split(",")[0])
    assert code == 1


def test_unknown_applicant_and_missing_file_are_one_line(ost_env: dict[str, str]) -> None:
    code, _, err = ost(ost_env, "applicants", "show", "nobody")
    assert code == 1 and err.strip() == "ost: no applicant nobody"
    code, _, err = ost(ost_env, "ingest", "/nonexistent/S885827.C1")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def _closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _missing_database() -> str:
    return make_url(server_url()).set(database="ost_no_such_database").render_as_string(False)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        (
            lambda: f"postgresql+psycopg://ost:s3cret@127.0.0.1:{_closed_port()}/ost",
            "ost: the database could not be used: connection failed: ",
        ),
        pytest.param(
            _missing_database,
            "ost: the database could not be used: connection failed: connection to server at ",
            marks=pytest.mark.postgres,
        ),
        (
            lambda: "nosuchdb://ost:s3cret@host/ost",
            "ost: OST_DATABASE_URL: no database driver for 'nosuchdb'",
        ),
        (
            lambda: "postgres://ost:s3cret@host/ost",
            "ost: OST_DATABASE_URL: no database driver for 'postgres'; for PostgreSQL write "
            "postgresql+psycopg://user:password@host/database",
        ),
        (
            lambda: "s3cret, not a URL",
            "ost: OST_DATABASE_URL is not a database URL (dialect://...)",
        ),
    ],
    ids=["refused", "no-such-database", "unknown-driver", "short-scheme", "not-a-url"],
)
def test_a_database_that_cannot_be_opened_is_one_line_and_exit_2(
    tmp_path: Path, url: Callable[[], str], reason: str
) -> None:
    env = {"OST_HOME": str(tmp_path / "home"), "OST_DATABASE_URL": url()}
    for command in (["run"], ["history"]):
        code, out, err = ost(env, *command)
        assert code == 2
        assert err.startswith(reason), err
        assert len(err.splitlines()) == 1, err
        assert "s3cret" not in err and out == ""
        if url is _missing_database:  # the server's own reason, whatever its address
            assert 'database "ost_no_such_database" does not exist' in err


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (
            ["glossary", "ZZZ"],
            "ost: unknown glossary code 'ZZZ' (`ost glossary` lists them all)",
        ),
        (
            ["history", "--status", "done"],
            "ost: --status must be one of received, processing, processed, partially processed, "
            "rejected, failed, duplicate; not 'done'",
        ),
        (
            ["export", "courses", "--mident", "88582"],
            "ost: --mident must be a school's six-digit MIDENT, such as 885827; not '88582'",
        ),
        (["export", "courses", "--csv", "--json"], "ost: --csv and --json: choose one"),
    ],
    ids=["glossary", "history", "export", "export-format"],
)
def test_an_argument_that_can_match_nothing_is_refused_in_one_line(
    ost_env: dict[str, str], args: list[str], reason: str
) -> None:
    code, out, err = ost(ost_env, *args)
    assert (code, out, err) == (2, "", reason + "\n")
