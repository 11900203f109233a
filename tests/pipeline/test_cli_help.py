"""Every command and every option of `ost` says what it is in --help."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer
from typer.testing import CliRunner

from pipeline.cli import app


def commands(group: Any, path: str = "ost") -> Iterator[tuple[str, Any]]:
    """Every command under `group` (typer's command objects), with its command line."""
    yield path, group
    for name, command in getattr(group, "commands", {}).items():
        yield from commands(command, f"{path} {name}")


def undocumented() -> list[str]:
    missing = []
    for path, command in commands(typer.main.get_command(app)):
        if not (command.help or command.short_help):
            missing.append(path)
        for param in command.params:
            if param.name != "help" and not getattr(param, "help", None):
                missing.append(f"{path} {param.opts[0] if param.opts else param.name}")
    return missing


def test_every_command_and_option_has_help_text() -> None:
    assert undocumented() == []


def test_the_walk_reaches_every_command() -> None:
    paths = {path for path, _ in commands(typer.main.get_command(app))}
    assert {"ost validate", "ost applicants show", "ost export courses", "ost schedule"} <= paths


def test_help_is_shown_for_each_command() -> None:
    for path, _ in commands(typer.main.get_command(app)):
        result = CliRunner().invoke(app, [*path.split()[1:], "--help"])
        assert result.exit_code == 0 and "Usage:" in result.stdout, path


def test_json_and_lang_are_defined_once_for_every_command() -> None:
    """`--json` and `--lang` are declared in pipeline/cli_shared.py only; every command that
    takes them gets them from there."""
    root = Path(__file__).resolve().parents[2] / "pipeline"
    declared = {
        path.name
        for path in root.glob("*.py")
        if '"--json"' in path.read_text("utf-8") or '"--lang"' in path.read_text("utf-8")
    }
    assert declared == {"cli_shared.py"}
    taking = {
        path
        for path, command in commands(typer.main.get_command(app))
        for param in command.params
        if {"--json", "--lang"} & set(getattr(param, "opts", []))
    }
    assert {"ost validate", "ost ingest", "ost run", "ost glossary", "ost review list"} <= taking
