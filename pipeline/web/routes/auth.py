"""Signing in and out (/login, /logout), and the home page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from pipeline.accounts import authenticate
from pipeline.web.deps import Anyone, CheckedForm, SignedIn, console_state, save_session
from pipeline.web.pages import render
from pipeline.web.security import new_token

router = APIRouter()


def safe_next(target: object) -> str:
    """Where to go after signing in: a path of this site only, never another site."""
    text = target if isinstance(target, str) else ""
    if not text.startswith("/") or text.startswith("//") or "\\" in text:
        return "/"
    return text


@router.get("/")
def home(who: SignedIn) -> Response:
    return RedirectResponse("/history" if who.is_operator else "/upload", status_code=303)


@router.get("/login")
def login_page(request: Request, who: Anyone) -> Response:
    return render(request, who, "login.html.j2", next=safe_next(request.query_params.get("next")))


@router.post("/login")
def login(request: Request, who: Anyone, form: CheckedForm) -> Response:
    state = console_state(request)
    name = str(form.get("username") or "").strip()
    password = str(form.get("password") or "")
    address = request.client.host if request.client else "-"
    target = safe_next(form.get("next"))
    if state.limiter.blocked(name, address):
        return render(request, who, "login.html.j2", 429, error="too_many", next=target, name=name)
    with state.engine.connect() as conn:
        account = authenticate(conn, name, password)
    if account is None:
        state.limiter.failed(name, address)
        return render(
            request, who, "login.html.j2", 401, error="bad_sign_in", next=target, name=name
        )
    state.limiter.succeeded(name)
    # A new session (and token) at sign-in: one planted before it is worth nothing after.
    session = {
        "csrf": new_token(),
        "user": account.name,
        "since": account.password_changed_at.timestamp(),
        "lang": who.lang,
    }
    save_session(request, session)
    return RedirectResponse(target, status_code=303)


@router.post("/logout")
def logout(request: Request, who: Anyone, _form: CheckedForm) -> Response:
    save_session(request, {"csrf": new_token(), "lang": who.lang})
    return RedirectResponse("/login", status_code=303)
