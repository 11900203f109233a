"""Confirmation e-mails to the school contact of the T1 header (SMTP or .eml in the outbox)."""

from __future__ import annotations

import smtplib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlparse

from pipeline.labels import label
from pipeline.outputs import write_atomic
from pipeline.reports import is_clean


class Sender(Protocol):
    def send(self, message: EmailMessage) -> None: ...


@dataclass(frozen=True)
class SmtpSender:
    """Sends through the SMTP server of a URL: smtp://user:pass@host:port (smtps:// for TLS)."""

    url: str
    timeout: float = 30.0

    def send(self, message: EmailMessage) -> None:
        parts = urlparse(self.url)
        host = parts.hostname or "localhost"
        if parts.scheme == "smtps":
            client: smtplib.SMTP = smtplib.SMTP_SSL(host, parts.port or 465, timeout=self.timeout)
        else:
            client = smtplib.SMTP(host, parts.port or 25, timeout=self.timeout)
        with client:
            if parts.username:
                client.login(unquote(parts.username), unquote(parts.password or ""))
            client.send_message(message)


@dataclass(frozen=True)
class OutboxSender:
    """Writes each message as an .eml file (no SMTP server configured)."""

    outbox: Path

    def send(self, message: EmailMessage) -> None:
        name = f"{message['X-OST-Transmission']}-{message['X-OST-File']}.eml"
        write_atomic(self.outbox / name, bytes(message))


def make_sender(smtp_url: str | None, outbox: Path) -> Sender:
    return SmtpSender(smtp_url) if smtp_url else OutboxSender(outbox)


def _summary(report: Mapping[str, Any], lang: str) -> str:
    counts = report["counts"]
    lines = [
        f"{label(lang, 'file')}: {report['file']}",
        f"{label(lang, 'school')}: {report['mident'] or '-'}",
        f"{label(lang, 'status')}: {label(lang, report['status'])}",
        *(f"{label(lang, key)}: {counts[key]}" for key in counts),
        "",
        label(lang, f"explain {report['status']}"),
    ]
    if is_clean(report):
        lines.append(label(lang, "clean"))
    return "\n".join(lines)


def confirmation(
    transmission_id: int,
    recipient: str,
    reports: Mapping[str, Mapping[str, Any]],
    csv_report: bytes,
    *,
    sender: str,
    now: datetime,
) -> EmailMessage:
    """A bilingual confirmation with the findings attached as CSV."""
    report = reports["en"]
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Date"] = format_datetime(now)
    domain = parseaddr(sender)[1].rpartition("@")[2]  # "OST <ost@x.ca>" or ost@x.ca
    message["Message-ID"] = make_msgid(f"ost.{transmission_id}", domain=domain)
    message["Subject"] = (
        f"OST {report['file']}: {label('en', report['status'])} / {label('fr', report['status'])}"
    )
    message["X-OST-Transmission"] = str(transmission_id)
    message["X-OST-File"] = str(report["file"]).replace("/", "_")
    body = "\n\n".join(_summary(reports[lang], lang) for lang in ("en", "fr"))
    message.set_content(body)
    message.add_attachment(
        csv_report,
        maintype="text",
        subtype="csv",
        filename="report.csv",
        params={"charset": "utf-8"},
    )
    return message
