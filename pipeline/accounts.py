"""Accounts of the web console (`ost users`): operators, and schools with their MIDENTs."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from pipeline.models import USER_ROLES, ConsoleUser
from pipeline.scope import EVERY_SCHOOL, Scope, schools
from pipeline.store.accounts import add_user, change_user, user_row
from pipeline.web.security import hash_password, password_problem, verify_password

if TYPE_CHECKING:
    from pipeline.database import Connection

USER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
MIDENT = re.compile(r"[0-9]{6}")


class AccountError(ValueError):
    """An account command that cannot be carried out, with the reason."""


@dataclass(frozen=True)
class Account:
    """A console user as the console sees them (never the password hash outside this module)."""

    name: str
    role: str
    midents: tuple[str, ...]
    disabled: bool
    password_changed_at: datetime

    @property
    def is_operator(self) -> bool:
        return self.role == "operator"

    @property
    def scope(self) -> Scope:
        return EVERY_SCHOOL if self.is_operator else schools(self.midents)


def _account(row: ConsoleUser) -> Account:
    midents = tuple(m for m in row.midents.split(";") if m)
    return Account(row.name, row.role, midents, row.disabled, row.password_changed_at)


def find_account(conn: Connection, name: str) -> Account | None:
    row = user_row(conn, name)
    return _account(row) if row else None


def checked_new_account(name: str, role: str, midents: Sequence[str], password: str) -> None:
    """Raise AccountError when these cannot make an account."""
    if not USER_NAME.fullmatch(name):
        raise AccountError(
            f"a user name is 1 to 64 letters, digits, '.', '_', '@' or '-'; not {name!r}"
        )
    if role not in USER_ROLES:
        raise AccountError(f"--role must be one of {', '.join(USER_ROLES)}; not {role!r}")
    bad = [m for m in midents if not MIDENT.fullmatch(m)]
    if bad:
        raise AccountError(f"--mident must be a six-digit MIDENT such as 885827; not {bad[0]!r}")
    if role == "school" and not midents:
        raise AccountError("a school account needs at least one --mident")
    if role == "operator" and midents:
        raise AccountError("an operator sees every school: give no --mident")
    problem = password_problem(password)
    if problem:
        raise AccountError(problem)


def add_account(
    conn: Connection, name: str, role: str, midents: Sequence[str], password: str, now: datetime
) -> Account:
    """A new account; AccountError when the name is taken or a value is invalid."""
    checked_new_account(name, role, midents, password)
    if user_row(conn, name) is not None:
        raise AccountError(f"user {name!r} already exists")
    row = ConsoleUser(
        name=name,
        role=role,
        midents=";".join(sorted(set(midents))),
        password_hash=hash_password(password),
        disabled=False,
        created_at=now,
        password_changed_at=now,
    )
    add_user(conn, row)
    return _account(row)


def _change(conn: Connection, name: str, **values: object) -> None:
    if change_user(conn, name, **values) == 0:
        raise AccountError(f"no user {name!r}")


def disable_account(conn: Connection, name: str) -> None:
    """The user can no longer sign in; their open sessions end at their next request."""
    _change(conn, name, disabled=True)


def set_password(conn: Connection, name: str, password: str, now: datetime) -> None:
    """A new password (which also enables a disabled account); older sessions end."""
    problem = password_problem(password)
    if problem:
        raise AccountError(problem)
    _change(
        conn, name, password_hash=hash_password(password), password_changed_at=now, disabled=False
    )


def authenticate(conn: Connection, name: str, password: str) -> Account | None:
    """The account when the name and password are right and it is enabled; otherwise None
    (the same answer, and about the same time, for an unknown name)."""
    row = user_row(conn, name)
    if not verify_password(row.password_hash if row else None, password):
        return None
    if row is None or row.disabled:
        return None
    return _account(row)
