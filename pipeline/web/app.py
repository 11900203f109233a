"""The console's application: routes, static files, session cookie and error pages."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from anyio import CapacityLimiter
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from pipeline.config import Settings
from pipeline.database import Engine, open_database
from pipeline.review_comparisons import COMPARISONS
from pipeline.runtime import ensure_folders
from pipeline.web.deps import ForgedRequest, NotFound, SignInRequired, Viewer, viewer
from pipeline.web.pages import compile_templates, is_htmx, render
from pipeline.web.routes import (
    applicants,
    auth,
    glossary,
    history,
    reports,
    review,
    transmissions,
    upload,
)
from pipeline.web.security import SESSION_COOKIE, SessionSettings, session_settings
from pipeline.web.state import ConsoleState
from pipeline.web.turns import PageTurns

log = logging.getLogger("ost.console")
STATIC = Path(__file__).parent / "static"
ROUTERS = (auth, upload, history, transmissions, review, applicants, reports, glossary)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Long work (an upload's check, a replay) has as many threads as pages have turns: on the
    # days schools send their files, large ones never hold the pages up, nor the pages them.
    state: ConsoleState = app.state.console
    app.state.work_threads = CapacityLimiter(state.page_turns)
    yield
    # Review cases being compared ahead in the background end before the database closes.
    await asyncio.to_thread(COMPARISONS.settle)


def create_app(state: ConsoleState) -> FastAPI:
    """The console over this database and OST_HOME."""
    app = FastAPI(
        title="OST console", docs_url=None, redoc_url=None, openapi_url=None, lifespan=_lifespan
    )
    app.state.console = state
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in ROUTERS:
        app.include_router(module.router)
    app.middleware("http")(session_cookie)
    app.add_middleware(PageTurns, turns=state.page_turns)  # the outermost: docs/console.md
    app.add_exception_handler(SignInRequired, to_sign_in)  # type: ignore[arg-type]
    app.add_exception_handler(NotFound, not_found)
    app.add_exception_handler(StarletteHTTPException, http_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, not_found)
    app.add_exception_handler(ForgedRequest, forged)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, server_error)
    return app


def console_from_settings(
    settings: Settings, engine: Engine | None = None, page_turns: int | None = None
) -> FastAPI:
    """The console as `ost serve` runs it: a migrated database, folders, the session key;
    `page_turns` pages made at once (None: one more than the cores)."""
    ensure_folders(settings)
    warm_up()
    engine = engine or open_database(settings.database_url)
    warm_up_review(engine)
    sessions: SessionSettings = session_settings(settings.home)
    state = ConsoleState(settings=settings, engine=engine, sessions=sessions)
    if page_turns is not None:
        state.page_turns = page_turns
    return create_app(state)


def warm_up() -> None:
    """Import once, at start, what checking an upload with a failing record needs: the rules
    import pandera (and pandas) only then, so that `ost validate` starts fast, and the first
    upload of a server would otherwise wait about two seconds for it. The same for the
    matcher's comparison that a review case shows, and every page's template, compiled once
    here rather than by each of the first concurrent requests."""
    import pandera.errors  # noqa: F401
    import pandera.polars  # noqa: F401

    import matching.explain  # noqa: F401

    compile_templates()


def warm_up_review(engine: Engine) -> None:
    """Read the review queue's first student and compare a made-up pair once, at start: the
    first operator's page would otherwise also wait for the queries to be compiled and for the
    comparison's first run (about 20 ms each, several times over when operators arrive at once)."""
    import polars as pl

    from matching.explain import compare_pairs
    from matching.schema import APPLICANTS_SCHEMA, STUDENTS_SCHEMA
    from pipeline.review import review_queue_page

    review_queue_page(engine, limit=1)
    student = {"student_key": 0, "surname": "SAMPLE", "first_name": "ANA", "oen": "123456789"}
    applicant = {"application_number": "0", "last_name": "SAMPLE", "first_name": "ANNA"}
    compare_pairs(
        pl.DataFrame([student], schema=STUDENTS_SCHEMA),
        pl.DataFrame([applicant], schema=APPLICANTS_SCHEMA),
    )


async def session_cookie(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """Send back the session a route changed (signed, HttpOnly, SameSite=Lax, Secure over
    https, expiring), and keep pages with personal data out of shared caches."""
    response = await call_next(request)
    session = getattr(request.state, "new_session", None)
    if session is not None:
        state: ConsoleState = request.app.state.console
        response.set_cookie(
            SESSION_COOKIE,
            state.sessions.sign(session),
            max_age=state.sessions.max_age_seconds,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
            path="/",
        )
    if not request.url.path.startswith("/static/"):
        response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def _viewer_or_anonymous(request: Request) -> Viewer:
    try:
        return viewer(request)
    except Exception:  # noqa: BLE001 - an error page must render even when the session cannot
        return Viewer(None, "en", "")


def to_sign_in(request: Request, _error: SignInRequired) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    location = f"/login?next={target}" if target not in ("/", "/login") else "/login"
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": location})
    return RedirectResponse(location, status_code=303)


def not_found(request: Request, _error: Exception) -> Response:
    who = _viewer_or_anonymous(request)
    return render(request, who, "error.html.j2", 404, title="not_found", text="not_found_text")


def http_error(request: Request, error: StarletteHTTPException) -> Response:
    if error.status_code == 404:
        return not_found(request, error)
    who = _viewer_or_anonymous(request)
    return render(
        request,
        who,
        "error.html.j2",
        error.status_code,
        title="server_error",
        text=str(error.detail),
    )


def forged(request: Request, _error: ForgedRequest) -> Response:
    who = _viewer_or_anonymous(request)
    return render(request, who, "error.html.j2", 403, title="forbidden", text="forbidden_text")


def server_error(request: Request, error: Exception) -> Response:
    log.error(
        "console: %s %s failed: %s: %s",
        request.method,
        request.url.path,
        type(error).__name__,
        error,
    )
    who = _viewer_or_anonymous(request)
    return render(
        request, who, "error.html.j2", 500, title="server_error", text="server_error_text"
    )
