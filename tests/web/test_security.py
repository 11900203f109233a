"""Sign-in, sessions and anti-forgery: every form needs the session's token, sessions are
signed cookies that expire, and sign-in attempts are limited per user and per address."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select

from pipeline.accounts import disable_account, set_password
from pipeline.models import ConsoleUser, Transmission
from pipeline.store import table, update_transmission
from pipeline.web.app import ROUTERS
from pipeline.web.security import SESSION_COOKIE, SessionSettings, SignInLimiter
from tests.web.conftest import PASSWORDS, Console, sign_in, token
from tests.web.ids import transmission_id


def post_routes() -> list[str]:
    routes = (route for module in ROUTERS for route in module.router.routes)
    return [r.path for r in routes if isinstance(r, APIRoute) and "POST" in r.methods]


def test_passwords_are_stored_as_argon2_hashes(console: Console) -> None:
    users = table(ConsoleUser)
    with console.state.engine.connect() as conn:
        hashes = dict(conn.execute(select(users.c.name, users.c.password_hash)).all())
    assert all(value.startswith("$argon2id$") for value in hashes.values())
    assert not any(PASSWORDS[name] in value for name, value in hashes.items())


def test_pages_send_the_others_to_sign_in(console: Console) -> None:
    with console.client() as client:
        for path in ("/upload", "/history", "/applicants?q=a", "/transmissions/1", "/"):
            response = client.get(path, follow_redirects=False)
            assert response.status_code == 303, path
            assert response.headers["location"].startswith("/login")
        assert client.get("/glossary").status_code == 200


def test_a_wrong_password_does_not_sign_in(console: Console) -> None:
    with console.client() as client:
        response = client.post(
            "/login",
            data={"csrf_token": token(client), "username": "ops", "password": "wrong-password"},
        )
        assert response.status_code == 401
        assert "not right" in response.text
        assert client.get("/history", follow_redirects=False).status_code == 303


def test_the_session_cookie_is_httponly_lax_and_secure_over_https(console: Console) -> None:
    with console.client(base_url="https://testserver") as client:
        sign_in(client, "ops")
        cookie = next(
            header
            for header in client.get("/login?lang=fr").headers.get_list("set-cookie")
            if header.startswith(SESSION_COOKIE)
        )
    flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert {"httponly", "secure", "max-age"} <= flags
    assert "samesite=lax" in cookie.lower()
    with console.client() as plain:
        header = plain.get("/login").headers["set-cookie"]
    assert "secure" not in header.lower()


def test_a_forged_or_expired_session_is_not_signed_in(console: Console) -> None:
    with console.client() as client:
        sign_in(client, "ops")
        session = console.state.sessions.read(client.cookies[SESSION_COOKIE])
        assert session is not None and session["user"] == "ops"
        # The same session signed with another key, as someone without the key would make it.
        forged = SessionSettings(secret="guessed", max_age_seconds=3600).sign(session)
        client.cookies.clear()
        client.cookies.set(SESSION_COOKIE, forged)
        assert client.get("/history", follow_redirects=False).status_code == 303
    console.state.sessions = SessionSettings(secret="test-secret", max_age_seconds=5)
    with console.client() as client:
        sign_in(client, "ops")
        assert client.get("/history", follow_redirects=False).status_code == 200
        time.sleep(6.5)
        assert client.get("/history", follow_redirects=False).status_code == 303


def test_every_form_needs_the_sessions_token(console: Console) -> None:
    with console.client() as client:
        sign_in(client, "ops")
        for path in post_routes():
            url = path.replace("{transmission_id}", "1")
            for data in ({}, {"csrf_token": "forged"}):
                assert client.post(url, data=data).status_code == 403, (url, data)
        # Nothing happened: still signed in (the sign-out form was refused too).
        assert client.get("/history", follow_redirects=False).status_code == 200
    assert len(post_routes()) >= 4


def test_a_forged_sign_in_does_not_sign_in(console: Console) -> None:
    with console.client() as client:
        client.get("/login")
        data = {"username": "ops", "password": PASSWORDS["ops"]}
        assert client.post("/login", data=data).status_code == 403
        assert client.get("/history", follow_redirects=False).status_code == 303


def test_a_forged_upload_is_not_queued(console: Console, clerk_client: TestClient) -> None:
    sample = next(p for p in console.settings.archive.iterdir() if "S885827" in p.name)
    response = clerk_client.post(
        "/upload", data={}, files={"file": ("S885827.C2", sample.read_bytes())}
    )
    assert response.status_code == 403
    assert list(console.settings.inbox.iterdir()) == []


def test_a_forged_replay_does_not_run(console: Console, operator_client: TestClient) -> None:
    failed = transmission_id(console.state.engine, "885827")
    with console.state.engine.begin() as conn:
        update_transmission(conn, failed, {"status": "failed"})
    response = operator_client.post(f"/transmissions/{failed}/replay", data={})
    assert response.status_code == 403
    t = table(Transmission)
    with console.state.engine.connect() as conn:
        status = conn.execute(select(t.c.status).where(t.c.id == failed)).scalar_one()
    assert status == "failed"


def test_sign_in_attempts_are_limited_per_user(console: Console) -> None:
    with console.client() as client:
        for _ in range(5):
            data = {"csrf_token": token(client), "username": "ops", "password": "nope-nope-1"}
            assert client.post("/login", data=data).status_code == 401
        data = {"csrf_token": token(client), "username": "ops", "password": PASSWORDS["ops"]}
        refused = client.post("/login", data=data)
        assert refused.status_code == 429
        assert client.get("/history", follow_redirects=False).status_code == 303
        # Another user from the same address is not held back by it.
        sign_in(client, "clerk")


def test_sign_in_attempts_are_limited_per_address(console: Console) -> None:
    console.state.limiter = SignInLimiter(per_user=100, per_address=3)
    with console.client() as client:
        for name in ("a1", "a2", "a3"):
            data = {"csrf_token": token(client), "username": name, "password": "x" * 12}
            assert client.post("/login", data=data).status_code == 401
        data = {"csrf_token": token(client), "username": "ops", "password": PASSWORDS["ops"]}
        assert client.post("/login", data=data).status_code == 429


def test_the_limit_passes_with_its_window() -> None:
    now = [0.0]
    limiter = SignInLimiter(per_user=2, per_address=10, window=60, clock=lambda: now[0])
    limiter.failed("ops", "10.0.0.1")
    limiter.failed("ops", "10.0.0.2")
    assert limiter.blocked("OPS", "10.0.0.3")
    now[0] = 61.0
    assert not limiter.blocked("ops", "10.0.0.3")


@pytest.mark.parametrize("change", ["disable", "password"])
def test_disabling_or_a_new_password_ends_open_sessions(console: Console, change: str) -> None:
    with console.client() as client:
        sign_in(client, "clerk")
        with console.state.engine.begin() as conn:
            if change == "disable":
                disable_account(conn, "clerk")
            else:
                set_password(conn, "clerk", "a-brand-new-password", datetime.now(UTC))
        assert client.get("/upload", follow_redirects=False).status_code == 303
        if change == "password":
            sign_in(client, "clerk", "a-brand-new-password")
        else:
            response = client.post(
                "/login",
                data={
                    "csrf_token": token(client),
                    "username": "clerk",
                    "password": PASSWORDS["clerk"],
                },
            )
            assert response.status_code == 401


def test_signing_out_ends_the_session(clerk_client: TestClient) -> None:
    response = clerk_client.post("/logout", data={"csrf_token": token(clerk_client, "/upload")})
    assert response.url.path == "/login"
    assert clerk_client.get("/upload", follow_redirects=False).status_code == 303


def test_sign_in_goes_back_only_to_this_site(console: Console) -> None:
    with console.client() as client:
        data = {
            "csrf_token": token(client),
            "username": "ops",
            "password": PASSWORDS["ops"],
            "next": "//evil.example/x",
        }
        response = client.post("/login", data=data, follow_redirects=False)
        assert response.headers["location"] == "/"
