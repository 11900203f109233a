"""The confirmation e-mail through a real SMTP conversation with a local server."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from pipeline.config import Settings
from pipeline.ingest import IngestContext, IngestOutcome, TransmissionFailed, ingest_paths
from pipeline.notify import OutboxSender, SmtpSender
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


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_confirmation_reaches_the_school_contact_over_smtp(
    ingest_ctx: IngestContext, smtp_inbox: tuple[Inbox, str]
) -> None:
    inbox, url = smtp_inbox
    ingest_ctx.sender = SmtpSender(url, timeout=10)
    [outcome] = ingest_paths(ingest_ctx, [SAMPLES / "S885827.C1"])
    assert isinstance(outcome, IngestOutcome)
    [(sender, recipients, message)] = inbox.received
    assert recipients == ["guidance@eastend-ss.example.ca"] == [message["To"]]
    assert sender == "ost-pipeline@localhost"
    assert message["Subject"].startswith("OST S885827.C1: processed")
    assert message["X-OST-Transmission"] == str(outcome.transmission_id)
    parts = {part.get_content_type(): part for part in message.walk()}
    body = parts["text/plain"].get_payload(decode=True).decode("utf-8")
    assert "Status: processed" in body and "Statut: traité" in body
    attachment = parts["text/csv"].get_payload(decode=True).decode("utf-8")
    assert attachment.splitlines()[0].startswith("file,code,severity")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_without_smtp_the_message_lands_in_the_outbox(
    ingest_ctx: IngestContext, settings_home: Settings
) -> None:
    ingest_ctx.sender = OutboxSender(settings_home.outbox)
    [outcome] = ingest_paths(ingest_ctx, [SAMPLES / "S871234.C1"])
    assert isinstance(outcome, IngestOutcome)
    [written] = list(settings_home.outbox.iterdir())
    assert written.name == f"{outcome.transmission_id}-S871234.C1.eml"
    message = email.message_from_bytes(written.read_bytes())
    assert "partially processed" in message["Subject"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_unreachable_smtp_server_does_not_fail_the_transmission(
    ingest_ctx: IngestContext,
) -> None:
    ingest_ctx.sender = SmtpSender("smtp://127.0.0.1:9", timeout=2)
    [outcome] = ingest_paths(ingest_ctx, [SAMPLES / "S885827.C1"])
    assert isinstance(outcome, IngestOutcome)
    assert outcome.status == "processed"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_transmission_that_fails_sends_no_confirmation(
    ingest_ctx: IngestContext, smtp_inbox: tuple[Inbox, str]
) -> None:
    inbox, url = smtp_inbox
    ingest_ctx.sender = SmtpSender(url, timeout=10)

    def break_at_merge(step: str) -> None:
        if step == "merge":
            raise OSError("disk gone")

    ingest_ctx.checkpoint = break_at_merge
    [outcome] = ingest_paths(ingest_ctx, [SAMPLES / "S885827.C1"])
    assert isinstance(outcome, TransmissionFailed)
    assert inbox.received == []
