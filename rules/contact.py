"""The T1 contact e-mail: one address, read by a maintained validator (docs/rules.md, F011)."""

from __future__ import annotations

import polars as pl
from email_validator import EmailNotValidError, validate_email


def contact_address(raw: str | None) -> str | None:
    """The one address `raw` holds, normalised; None when blank, a list or not an address.

    Lists (`a,b@x.ca`, `a;b@x.ca`), display names, quoted local parts, control characters and
    addresses that need SMTPUTF8 are refused: the confirmation goes to the parsed address only.
    """
    text = (raw or "").strip(" ")
    if not text:
        return None
    try:
        parsed = validate_email(
            text,
            check_deliverability=False,
            allow_smtputf8=False,
            allow_quoted_local=False,
            allow_domain_literal=False,
            allow_display_name=False,
        )
    except EmailNotValidError:
        return None
    return str(parsed.normalized)


def _is_address(raw: str | None) -> bool:
    return contact_address(raw) is not None


def is_contact_address(value: pl.Expr) -> pl.Expr:
    """Whether each value is one valid address (the header has one row: a call per value)."""
    return value.map_elements(_is_address, return_dtype=pl.Boolean, skip_nulls=False)
