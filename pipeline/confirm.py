"""The confirmation e-mail of a transmission: composed beside its reports, sent once the data
is in, kept in outbox/ when the server does not take it."""

from __future__ import annotations

import logging
from concurrent.futures import Future
from datetime import datetime
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any

import polars as pl

from pipeline.notify import OutboxSender, confirmation, school_language
from pipeline.school_view import school_reports
from rules.validate import ValidationResult

if TYPE_CHECKING:
    from pipeline.ingest import IngestContext

log = logging.getLogger("ost.ingest")


def confirmation_of(
    ctx: IngestContext,
    transmission_id: int,
    result: ValidationResult,
    reports: dict[str, Any],
    now: datetime,
) -> EmailMessage | None:
    """The confirmation e-mail to the header's contact (None when it gives no valid address:
    F011). It carries the school's form of the reports (docs/record.md: who sees what)."""
    recipient = result.header.contact_email
    if not recipient:
        return None
    grades = result.grades
    languages = (
        grades["language"] if "language" in grades.columns else pl.Series([], dtype=pl.String)
    )
    lang = school_language(languages)
    sender = ctx.settings.mail_from
    shown = school_reports(reports)
    return confirmation(transmission_id, recipient, shown, sender=sender, now=now, lang=lang)


def send_notice(
    ctx: IngestContext, transmission_id: int, notice: Future[EmailMessage | None]
) -> None:
    """Send the confirmation; a mail failure is logged, never fatal to the transmission."""
    try:
        message = notice.result()
    except Exception as error:  # noqa: BLE001 - the data is in; only the notice is lost
        log.warning("transmission %s: confirmation e-mail not composed: %s", transmission_id, error)
        return
    send_confirmation(ctx, transmission_id, message)


def send_confirmation(
    ctx: IngestContext, transmission_id: int, message: EmailMessage | None
) -> None:
    """Send `message`; one the server did not take is kept in outbox/, to be sent by hand."""
    if message is None:
        log.info("transmission %s: no confirmation e-mail: no valid contact", transmission_id)
        return
    try:
        ctx.sender.send(message)
    except Exception as error:  # noqa: BLE001 - as above
        _keep_unsent(ctx, transmission_id, message, error)


def _keep_unsent(
    ctx: IngestContext, transmission_id: int, message: EmailMessage, error: Exception
) -> None:
    """A confirmation the sender refused, kept in outbox/ (unless that is what failed)."""
    why = f"transmission {transmission_id}: confirmation e-mail not sent ({error})"
    if isinstance(ctx.sender, OutboxSender):
        log.warning("%s", why)
        return
    try:
        OutboxSender(ctx.settings.outbox).send(message)
    except Exception as unkept:  # noqa: BLE001 - the data is in; only the notice is lost
        log.warning("%s; not kept either: %s", why, unkept)
    else:
        log.warning("%s; kept in %s to be sent by hand", why, ctx.settings.outbox)
