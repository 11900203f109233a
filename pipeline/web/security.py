"""Passwords (argon2), signed session cookies, anti-forgery tokens and sign-in limits."""

from __future__ import annotations

import hmac
import os
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeTimedSerializer

from pipeline.config import ConfigError

SESSION_COOKIE = "ost_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
DEFAULT_SESSION_HOURS = 8.0
SECRET_FILE = "console.key"
MIN_PASSWORD_LENGTH = 10
# Sign-in failures allowed in a window before further attempts are refused until it passes.
FAILURES_PER_USER = 5
FAILURES_PER_ADDRESS = 20
FAILURE_WINDOW_SECONDS = 15 * 60

_hasher = PasswordHasher()
# Verified against when the user does not exist, so that a wrong name costs as long as a wrong
# password and the time taken does not tell which names exist.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    """A slow salted hash (argon2id) of the password."""
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether `password` is the one hashed; False for a missing or unreadable hash."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> str | None:
    """Why a new password cannot be used, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"a password needs at least {MIN_PASSWORD_LENGTH} characters"
    return None


def new_token() -> str:
    return secrets.token_urlsafe(32)


def same_token(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison of an anti-forgery token."""
    return bool(expected and given and hmac.compare_digest(expected, given))


@dataclass(frozen=True)
class SessionSettings:
    """How sessions are signed and how long they last (OST_SECRET_KEY, OST_SESSION_HOURS)."""

    secret: str
    max_age_seconds: int

    def serializer(self) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self.secret, salt="ost-console-session")

    def sign(self, session: dict[str, Any]) -> str:
        return str(self.serializer().dumps(session))

    def read(self, cookie: str | None) -> dict[str, Any] | None:
        """The session in a cookie, or None when it is missing, forged or expired."""
        if not cookie:
            return None
        try:
            value = self.serializer().loads(cookie, max_age=self.max_age_seconds)
        except BadSignature:
            return None
        return value if isinstance(value, dict) else None


def session_settings(home: Path, environ: dict[str, str] | None = None) -> SessionSettings:
    """From OST_SECRET_KEY (else a key kept in OST_HOME/console.key) and OST_SESSION_HOURS."""
    env = os.environ if environ is None else environ
    raw_hours = env.get("OST_SESSION_HOURS") or str(DEFAULT_SESSION_HOURS)
    try:
        hours = float(raw_hours)
    except ValueError:
        hours = -1.0
    if not 0 < hours <= 24 * 30:
        raise ConfigError(f"OST_SESSION_HOURS must be hours between 0 and 720, not {raw_hours!r}")
    secret = env.get("OST_SECRET_KEY") or stored_secret(home / SECRET_FILE)
    return SessionSettings(secret=secret, max_age_seconds=int(hours * 3600))


def stored_secret(path: Path) -> str:
    """The signing key kept in `path` (created once, readable by its owner only): sessions
    survive a restart, and every console process of one OST_HOME signs with the same key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(secrets.token_urlsafe(48))
    return path.read_text(encoding="ascii").strip()


@dataclass
class SignInLimiter:
    """Recent sign-in failures per user name and per address; too many refuse further tries
    until the window has passed (kept in this process's memory)."""

    per_user: int = FAILURES_PER_USER
    per_address: int = FAILURES_PER_ADDRESS
    window: float = FAILURE_WINDOW_SECONDS
    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _recent(self, key: str) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and times[0] <= self.clock() - self.window:
            times.popleft()
        return times

    def blocked(self, user: str, address: str) -> bool:
        with self._lock:
            return (
                len(self._recent(f"user:{user.lower()}")) >= self.per_user
                or len(self._recent(f"address:{address}")) >= self.per_address
            )

    def failed(self, user: str, address: str) -> None:
        with self._lock:
            for key in (f"user:{user.lower()}", f"address:{address}"):
                self._recent(key).append(self.clock())

    def succeeded(self, user: str) -> None:
        with self._lock:
            self._failures.pop(f"user:{user.lower()}", None)
