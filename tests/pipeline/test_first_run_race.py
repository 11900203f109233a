"""Two first runs on a new OST_HOME at once: both find a migrated database, neither fails."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

OST = Path(sys.executable).parent / "ost"


@pytest.mark.parametrize("attempt", range(5))
def test_two_first_commands_at_once_both_migrate_the_new_database(
    tmp_path: Path, attempt: int
) -> None:
    env = {**os.environ, "OST_HOME": str(tmp_path / "home")}
    env.pop("OST_DATABASE_URL", None)
    both = [
        subprocess.Popen(
            [OST, "history", "--json"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(2)
    ]
    finished = [process.communicate(timeout=120) for process in both]
    assert [process.returncode for process in both] == [0, 0], [err for _, err in finished]
    assert [out.strip() for out, _ in finished] == [b"[]", b"[]"]
