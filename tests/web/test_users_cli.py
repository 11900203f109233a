"""`ost users add | disable | password`: accounts from the command line, passwords from
standard input (never from the command line), stored as argon2 hashes."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from pipeline.accounts import authenticate, find_account
from pipeline.cli import app
from pipeline.database import open_database
from pipeline.models import ConsoleUser
from pipeline.store import table


def ost(tmp_path: Path, *args: str, password: str = "") -> tuple[int, str, str]:
    env = {"OST_HOME": str(tmp_path / "home"), "OST_DATABASE_URL": None}
    result = CliRunner().invoke(app, list(args), input=password, env=env)
    return result.exit_code, result.stdout, result.stderr


def database(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'home' / 'ost.sqlite3'}"


def test_add_a_board_account_and_sign_in_with_it(tmp_path: Path) -> None:
    args = (
        "users",
        "add",
        "board7",
        "--role",
        "school",
        "--mident",
        "885827",
        "--mident",
        "871234",
    )
    code, out, _ = ost(tmp_path, *args, password="board-password-7\n")
    assert code == 0 and "added school board7 for 871234, 885827" in out
    engine = open_database(database(tmp_path))
    with engine.connect() as conn:
        account = authenticate(conn, "board7", "board-password-7")
        stored = conn.execute(select(table(ConsoleUser).c.password_hash)).scalar_one()
    engine.dispose()
    assert account is not None and account.midents == ("871234", "885827")
    assert stored.startswith("$argon2id$") and "board-password-7" not in stored


def test_bad_accounts_are_refused_in_one_line(tmp_path: Path) -> None:
    cases = [
        (("users", "add", "s1", "--role", "school"), "at least one --mident"),
        (("users", "add", "s1", "--role", "school", "--mident", "12"), "six-digit MIDENT"),
        (("users", "add", "o1", "--role", "admin"), "operator, school"),
        (("users", "add", "o1", "--role", "operator", "--mident", "885827"), "every school"),
        (("users", "add", "bad name", "--role", "operator"), "user name"),
    ]
    for args, reason in cases:
        code, _, err = ost(tmp_path, *args, password="long-enough-password\n")
        assert code == 1 and reason in err and err.startswith("ost: "), (args, err)
    code, _, err = ost(tmp_path, "users", "add", "o1", "--role", "operator", password="short\n")
    assert code == 1 and "at least 10 characters" in err
    ost(tmp_path, "users", "add", "o1", "--role", "operator", password="long-enough-password\n")
    code, _, err = ost(tmp_path, "users", "add", "o1", "--role", "operator", password="x" * 12)
    assert code == 1 and "already exists" in err


def test_disable_and_a_new_password(tmp_path: Path) -> None:
    ost(tmp_path, "users", "add", "ops", "--role", "operator", password="first-password-1\n")
    assert ost(tmp_path, "users", "disable", "ops")[0] == 0
    engine = open_database(database(tmp_path))
    with engine.connect() as conn:
        assert authenticate(conn, "ops", "first-password-1") is None
    code, out, _ = ost(tmp_path, "users", "password", "ops", password="second-password-2\n")
    assert code == 0 and "password of ops changed" in out
    with engine.connect() as conn:
        assert authenticate(conn, "ops", "first-password-1") is None
        assert authenticate(conn, "ops", "second-password-2") is not None
        account = find_account(conn, "ops")
    engine.dispose()
    assert account is not None and not account.disabled
    assert ost(tmp_path, "users", "disable", "nobody")[2] == "ost: no user 'nobody'\n"
    code, _, err = ost(tmp_path, "users", "password", "nobody", password="whatever-1234\n")
    assert code == 1 and "no user" in err


def test_no_password_on_standard_input_is_refused(tmp_path: Path) -> None:
    code, _, err = ost(tmp_path, "users", "add", "ops", "--role", "operator", password="")
    assert code == 2 and err == "ost: no password on standard input\n"
