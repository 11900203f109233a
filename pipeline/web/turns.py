"""Pages made a few at a time, in order of arrival (docs/console.md, Speed).

Python code runs in one thread at a time: pages made all at once share that one processor, and
each takes as long as all those in progress. So a request for a page waits for one of a few
turns, first come first served, and holds it until its answer starts; the file then sent (a
report, a download) goes out without a turn. Static files take none, and a request gives its
turn back while it waits for something other than the processor: its form arriving (an upload
over a slow line) or long work in threads of its own (an upload's check, a replay).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from anyio import CapacityLimiter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

STATIC = "/static/"
_KEY = "page_turn"  # in the request's state


class Turn:
    """One request's turn among the limiter's: held, given back, taken again."""

    def __init__(self, limiter: CapacityLimiter) -> None:
        self._limiter = limiter
        self.held = False

    async def take(self) -> None:
        await self._limiter.acquire_on_behalf_of(self)
        self.held = True

    def give_back(self) -> None:
        if self.held:
            self.held = False
            self._limiter.release_on_behalf_of(self)


class PageTurns:
    """ASGI middleware: `turns` pages made at a time, the other requests waiting in order of
    arrival (static files excepted)."""

    def __init__(self, app: ASGIApp, turns: int) -> None:
        self.app = app
        self.turns = turns
        self._limiter: CapacityLimiter | None = None  # made in the server's event loop

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(STATIC):
            await self.app(scope, receive, send)
            return
        if self._limiter is None:
            self._limiter = CapacityLimiter(self.turns)
        turn = Turn(self._limiter)
        scope.setdefault("state", {})[_KEY] = turn

        async def answer(message: Message) -> None:
            if message["type"] == "http.response.start":
                turn.give_back()  # the body (a file, say) is sent without one
            await send(message)

        await turn.take()
        try:
            await self.app(scope, receive, answer)
        finally:
            turn.give_back()


@asynccontextmanager
async def turn_given_back(scope: Scope) -> AsyncIterator[None]:
    """Within: the request's turn left to the others (it waits for something else), taken
    again, in order, after."""
    turn: Any = scope.get("state", {}).get(_KEY)
    if not isinstance(turn, Turn) or not turn.held:
        yield
        return
    turn.give_back()
    try:
        yield
    finally:
        await turn.take()
