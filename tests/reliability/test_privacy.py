"""A school's reports and confirmation e-mail name only that school's students."""

from __future__ import annotations

import json
from email.message import EmailMessage

import polars as pl

from parsers.fixed_width import parse
from pipeline.ingest import IngestContext, IngestOutcome, ingest_paths
from tests.pipeline.conftest import Mailbox
from tests.reliability.kills import REPORT_FILES
from tests.reliability.samples import load_applicants, sample_files

FILES = sample_files()


def identifiers(raw: bytes) -> set[str]:
    """The student numbers (of S1 and G1 records) and reported OENs of a transmission."""
    parsed = parse(raw)
    students = parsed.of("S1")
    numbers = set(students["student_number"]) | set(parsed.of("G1")["student_number"])
    oens = students.filter(pl.col("oen").str.contains("^[0-9]{9}$") & (pl.col("oen") != "0" * 9))
    return (numbers | set(oens["oen"].to_list())) - {""}


def mail_text(message: EmailMessage) -> str:
    parts = [str(message["Subject"])]
    for part in message.walk():
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            parts.append(payload.decode("utf-8"))
    return "\n".join(parts)


def test_each_school_sees_only_its_own_students(
    ingest_ctx: IngestContext, mailbox: Mailbox
) -> None:
    load_applicants(ingest_ctx)
    outcomes = ingest_paths(ingest_ctx, FILES)
    assert all(isinstance(o, IngestOutcome) for o in outcomes)
    own = {path.name: identifiers(path.read_bytes()) for path in FILES}
    assert all(own.values()) and len(set().union(*own.values())) == sum(map(len, own.values()))

    mentioned = 0
    for outcome in outcomes:
        assert isinstance(outcome, IngestOutcome)
        name = outcome.report.file
        others = set().union(*(ids for file, ids in own.items() if file != name))
        folder = ingest_ctx.settings.reports / str(outcome.transmission_id)
        assert {path.name for path in folder.iterdir()} == REPORT_FILES | {"school"}
        assert {path.name for path in (folder / "school").iterdir()} == REPORT_FILES
        for path in [*folder.glob("report*"), *(folder / "school").iterdir()]:
            text = path.read_text(encoding="utf-8")
            assert not {number for number in others if number in text}, (name, path.name)
            if path.suffix == ".json":
                numbers = {f["student_number"] for f in json.loads(text)["findings"]}
                assert numbers - {None} <= own[name], (name, path.name)
                mentioned += len(numbers - {None})
    assert mentioned  # the reports do name students: the test is not vacuous

    assert len(mailbox.messages) == len(FILES)
    for message in mailbox.messages:
        name = message["X-OST-File"]
        text = mail_text(message)
        others = set().union(*(ids for file, ids in own.items() if file != name))
        assert not {number for number in others if number in text}, name
