"""Dependencies of the console's routes: the session, the signed-in user and their scope, the
language, a database connection, the anti-forgery check of every form, and the threads of long
work."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar

from anyio import CapacityLimiter, to_thread
from fastapi import Depends, Request

from pipeline.accounts import Account, find_account
from pipeline.database import Connection
from pipeline.scope import Scope
from pipeline.web.security import CSRF_FIELD, CSRF_HEADER, new_token, same_token
from pipeline.web.state import ConsoleState
from pipeline.web.turns import turn_given_back

LANGUAGES = ("en", "fr")
T = TypeVar("T")


class SignInRequired(Exception):
    """The page needs a signed-in user: the browser is sent to /login."""


class NotFound(Exception):
    """Missing, or not the reader's to see: the same 404 either way."""


class ForgedRequest(Exception):
    """A form without the session's anti-forgery token."""


@dataclass
class Viewer:
    """Who is asking, in which language, with the session's anti-forgery token."""

    account: Account | None
    lang: str
    csrf: str
    session: dict[str, Any] = field(default_factory=dict)

    @property
    def scope(self) -> Scope:
        assert self.account is not None
        return self.account.scope

    @property
    def is_operator(self) -> bool:
        return self.account is not None and self.account.is_operator


def console_state(request: Request) -> ConsoleState:
    state: ConsoleState = request.app.state.console
    return state


async def in_work_thread(request: Request, work: Callable[[], T]) -> T:
    """`work` (long: an upload's check, a replay) in a thread of its own, the request's turn
    left to other pages meanwhile."""
    threads: CapacityLimiter | None = getattr(request.app.state, "work_threads", None)
    async with turn_given_back(request.scope):
        return await to_thread.run_sync(work, limiter=threads)


def save_session(request: Request, session: dict[str, Any]) -> None:
    """The session to send back in the cookie with this response."""
    request.state.new_session = session


def session_of(request: Request) -> dict[str, Any]:
    """The signed session of the request; a new one (with its own token) when there is none."""
    cached = getattr(request.state, "session", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    state = console_state(request)
    session = state.sessions.read(request.cookies.get("ost_session"))
    if session is None or not isinstance(session.get("csrf"), str):
        session = {"csrf": new_token()}
        save_session(request, session)
    request.state.session = session
    return session


def chosen_language(request: Request, session: dict[str, Any]) -> str:
    """?lang=fr (kept as the user's choice), else the choice made earlier, else the browser's."""
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        if session.get("lang") != asked:
            session = {**session, "lang": asked}
            request.state.session = session
            save_session(request, session)
        return asked
    kept = session.get("lang")
    if kept in LANGUAGES:
        return str(kept)
    accepted = request.headers.get("accept-language", "").lower()
    return "fr" if accepted.startswith("fr") else "en"


def current_account(request: Request, session: dict[str, Any]) -> Account | None:
    """The signed-in account, if the session names one that is still enabled and whose
    password has not changed since it signed in."""
    name = session.get("user")
    if not isinstance(name, str):
        return None
    with console_state(request).engine.connect() as conn:
        account = find_account(conn, name)
    if account is None or account.disabled:
        return None
    if session.get("since") != account.password_changed_at.timestamp():
        return None
    return account


def viewer(request: Request) -> Viewer:
    """Whoever is asking, signed in or not."""
    session = session_of(request)
    lang = chosen_language(request, session)
    session = request.state.session
    return Viewer(current_account(request, session), lang, str(session["csrf"]), session)


def signed_in(request: Request) -> Viewer:
    """A signed-in user; the others are sent to /login."""
    who = viewer(request)
    if who.account is None:
        raise SignInRequired
    return who


async def operator(who: Annotated[Viewer, Depends(signed_in)]) -> Viewer:
    """An operator; to a school account the page does not exist. (Asynchronous: it reads
    nothing, and needs no thread.)"""
    if not who.is_operator:
        raise NotFound
    return who


async def form_checked(request: Request) -> AsyncIterator[dict[str, Any]]:
    """The posted form, once its anti-forgery token matches the session's; its uploaded
    files are closed after the response."""
    async with turn_given_back(request.scope):  # an upload may arrive slowly
        form = await request.form()
    try:
        session = session_of(request)
        given = form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER)
        if not same_token(str(session.get("csrf")), given if isinstance(given, str) else None):
            raise ForgedRequest
        yield dict(form)
    finally:
        await form.close()


def connection(request: Request) -> Iterator[Connection]:
    """A database connection for one request."""
    with console_state(request).engine.connect() as conn:
        yield conn


SignedIn = Annotated[Viewer, Depends(signed_in)]
Operator = Annotated[Viewer, Depends(operator)]
Anyone = Annotated[Viewer, Depends(viewer)]
Database = Annotated[Connection, Depends(connection)]
CheckedForm = Annotated[dict[str, Any], Depends(form_checked)]
