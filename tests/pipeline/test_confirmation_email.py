"""The confirmation e-mail through a real SMTP conversation with a local server."""

from __future__ import annotations

import codecs
import email
import socket
from collections.abc import Iterator
from dataclasses import replace
from email.message import Message
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from parsers.layout import default_layout
from pipeline.config import ConfigError, Settings, load_settings
from pipeline.ingest import IngestContext, IngestOutcome, TransmissionFailed, ingest_paths
from pipeline.notify import OutboxSender, SmtpSender
from tests.pipeline.conftest import NOW
from tests.pipeline.test_ingest_end_to_end import SAMPLES


class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = email.message_from_bytes(envelope.content)
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_inbox() -> Iterator[tuple[Inbox, str]]:
    inbox = Inbox()
    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, f"smtp://127.0.0.1:{controller.port}"
    finally:
        controller.stop()


@pytest.fixture
def smtp_mail(ingest_ctx: IngestContext, smtp_inbox: tuple[Inbox, str]) -> Inbox:
    """What a local SMTP server receives from the ingest (its sender set to that server)."""
    received, url = smtp_inbox
    ingest_ctx.sender = SmtpSender(url, timeout=10)
    return received


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_confirmation_reaches_the_school_contact_over_smtp(
    ingest_ctx: IngestContext, smtp_mail: Inbox
) -> None:
    [outcome] = ingest_paths(ingest_ctx, [SAMPLES / "S885827.C1"])
    assert isinstance(outcome, IngestOutcome)
    [(sender, recipients, message)] = smtp_mail.received
    assert recipients == ["guidance@eastend-ss.example.ca"] == [message["To"]]
    assert sender == "ost-pipeline@localhost"
    assert message["Subject"].startswith("OST S885827.C1: processed")
    assert message["X-OST-Transmission"] == str(outcome.transmission_id)
    assert parsedate_to_datetime(message["Date"]) == NOW  # RFC 5322 requires it
    assert message["Message-ID"].endswith("@localhost>")
    parts = {part.get_content_type(): part for part in message.walk()}
    body = parts["text/plain"].get_payload(decode=True).decode("utf-8")
    assert "Status: processed" in body and "Statut: traité" in body
    # Information findings (A001, A006) only: the file is clean, and the mail says so.
    assert outcome.report.findings and outcome.report.counts.errors == 0
    assert "No errors detected in the data" in body
    assert "Aucune erreur détectée dans les données" in body
    assert "Every record was accepted." in body
    attached = parts["text/csv"].get_payload(decode=True)
    assert parts["text/csv"].get_content_charset() == "utf-8"
    assert attached.startswith(codecs.BOM_UTF8)  # Excel reads accents right only with it
    assert attached.decode("utf-8-sig").splitlines()[0].startswith("file,code,severity")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_invalid_contact_address_receives_nothing(
    ingest_ctx: IngestContext, smtp_mail: Inbox, tmp_path: Path
) -> None:
    # F011: the header's address is not written to (two addresses in one); the file is processed.
    header, rest = (SAMPLES / "S871234.C1").read_bytes().split(b"\n", 1)  # an ASCII header
    email_field = default_layout().field("T1", "contact_email")
    addresses = b"clerk@school.example.ca, other@elsewhere.example".ljust(email_field.length)
    header = header[: email_field.start - 1] + addresses + header[email_field.end :]
    path = tmp_path / "S871234.C1"
    path.write_bytes(header + b"\n" + rest)
    [outcome] = ingest_paths(ingest_ctx, [path])
    assert isinstance(outcome, IngestOutcome) and outcome.status == "partially processed"
    [f011] = [f for f in outcome.report.findings if f["code"] == "F011"]
    assert (f011["field"], f011["severity"]) == ("contact_email", "warning")
    assert outcome.report.matching["pending"] > 0
    assert smtp_mail.received == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_sender_address_is_configurable(ingest_ctx: IngestContext, smtp_mail: Inbox) -> None:
    configured = load_settings({"OST_MAIL_FROM": "OST <ost@ocas.example.ca>"}).mail_from
    ingest_ctx.settings = replace(ingest_ctx.settings, mail_from=configured)
    ingest_paths(ingest_ctx, [SAMPLES / "S885827.C1"])
    [(sender, _, message)] = smtp_mail.received
    assert (sender, message["From"]) == ("ost@ocas.example.ca", "OST <ost@ocas.example.ca>")
    assert message["Message-ID"].endswith("@ocas.example.ca>")


@pytest.mark.parametrize("value", ["guidance office", "ost@", "a@b.ca\nBcc: c@d.ca"])
def test_a_sender_that_is_not_an_address_is_refused(value: str) -> None:
    with pytest.raises(ConfigError, match="OST_MAIL_FROM must be an e-mail address"):
        load_settings({"OST_MAIL_FROM": value})


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_without_smtp_the_message_lands_in_the_outbox(
    ingest_ctx: IngestContext, settings_home: Settings
) -> None:
    ingest_ctx.sender = OutboxSender(settings_home.outbox)
    [outcome] = ingest_paths(ingest_ctx, [SAMPLES / "S871234.C1"])
    assert isinstance(outcome, IngestOutcome)
    [written] = list(settings_home.outbox.iterdir())
    assert written.name == f"{outcome.transmission_id:08d}.eml"
    message = email.message_from_bytes(written.read_bytes())
    assert "partially processed" in message["Subject"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_unreachable_smtp_server_does_not_fail_the_transmission(
    ingest_ctx: IngestContext, settings_home: Settings
) -> None:
    ingest_ctx.sender = SmtpSender("smtp://127.0.0.1:9", timeout=2)
    [outcome] = ingest_paths(ingest_ctx, [SAMPLES / "S885827.C1"])
    assert isinstance(outcome, IngestOutcome)
    assert outcome.status == "processed"
    # The message the server never took is kept, to be sent by hand.
    [kept] = list(settings_home.outbox.iterdir())
    assert kept.name == f"{outcome.transmission_id:08d}.eml"
    message = email.message_from_bytes(kept.read_bytes())
    assert message["To"] == "guidance@eastend-ss.example.ca"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_transmission_that_fails_sends_no_confirmation(
    ingest_ctx: IngestContext, smtp_mail: Inbox
) -> None:

    def break_at_merge(step: str) -> None:
        if step == "merge":
            raise OSError("disk gone")

    ingest_ctx.checkpoint = break_at_merge
    [outcome] = ingest_paths(ingest_ctx, [SAMPLES / "S885827.C1"])
    assert isinstance(outcome, TransmissionFailed)
    assert smtp_mail.received == []
