"""The confirmation e-mail of a transmission: composed beside its reports, sent once the data
is in, kept in outbox/ when the server does not take it."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

import polars as pl

from pipeline.notify import OutboxSender, Sender, confirmation, school_language
from pipeline.report import Report, school_forms
from rules.validate import ValidationResult

log = logging.getLogger("ost.ingest")


@dataclass(frozen=True)
class Mailer:
    """Where confirmations go: the sender, the From address, and the outbox that keeps what
    the sender refused."""

    sender: Sender
    mail_from: str
    outbox: Path


def confirmation_of(
    mailer: Mailer,
    transmission_id: int,
    result: ValidationResult,
    reports: Mapping[str, Report],
    now: datetime,
) -> EmailMessage | None:
    """The confirmation e-mail to the header's contact (None when it gives no valid address:
    F011). It carries the school's form of the reports."""
    recipient = result.header.contact_email
    if not recipient:
        return None
    grades = result.grades
    languages = (
        grades["language"] if "language" in grades.columns else pl.Series([], dtype=pl.String)
    )
    lang = school_language(languages)
    shown = school_forms(reports)
    return confirmation(
        transmission_id, recipient, shown, sender=mailer.mail_from, now=now, lang=lang
    )


def confirm_duplicate(
    mailer: Mailer,
    transmission_id: int,
    recipient: str | None,
    reports: Mapping[str, Report],
    now: datetime,
) -> None:
    """F009: the school told that nothing was done (every file received is confirmed), at the
    address of the transmission it repeats."""
    message = None
    if recipient:
        try:
            message = confirmation(
                transmission_id, recipient, reports, sender=mailer.mail_from, now=now
            )
        except Exception as error:  # noqa: BLE001 - nothing was done; only the notice is lost
            log.warning("transmission %s: confirmation not composed: %s", transmission_id, error)
            return
    send_confirmation(mailer, transmission_id, message)


def send_notice(mailer: Mailer, transmission_id: int, notice: Future[EmailMessage | None]) -> None:
    """Send the confirmation; a mail failure is logged, never fatal to the transmission."""
    try:
        message = notice.result()
    except Exception as error:  # noqa: BLE001 - the data is in; only the notice is lost
        log.warning("transmission %s: confirmation e-mail not composed: %s", transmission_id, error)
        return
    send_confirmation(mailer, transmission_id, message)


def send_confirmation(mailer: Mailer, transmission_id: int, message: EmailMessage | None) -> None:
    """Send `message`; one the server did not take is kept in outbox/, to be sent by hand."""
    if message is None:
        log.info("transmission %s: no confirmation e-mail: no valid contact", transmission_id)
        return
    try:
        mailer.sender.send(message)
    except Exception as error:  # noqa: BLE001 - as above
        _keep_unsent(mailer, transmission_id, message, error)


def _keep_unsent(
    mailer: Mailer, transmission_id: int, message: EmailMessage, error: Exception
) -> None:
    """A confirmation the sender refused, kept in outbox/ (unless that is what failed)."""
    why = f"transmission {transmission_id}: confirmation e-mail not sent ({error})"
    if isinstance(mailer.sender, OutboxSender):
        log.warning("%s", why)
        return
    try:
        OutboxSender(mailer.outbox).send(message)
    except Exception as unkept:  # noqa: BLE001 - the data is in; only the notice is lost
        log.warning("%s; not kept either: %s", why, unkept)
    else:
        log.warning("%s; kept in %s to be sent by hand", why, mailer.outbox)
