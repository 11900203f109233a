"""Inbox files read without following links; everything the product creates is private."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from pipeline.batch import run_batch
from pipeline.config import BatchOptions
from pipeline.files import UnreadableFile, read_limited
from pipeline.ingest import IngestContext, receive
from tests.pipeline.test_ingest_end_to_end import SAMPLES

OST = Path(sys.executable).parent / "ost"


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def test_a_link_is_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_bytes(b"T1 secret")
    link = tmp_path / "S885827.C1"
    link.symlink_to(secret)
    with pytest.raises(UnreadableFile, match="symbolic link"):
        read_limited(link, 2**20)
    with pytest.raises(UnreadableFile, match="symbolic link"):
        receive(link, 2**20)
    with pytest.raises(UnreadableFile, match="symbolic link"):
        receive(link, 1)  # over the limit: hashed, still never through the link


def test_a_pipe_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    pipe = tmp_path / "S885827.C1"
    os.mkfifo(pipe)
    with pytest.raises(UnreadableFile, match="not a regular file"):
        receive(pipe, 2**20)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_link_swapped_in_after_the_listing_is_not_ingested(
    ingest_ctx: IngestContext, tmp_path: Path
) -> None:
    settings = ingest_ctx.settings
    listed = settings.inbox / "S885827.C1"
    listed.write_bytes((SAMPLES / "S885827.C1").read_bytes())
    secret = tmp_path / "secret.C1"  # same size and time: the settle check sees no change
    secret.write_bytes((SAMPLES / "S885827.C1").read_bytes().replace(b"S1", b"S1", 1))
    seen = listed.stat()
    os.utime(secret, ns=(seen.st_atime_ns, seen.st_mtime_ns))

    def swap(_seconds: float) -> None:  # called between the listing and the reading
        listed.unlink()
        listed.symlink_to(secret)

    summary = run_batch(ingest_ctx, BatchOptions(settle_seconds=1, sleep=swap))
    [result] = summary.files
    assert result.transmission_id is None and "symbolic link" in str(result.reason)
    assert list(settings.archive.iterdir()) == []
    assert listed.is_symlink()  # left where it is, for the operator to look at


def ost(home: Path, *args: str, umask: int = 0) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OST_HOME": str(home), "OST_SETTLE_SECONDS": "0"}
    env.pop("OST_DATABASE_URL", None)
    return subprocess.run(
        [OST, *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        preexec_fn=lambda: os.umask(umask),  # noqa: PLW1509 - the test needs the child's umask
    )


def test_everything_created_is_private_even_under_umask_000(tmp_path: Path) -> None:
    home = tmp_path / "home"
    inbox = home / "inbox"
    run = ost(home, "ingest", str(SAMPLES / "S885827.C1"))
    assert run.returncode in (0, 1), run.stderr
    created = [
        home,
        home / "ost.sqlite3",
        home / "logs",
        home / "logs" / "ost.log",
        home / "archive",
        home / "reports",
        home / "outbox",
        inbox,
    ]
    created += [path for path in home.rglob("*") if path not in created]
    modes = {str(path.relative_to(tmp_path)): oct(mode_of(path)) for path in created}
    expected = {name: oct(0o700 if (tmp_path / name).is_dir() else 0o600) for name in modes}
    assert modes == expected
    assert any(name.endswith(".eml") for name in modes)  # no SMTP: the mail is a file too
    # SQLite gives the -wal and -shm files the database's own mode, whatever the umask.
    previous = os.umask(0)
    try:
        with closing(sqlite3.connect(home / "ost.sqlite3")) as reader:
            reader.execute("PRAGMA journal_mode=WAL")
            reader.execute("SELECT count(*) FROM transmission").fetchall()
            wal = [home / "ost.sqlite3-wal", home / "ost.sqlite3-shm"]
            assert [oct(mode_of(path)) for path in wal] == [oct(0o600)] * 2
    finally:
        os.umask(previous)


def test_a_file_moved_out_of_the_inbox_is_private(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert ost(home, "run").returncode == 0
    sent = home / "inbox" / "S885827.C1"
    sent.write_bytes((SAMPLES / "S885827.C1").read_bytes())
    sent.chmod(0o666)
    # Over the size limit: not read into memory, so the run moves the file to the archive.
    env_run = subprocess.run(
        [OST, "run"],
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "OST_HOME": str(home),
            "OST_SETTLE_SECONDS": "0",
            "OST_MAX_FILE_MB": "0.001",
        },
        check=False,
        preexec_fn=lambda: os.umask(0),  # noqa: PLW1509
    )
    assert env_run.returncode == 1, env_run.stderr  # F010: rejected
    [archived] = list((home / "archive").iterdir())
    assert oct(mode_of(archived)) == oct(0o600)
