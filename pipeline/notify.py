"""Confirmation e-mails to the school contact of the T1 header (SMTP or .eml in the outbox)."""

from __future__ import annotations

import smtplib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlparse

import polars as pl

from pipeline.labels import label
from pipeline.outputs import LANGUAGES, safe_name, write_atomic
from pipeline.printable import has_unprintable, printable
from pipeline.report import DUPLICATE, FindingRow, Report, counts_json
from pipeline.reports import csv_file_bytes

# The findings a confirmation lists in its body; the attachment has the others.
LISTED_IN_MAIL = 25
# Mail servers commonly refuse messages over 10 to 25 MB: the CSV is cut to fit well below.
MAX_ATTACHMENT_BYTES = 5 * 2**20


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
    """Writes each message as an .eml file (no SMTP server configured).

    The file is named by the transmission id alone (`00000042.eml`): nothing a school chose,
    so a file name can neither leave outbox/ nor replace another school's waiting message.
    """

    outbox: Path

    def send(self, message: EmailMessage) -> None:
        write_atomic(self.outbox / outbox_name(message), bytes(message))


def outbox_name(message: EmailMessage) -> str:
    """`<transmission id, 8 digits>.eml`; ValueError when the message carries no such id."""
    transmission = str(message["X-OST-Transmission"] or "")
    if not transmission.isdigit() or not transmission.isascii():
        raise ValueError(f"not a confirmation: X-OST-Transmission is {transmission!r}")
    return f"{int(transmission):08d}.eml"


def make_sender(smtp_url: str | None, outbox: Path) -> Sender:
    return SmtpSender(smtp_url) if smtp_url else OutboxSender(outbox)


def _summary(report: Report, lang: str) -> str:
    counts = counts_json(report.counts)
    lines = [
        f"{label(lang, 'file')}: {printable(report.file)}",
        f"{label(lang, 'school')}: {printable(report.mident or '-')}",
        f"{label(lang, 'status')}: {label(lang, report.status)}",
        *(f"{label(lang, key)}: {counts[key]}" for key in counts),
        "",
        label(lang, f"explain {report.status}"),
    ]
    if report.clean:
        lines.append(label(lang, "clean"))
    return "\n".join(lines)


def _listed(report: Report, lang: str, limit: int) -> list[str]:
    """The errors, then the warnings, of the report's rows: the first `limit`, then a count."""
    rows = [row for row in report.findings if row["severity"] == "error"]
    rows += [row for row in report.findings if row["severity"] == "warning"]
    lines = [_finding_line(row, lang) for row in rows[:limit]]
    if len(rows) > limit:
        lines.append(label(lang, "more in attachment").format(hidden=len(rows) - limit))
    return lines


def _finding_line(row: FindingRow, lang: str) -> str:
    line = row["line"]
    where = f"{label(lang, 'line')} {line}" if line is not None else label(lang, "file")
    who = "  ".join(printable(value) for value in (row["student_number"], row["course"]) if value)
    head = "  ".join(part for part in (where, str(row["code"]), who) if part)
    return f"- {head}: {printable(row['message'])}"


def capped_attachment(report: Report, max_bytes: int = MAX_ATTACHMENT_BYTES) -> tuple[bytes, int]:
    """The report's CSV, and how many findings it lists: all of them, or as many as fit."""
    listed = len(report.findings)
    body = csv_file_bytes([report])
    while len(body) > max_bytes and listed > 0:
        # Rows are of similar length: scale down, and a little more to converge at once.
        listed = min(listed - 1, int(listed * max_bytes / len(body) * 0.95))
        body = csv_file_bytes([report.head(listed)])
    return body, listed


def school_language(languages: pl.Series) -> str:
    """The school's language: French when most of its courses are taught in French (`F`)."""
    french = int((languages == "F").sum())
    return "fr" if french * 2 > languages.len() else "en"


def _header(message: EmailMessage, name: str, value: str) -> None:
    """A header from a single-line value only: nothing can start a header or the body."""
    if has_unprintable(value):
        raise ValueError(f"{name}: not a single-line value: {printable(value)}")
    message[name] = value


def confirmation(
    transmission_id: int,
    recipient: str,
    reports: Mapping[str, Report],
    *,
    sender: str,
    now: datetime,
    lang: str = "en",
    listed: int = LISTED_IN_MAIL,
    max_attachment: int = MAX_ATTACHMENT_BYTES,
) -> EmailMessage:
    """A bilingual confirmation, the school's language first; the errors and warnings listed
    in the body (the first `listed`), the report's CSV in the school's language attached.

    Every header comes from a checked value: the parsed recipient, the transmission id and the
    file's safe name, never the file name as received.
    """
    report = reports["en"]
    file_name = safe_name(report.file)
    message = EmailMessage()
    message["From"] = sender
    message["To"] = Address(addr_spec=recipient)
    message["Date"] = format_datetime(now)
    domain = parseaddr(sender)[1].rpartition("@")[2]  # "OST <ost@x.ca>" or ost@x.ca
    message["Message-ID"] = make_msgid(f"ost.{int(transmission_id)}", domain=domain)
    status = f"{label('en', report.status)} / {label('fr', report.status)}"
    _header(message, "Subject", f"OST {file_name}: {status}")
    _header(message, "X-OST-Transmission", str(int(transmission_id)))
    _header(message, "X-OST-File", file_name)
    order = (lang, *(other for other in LANGUAGES if other != lang))
    sections = [_summary(reports[each], each) for each in order]
    school_report = reports[lang]
    findings = _listed(school_report, lang, listed)
    if findings:
        sections.append("\n".join(findings))
    attachment, in_attachment = capped_attachment(school_report, max_attachment)
    total = school_report.total
    if in_attachment < total:
        sections.append(
            label(lang, "attachment capped").format(
                shown=in_attachment, total=total, id=transmission_id
            )
        )
    message.set_content("\n\n".join(sections))
    if report.status != DUPLICATE:
        message.add_attachment(
            attachment,
            maintype="text",
            subtype="csv",
            filename=label(lang, "attachment name"),
            params={"charset": "utf-8"},
        )
    return message
