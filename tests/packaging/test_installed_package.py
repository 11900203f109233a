"""Every command of `ost`, once, as the wheel installed alone in a new environment runs it on
the sample files: no missing module, no traceback, the exit codes the command line promises.

A new command is one more line in STEPS (or in SERVICES for one that runs until stopped).
"""

from __future__ import annotations

import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from bench.wheel import build_wheel, install_alone
from tests.packaging.installed import BROKEN, Service, Step, clean_env, problems, run_step

pytestmark = pytest.mark.installed

# In order: each step runs in the OST_HOME the previous ones left.
STEPS = [
    Step("--help", 0, stdout_has="validate"),
    Step("validate {samples}/S885827.C1", 0, stdout_has="No errors detected in the data"),
    Step("validate {samples}/S871234.C1", 1, stdout_has="S871234.C1"),
    Step("validate {samples}/S871234.C1 --html {work}/report.html", 1),
    Step("validate {samples}/S871234.C1 --html {work}/missing/report.html", 2, stderr_has="ost: "),
    Step("validate {samples}/S880012.C3 --json", 1, stdout_has='"status": "rejected"'),
    Step("validate {samples}/S885827.C1 --lang fr", 0),
    Step("glossary G004", 0, stdout_has="G004"),
    Step("glossary ZZZ9", 2, stderr_has="`ost glossary` lists them all"),
    Step("applicants import {samples}/applicants.csv", 0, stdout_has="imported 60 applicant"),
    Step("ingest {samples}/S885827.C1", 0),
    Step("ingest {samples}/S880012.C3 --json", 1, stdout_has='"id"'),
    Step("run", 1, inbox=("S871234.C1",)),
    Step("history", 0, stdout_has="S871234.C1"),
    Step("history --json", 0, stdout_has='"status"'),
    Step("applicants show 2026-104037", 0, stdout_has="2026-104037"),
    Step("applicants show 2026-104037 --json", 0, stdout_has='"courses"'),
    Step("applicants show 2099-000000", 1, stderr_has="no applicant"),
    Step("export courses --csv", 0, stdout_has="application_number"),
    Step("export courses --mident 885827 --json", 0, stdout_has="885827"),
    Step("replay --failed", 0, stdout_has="nothing to replay"),
    Step("replay 1", 0),
    Step("export courses --mident 885827 --personal", 0, stdout_has="******"),
    Step("review list", 0, stdout_has="held student"),
    Step("review list --json", 0, stdout_has="["),
    Step("review show 999", 2, stderr_has="no held student with id 999"),
    Step("review unlink 885827 999 --by ops --reason test", 1, stderr_has="ost: "),
    Step(
        "report applicant-status --mident 885827 --xlsx {work}/status.xlsx", 0, stdout_has="wrote"
    ),
    Step("users add clerk2 --role school --mident 885827", 0, stdin="a long password 1\n"),
    Step("users add clerk1 --role school", 1, stderr_has="at least one --mident"),
    Step("users disable nobody", 1, stderr_has="no user 'nobody'"),
    Step("serve --port 0", 2, stderr_has="ost: Invalid value for '--port'"),
]
# Commands that run until SIGTERM, each started in a new OST_HOME and stopped once ready.
SERVICES = [Service("schedule", ready="next run: ")]


@pytest.fixture(scope="module")
def installed_bin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `bin/` of a new environment holding only the wheel and its dependencies."""
    wheel = build_wheel(tmp_path_factory.mktemp("wheel"))
    return install_alone(wheel, tmp_path_factory.mktemp("env") / "venv")


@pytest.fixture(scope="module")
def ost_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ost-home")


def test_the_environment_has_no_development_tool(installed_bin: Path) -> None:
    for module in ("pandas", "pytest", "ost_pipeline_tests"):
        probe = f"import importlib.util as u, sys; sys.exit(u.find_spec({module!r}) is not None)"
        assert subprocess.run([installed_bin / "python", "-c", probe], check=False).returncode == 0


@pytest.mark.parametrize("step", STEPS, ids=lambda step: step.args.split("{")[0].strip())
def test_every_command_runs_as_installed(
    installed_bin: Path, ost_home: Path, tmp_path: Path, step: Step
) -> None:
    run = run_step(installed_bin, step, ost_home, tmp_path)
    assert problems(step, run) == [], f"ost {step.args}\n{run.stdout[-3000:]}\n{run.stderr}"


@pytest.mark.parametrize("service", SERVICES, ids=lambda service: service.args)
def test_a_service_starts_and_stops_on_sigterm(
    installed_bin: Path, tmp_path: Path, service: Service
) -> None:
    ost_home = tmp_path / "home"  # new: the service makes the folders, the inbox among them
    process = subprocess.Popen(
        [installed_bin / "ost", *service.args.split()],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=clean_env(ost_home),
        cwd=tmp_path,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()  # blocks until the service is ready
        process.send_signal(signal.SIGTERM)
        rest, errors = process.communicate(timeout=60)
    finally:
        process.kill()
    output = first + rest + errors
    assert first.startswith(service.ready), output
    assert process.returncode == 0, output
    assert not any(text in output for text in BROKEN), output
    assert (ost_home / "inbox").is_dir()


def test_the_console_serves_its_pages_and_files_as_installed(
    installed_bin: Path, tmp_path: Path
) -> None:
    """`ost users add`, then `ost serve`: the templates, wording and htmx are in the wheel."""
    env = clean_env(tmp_path / "home")
    added = subprocess.run(
        [installed_bin / "ost", "users", "add", "ops", "--role", "operator"],
        input="operator-secret-1\n", capture_output=True, text=True, env=env, cwd=tmp_path,
        check=False, timeout=120,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [installed_bin / "ost", "serve", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path,
    )  # fmt: skip
    try:
        login = fetched(f"http://127.0.0.1:{port}/login?lang=fr", server)
        htmx = fetched(f"http://127.0.0.1:{port}/static/htmx.min.js", server)
    finally:
        server.terminate()
        output = "".join(server.communicate(timeout=60))
    assert 'name="csrf_token"' in login and "Se connecter" in login
    assert "htmx" in htmx
    assert not any(text in output for text in BROKEN), output


def fetched(url: str, server: subprocess.Popen[str]) -> str:
    """The page's text, once the server answers (it may still be starting)."""
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return str(response.read().decode("utf-8"))
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.2)
