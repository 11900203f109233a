"""Confirmations for files named to attack the mail: nothing outside OST_HOME, no forged header."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from email.header import decode_header, make_header
from email.message import EmailMessage, Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from parsers.layout import default_layout
from pipeline.config import Settings
from pipeline.ingest import IngestContext, IngestOutcome, ingest_paths
from pipeline.notify import OutboxSender, SmtpSender, capped_attachment, confirmation
from pipeline.report import FindingRow, Report
from rules.validate import Counts
from tests.pipeline.conftest import NOW, Mailbox
from tests.pipeline.test_confirmation_email import Inbox
from tests.pipeline.test_ingest_end_to_end import SAMPLES

TRAVERSAL = "=?utf-8?q?=2F..=2F..=2F..=2Fescaped=2Fpwned?="
INJECTION = "S885827.C1 =?utf-8?q?=0D=0AReply-To:=20phish@evil.io=0D=0A=0D=0AFake_body?="
HOSTILE_ADDRESSES = [
    "postmaster,guidance@school.example.ca",
    "a;postmaster;b@school.ca",
    "guid\x1b[31mance@school.example.ca",
]


def serving(handler: object) -> Controller:
    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    return controller


@pytest.fixture
def smtp_mail(ingest_ctx: IngestContext) -> Iterator[Inbox]:
    """What a local SMTP server receives from the ingest."""
    inbox = Inbox()
    controller = serving(inbox)
    ingest_ctx.sender = SmtpSender(f"smtp://127.0.0.1:{controller.port}", timeout=10)
    try:
        yield inbox
    finally:
        controller.stop()


class Refusing:
    """An SMTP server that refuses every message."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        return "554 5.7.1 refused"


@pytest.fixture
def refusing_smtp() -> Iterator[str]:
    controller = serving(Refusing())
    try:
        yield f"smtp://127.0.0.1:{controller.port}"
    finally:
        controller.stop()


def copy_named(folder: Path, name: str, source: str = "S885827.C1") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes((SAMPLES / source).read_bytes())
    return path


def written_outside(root: Path, home: Path, sources: Path) -> list[Path]:
    """Every file under `root` that is neither under OST_HOME, one of the test's inputs, nor
    the test's database (kept beside OST_HOME by the fixtures)."""
    return [
        path
        for path in root.rglob("*")
        if path.is_file()
        and home not in path.parents
        and sources not in path.parents
        and not path.name.startswith("ost.sqlite3")
    ]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_eml_named_to_climb_out_stays_in_the_outbox(
    ingest_ctx: IngestContext, settings_home: Settings, tmp_path: Path
) -> None:
    ingest_ctx.sender = OutboxSender(settings_home.outbox)
    [outcome] = ingest_paths(ingest_ctx, [copy_named(tmp_path / "in", TRAVERSAL)])
    assert isinstance(outcome, IngestOutcome)
    [kept] = list(settings_home.outbox.iterdir())
    assert kept.name == f"{outcome.transmission_id:08d}.eml"
    assert not (tmp_path / "escaped").exists()
    home = settings_home.home
    assert written_outside(tmp_path, home, tmp_path / "in") == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_refused_message_is_kept_under_its_transmission_id(
    ingest_ctx: IngestContext, settings_home: Settings, tmp_path: Path, refusing_smtp: str
) -> None:
    ingest_ctx.sender = SmtpSender(refusing_smtp, timeout=10)
    outcomes = ingest_paths(ingest_ctx, [copy_named(tmp_path / "in", TRAVERSAL)])
    [outcome] = outcomes
    assert isinstance(outcome, IngestOutcome)
    assert [p.name for p in settings_home.outbox.iterdir()] == [
        f"{outcome.transmission_id:08d}.eml"
    ]
    assert written_outside(tmp_path, settings_home.home, tmp_path / "in") == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_file_name_cannot_add_headers_or_a_body(
    ingest_ctx: IngestContext, smtp_mail: Inbox, settings_home: Settings, tmp_path: Path
) -> None:
    [outcome] = ingest_paths(ingest_ctx, [copy_named(tmp_path / "in", INJECTION)])
    assert isinstance(outcome, IngestOutcome)
    [(_, recipients, message)] = smtp_mail.received
    assert recipients == ["guidance@eastend-ss.example.ca"]
    assert message["Reply-To"] is None and message["Bcc"] is None
    subject = str(make_header(decode_header(str(message["Subject"]))))
    assert not {"\r", "\n"} & set(subject) and "Reply-To:" not in subject
    parts = {part.get_content_type(): part for part in message.walk()}
    body = parts["text/plain"].get_payload(decode=True).decode("utf-8")
    assert not body.startswith("Fake")
    assert "\r\nReply-To" not in body and "\nReply-To" not in body
    # The copy an operator may send by hand carries no forged header either.
    sent = smtp_mail.received[0][2]
    OutboxSender(settings_home.outbox).send(_as_email_message(sent))
    [kept] = list(settings_home.outbox.iterdir())
    again = email.message_from_bytes(kept.read_bytes())
    assert again["Reply-To"] is None and again["Bcc"] is None


def _as_email_message(message: Message) -> EmailMessage:
    parsed = email.message_from_bytes(message.as_bytes(), _class=EmailMessage)
    assert isinstance(parsed, EmailMessage)
    return parsed


def with_contact(tmp_path: Path, address: str) -> Path:
    """S871234.C1 (ASCII header) with `address` in the T1 contact e-mail field."""
    header, rest = (SAMPLES / "S871234.C1").read_bytes().split(b"\n", 1)
    field = default_layout().field("T1", "contact_email")
    value = address.encode("utf-8").ljust(field.length)
    path = tmp_path / "in" / "S871234.C1"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(header[: field.start - 1] + value + header[field.end :] + b"\n" + rest)
    return path


@pytest.mark.parametrize("address", HOSTILE_ADDRESSES)
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_contact_that_is_not_one_address_is_f011_and_never_written_to(
    ingest_ctx: IngestContext, smtp_mail: Inbox, tmp_path: Path, address: str
) -> None:
    from pipeline.store.transmissions import history

    [outcome] = ingest_paths(ingest_ctx, [with_contact(tmp_path, address)])
    assert isinstance(outcome, IngestOutcome)
    assert outcome.status in ("processed", "partially processed")
    assert [f["value"] for f in outcome.report.findings if f["code"] == "F011"] == [address]
    assert outcome.report.matching["pending"] > 0  # matched (no applicants here): processed
    assert smtp_mail.received == []
    with ingest_ctx.engine.connect() as conn:
        [row] = history(conn).to_dicts()
    assert "F011" in row["failure_reason"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_mail_goes_to_the_parsed_address_only(
    ingest_ctx: IngestContext, smtp_mail: Inbox, tmp_path: Path
) -> None:
    [outcome] = ingest_paths(ingest_ctx, [with_contact(tmp_path, "Guidance@School.Example.CA")])
    assert isinstance(outcome, IngestOutcome)
    [(_, recipients, message)] = smtp_mail.received
    assert recipients == ["Guidance@school.example.ca"] == [message["To"]]


def report_with(findings: int, status: str = "partially processed") -> Report:
    rows: list[FindingRow] = [
        {
            "code": "G004",
            "severity": "error",
            "line": line,
            "record_type": "G1",
            "student_number": "000123456789",
            "surname": "GAGNON",
            "first_name": "ÉMILIE",
            "course": "ENG4U",
            "field": "mark",
            "value": "1O0",
            "message": f"The mark '1O0' is not valid (line {line}).",
        }
        for line in range(2, findings + 2)
    ]
    counts = Counts(students=1, grades=findings, errors=findings, warnings=0)
    return Report(
        file="S885827.C1", mident="885827", status=status, counts=counts, findings=tuple(rows)
    )


def test_the_body_lists_the_first_errors_then_counts_the_rest() -> None:
    reports = {"en": report_with(40), "fr": report_with(40)}
    message = confirmation(7, "a@school.example.ca", reports, sender="o@x.ca", now=NOW, listed=25)
    body = message.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert text.count("G004") == 25
    assert "line 2" in text.lower() and "... and 15 more in the attachment." in text


def test_the_attachment_is_capped_and_says_where_the_rest_is() -> None:
    reports = {"en": report_with(20_000), "fr": report_with(20_000)}
    full, listed = capped_attachment(reports["en"], max_bytes=10**9)
    assert listed == 20_000 and len(full) > 2 * 2**20
    message = confirmation(
        9, "a@school.example.ca", reports, sender="o@x.ca", now=NOW, max_attachment=2**20
    )
    [attachment] = list(message.iter_attachments())
    data = attachment.get_content()
    assert isinstance(data, bytes | str)
    assert 0 < len(data if isinstance(data, bytes) else data.encode()) <= 2**20
    assert len(bytes(message)) < 2 * 2**20
    body = message.get_body(("plain",))
    assert body is not None
    assert "of 20000 findings" in body.get_content() and "transmission 9" in body.get_content()


def test_a_french_school_gets_its_report_in_french() -> None:
    french = report_with(1)
    french.findings[0]["message"] = "La note « 1O0 » n'est pas valide."
    reports = {"en": report_with(1), "fr": french}
    message = confirmation(3, "a@ecole.example.ca", reports, sender="o@x.ca", now=NOW, lang="fr")
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "rapport.csv"
    data = attachment.get_content()
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    assert "La note" in text
    body = message.get_body(("plain",))
    assert body is not None
    assert body.get_content().startswith("Fichier")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_duplicate_is_confirmed_too(ingest_ctx: IngestContext, tmp_path: Path) -> None:
    mailbox = ingest_ctx.sender
    assert isinstance(mailbox, Mailbox)
    first = copy_named(tmp_path / "a", "S885827.C1")
    second = copy_named(tmp_path / "b", "S885827.C1")
    ingest_paths(ingest_ctx, [first])
    [outcome] = ingest_paths(ingest_ctx, [second])
    assert isinstance(outcome, IngestOutcome) and outcome.status == "duplicate"
    assert len(mailbox.messages) == 2
    duplicate = mailbox.messages[1]
    assert duplicate["To"] == "guidance@eastend-ss.example.ca"
    body = duplicate.get_body(("plain",))
    assert body is not None
    assert "already been received; nothing was done" in body.get_content()


def test_the_school_language_is_that_of_most_of_its_courses() -> None:
    import polars as pl

    from pipeline.notify import school_language

    assert school_language(pl.Series(["F", "F", "E"])) == "fr"
    assert school_language(pl.Series(["F", "E"])) == "en"
    assert school_language(pl.Series([], dtype=pl.String)) == "en"
