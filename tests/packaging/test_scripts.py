"""The scripts a developer runs: the test server they start can be stopped the same way."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]
SPARE_PORT = "55491"  # not the suite's server, which other test runs share


def services(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OST_TEST_PG_PORT": SPARE_PORT}
    return subprocess.run(
        [ROOT / "scripts" / "services", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )


@pytest.mark.postgres
def test_the_test_server_is_started_then_stopped_by_scripts_services() -> None:
    started = services()
    assert started.returncode == 0, started.stderr
    url = f"postgresql://ost@127.0.0.1:{SPARE_PORT}/postgres"
    assert f"export OST_TEST_POSTGRES_URL=postgresql+psycopg://ost@127.0.0.1:{SPARE_PORT}/" in (
        started.stdout
    )
    with psycopg.connect(url) as connection:
        assert connection.execute("select 1").fetchone() == (1,)
    stopped = services("stop")
    assert stopped.returncode == 0, stopped.stderr
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(url, connect_timeout=3)
    again = services("stop")
    assert "no PostgreSQL server of the tests is running on port 55491" in again.stderr
