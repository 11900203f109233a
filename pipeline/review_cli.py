"""`ost review`: the review queue from the command line (docs/review.md, docs/commands.md)."""

from __future__ import annotations

from json import encoder
from typing import TYPE_CHECKING, Annotated

import typer

from pipeline.cli_shared import MIDENT, emit_json, fail, guarded, json_flag, opened_database
from pipeline.config import load_settings

if TYPE_CHECKING:
    from pipeline.review import Candidate, QueueItem

review_app = typer.Typer(help="The review queue: held students an operator decides.")


ById = Annotated[int, typer.Argument(help="The held student's id, as `ost review list` shows")]
Applicant = Annotated[str, typer.Option("--applicant", help="The application number")]
By = Annotated[str, typer.Option("--by", help="Who decides")]
Reason = Annotated[str, typer.Option("--reason", help="Why")]
Json = Annotated[bool, json_flag("JSON instead of a table")]


def _mident(value: str | None) -> None:
    if value is not None and not MIDENT.fullmatch(value):
        fail(f"MIDENT must be a school's six digits, such as 885827; not {value!r}")


def _text(value: str) -> str:
    """A JSON string as `json.dumps(value, ensure_ascii=False)` writes it."""
    text: str = encoder.encode_basestring(value)
    return text


def _scalar(value: float | None) -> str:
    """A weight as `json.dumps(value)` writes it."""
    if value is None:
        return "null"
    if value != value or value in (float("inf"), float("-inf")):
        return "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")
    return float.__repr__(value) if isinstance(value, float) else int.__repr__(value)


def _candidate(candidate: Candidate) -> str:
    return (
        '{\n        "application_number": '
        + _text(candidate.application_number)
        + ',\n        "weight": '
        + _scalar(candidate.weight)
        + "\n      }"
    )


def _item(item: QueueItem) -> str:
    """One held student as `json.dumps([...], indent=2)` writes an element of the list."""
    candidates = (
        "[\n      " + ",\n      ".join(map(_candidate, item.candidates)) + "\n    ]"
        if item.candidates
        else "[]"
    )
    return (
        f'{{\n    "id": {int.__repr__(item.id)},\n    "mident": {_text(item.mident)},\n    '
        f'"student_number": {_text(item.student_number)},\n    "code": {_text(item.code)},\n'
        f'    "waiting_since": {_text(item.waiting_since.isoformat())},\n'
        f'    "candidates": {candidates}\n  }}'
    )


def queue_json(items: list[QueueItem]) -> str:
    """The queue as `ost review list --json` prints it: the text `json.dumps([item.as_json()
    for item in items], ensure_ascii=False, indent=2)` gives, written directly (the indenting
    encoder of the standard library is slow), one held student at a time."""
    if not items:
        return "[]"
    return "[\n  " + ",\n  ".join(map(_item, items)) + "\n]"


@review_app.command("list")
@guarded
def review_list(
    mident: Annotated[str | None, typer.Option("--mident", help="Only this school")] = None,
    code: Annotated[str | None, typer.Option("--code", help="Only this code, e.g. A009")] = None,
    as_json: Json = False,
) -> None:
    """The held students, oldest first, with their candidates."""
    from pipeline.review import review_queue

    _mident(mident)
    if code is not None and code not in ("A001", "A002", "A003", "A009"):
        fail(f"--code must be A001, A002, A003 or A009; not {code!r}")
    with opened_database(load_settings().database_url) as engine:
        items = review_queue(engine, [mident] if mident else None, code)
    if as_json:
        typer.echo(queue_json(items))
        return
    from rich.table import Table
    from rich.text import Text

    table = Table("id", "school", "student", "code", "waiting since", "candidates (weight)")
    for item in items:
        shown = ", ".join(
            f"{c.application_number} ({c.weight:.1f})"
            if c.weight is not None
            else c.application_number
            for c in item.candidates[:4]
        )
        table.add_row(
            str(item.id), item.mident, item.student_number, item.code,
            f"{item.waiting_since:%Y-%m-%d %H:%M} UTC", Text(shown),
        )  # fmt: skip
    from pipeline.console import make_console

    console = make_console()
    console.print(table)
    console.print(f"{len(items)} held student(s)")


@review_app.command("show")
@guarded
def review_show(record_id: ById, as_json: Json = False) -> None:
    """One held student beside its candidates, field by field, differences marked."""
    from pipeline.review import review_case

    with opened_database(load_settings().database_url) as engine:
        case = review_case(engine, record_id)
    if case is None:
        fail(f"no held student with id {record_id} (see ost review list)")
    if as_json:
        emit_json(case.as_json())
        return
    from rich.table import Table
    from rich.text import Text

    from pipeline.console import make_console

    console = make_console()
    item = case.item
    console.print(
        Text(
            f"student {item.student_number} of school {item.mident}, {item.code}, waiting since "
            f"{item.waiting_since:%Y-%m-%d %H:%M} UTC"
        )
    )
    if case.reason:
        console.print(Text(case.reason))
    for candidate in case.candidates:
        table = Table(
            "field", "student", f"applicant {candidate.application_number}", "level", "weight",
            title=f"applicant {candidate.application_number}: weight {candidate.weight:.1f}",
        )  # fmt: skip
        for row in candidate.fields:
            style = "bold red" if row.differs else ""
            table.add_row(
                row.field, Text(row.student or "-"), Text(row.applicant or "-", style=style),
                Text(("≠ " if row.differs else "= ") + row.level, style=style),
                f"{row.weight:+.1f}",
            )  # fmt: skip
        console.print(table)


def _done(outcome: object) -> None:
    from pipeline.review_actions import ReviewOutcome

    assert isinstance(outcome, ReviewOutcome)
    merged = outcome.merge.get("inserted", 0) + outcome.merge.get("updated", 0)
    typer.echo(
        f"{outcome.action}: student {outcome.student_number} of school {outcome.mident}, "
        f"applicant {outcome.application_number}; {outcome.records} record(s), "
        f"{merged} course(s) merged, {outcome.removed_courses} removed"
    )


def _act(call: object) -> None:
    from pipeline.review_actions import ReviewRefused

    assert callable(call)
    with opened_database(load_settings().database_url) as engine:
        try:
            outcome = call(engine)
        except ReviewRefused as refused:
            fail(str(refused), code=1)
    _done(outcome)


@review_app.command("accept")
@guarded
def review_accept(record_id: ById, applicant: Applicant, by: By, reason: Reason) -> None:
    """Accept a candidate: the held courses are merged at once (A007)."""
    from pipeline.review_actions import accept

    _act(lambda engine: accept(engine, record_id, applicant, by, reason))


@review_app.command("reject")
@guarded
def review_reject(record_id: ById, applicant: Applicant, by: By, reason: Reason) -> None:
    """Reject a candidate for good: never proposed again for this student (A008)."""
    from pipeline.review_actions import reject

    _act(lambda engine: reject(engine, record_id, applicant, by, reason))


@review_app.command("link")
@guarded
def review_link(
    mident: Annotated[str, typer.Argument(help="The school's MIDENT")],
    student_number: Annotated[str, typer.Argument(help="The student number the school sent")],
    application_number: Annotated[str, typer.Argument(help="The applicant to link to")],
    by: By,
    reason: Reason,
) -> None:
    """Link a student to any applicant and merge its held courses (A007)."""
    from pipeline.review_actions import link

    _mident(mident)
    _act(lambda engine: link(engine, mident, student_number, application_number, by, reason))


@review_app.command("unlink")
@guarded
def review_unlink(
    mident: Annotated[str, typer.Argument(help="The school's MIDENT")],
    student_number: Annotated[str, typer.Argument(help="The student number the school sent")],
    by: By,
    reason: Reason,
) -> None:
    """Undo a link: its courses are removed and the student returns to the queue."""
    from pipeline.review_actions import unlink

    _mident(mident)
    _act(lambda engine: unlink(engine, mident, student_number, by, reason))
