"""Settings from the environment (docs/commands.md), read once per command."""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.utils import parseaddr
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from matching.zones import Zones
from pipeline.retry import Backoff
from rules.limits import DEFAULT_MAX_FILE_MB

DEFAULT_MAIL_FROM = "ost-pipeline@localhost"
DEFAULT_MAX_INTERRUPTED_ATTEMPTS = 3
# The run lock of a holder silent this long is taken over (OST_LOCK_STALE_SECONDS).
DEFAULT_STALE_AFTER = timedelta(minutes=10)


class ConfigError(ValueError):
    """A setting has a value the product cannot use."""


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str
    smtp_url: str | None
    timezone: str
    schedule: str
    max_file_bytes: int
    mail_from: str = DEFAULT_MAIL_FROM  # the sender of the confirmation e-mails
    # A transmission whose processing ended this many times with the process dying is set
    # aside as `failed` instead of being tried again (OST_MAX_INTERRUPTED_ATTEMPTS).
    max_interrupted_attempts: int = DEFAULT_MAX_INTERRUPTED_ATTEMPTS
    # The matching zones (docs/matching.md): OST_MATCH_MERGE, OST_MATCH_REVIEW, OST_MATCH_MARGIN.
    zones: Zones = Zones()

    @property
    def inbox(self) -> Path:
        return self.home / "inbox"

    @property
    def archive(self) -> Path:
        return self.home / "archive"

    @property
    def reports(self) -> Path:
        return self.home / "reports"

    @property
    def outbox(self) -> Path:
        return self.home / "outbox"

    @property
    def logs(self) -> Path:
        return self.home / "logs"


def _max_file_bytes(raw: str | None) -> int:
    if raw is None or raw.strip() == "":
        return DEFAULT_MAX_FILE_MB * 2**20
    try:
        megabytes = float(raw)
    except ValueError:
        raise ConfigError(f"OST_MAX_FILE_MB must be a number of megabytes, not {raw!r}") from None
    if not math.isfinite(megabytes) or megabytes <= 0:
        raise ConfigError(f"OST_MAX_FILE_MB must be positive, not {raw!r}")
    return int(megabytes * 2**20)


def _positive_count(name: str, raw: str | None, default: int) -> int:
    if raw is None or raw.strip() == "":
        return default
    if not raw.strip().isdigit() or int(raw) < 1:
        raise ConfigError(f"{name} must be a whole number of at least 1, not {raw!r}")
    return int(raw)


def _mail_from(sender: str) -> str:
    """An address, bare or with a display name: `ost@ocas.ca`, `OST <ost@ocas.ca>`."""
    address = parseaddr(sender)[1]
    local, at, domain = address.rpartition("@")
    if not (local and at and domain) or "\n" in sender:
        raise ConfigError(
            f"OST_MAIL_FROM must be an e-mail address such as ost@ocas.ca, not {sender!r}"
        )
    return sender


def _weight(env: dict[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a weight (a number), not {raw!r}") from None
    if not math.isfinite(value):
        raise ConfigError(f"{name} must be a finite number, not {raw!r}")
    return value


def match_zones(env: dict[str, str]) -> Zones:
    """The matching thresholds: merge at or above OST_MATCH_MERGE when ahead by OST_MATCH_MARGIN,
    hold for review from OST_MATCH_REVIEW (docs/matching.md); the defaults of `Zones` else."""
    default = Zones()
    zones = Zones(
        merge=_weight(env, "OST_MATCH_MERGE", default.merge),
        review=_weight(env, "OST_MATCH_REVIEW", default.review),
        margin=_weight(env, "OST_MATCH_MARGIN", default.margin),
    )
    if zones.review > zones.merge:
        raise ConfigError(
            f"OST_MATCH_REVIEW ({zones.review:g}) must not be above "
            f"OST_MATCH_MERGE ({zones.merge:g})"
        )
    if zones.margin < 0:
        raise ConfigError(f"OST_MATCH_MARGIN must not be negative, not {zones.margin:g}")
    return zones


def time_zone(name: str) -> ZoneInfo:
    """`OST_TIMEZONE` as a zone; a name that is not one is a configuration error."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"OST_TIMEZONE must be a time zone such as America/Toronto, not {name!r}"
        ) from None


def utc_now() -> datetime:
    return datetime.now(UTC)


def local_today(now: datetime, zone_name: str) -> date:
    """The date on the OST_TIMEZONE clock at `now`: every command judges dates by it."""
    return now.astimezone(time_zone(zone_name)).date()


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if environ is None else environ)
    home = Path(env.get("OST_HOME") or "var").resolve()
    return Settings(
        home=home,
        database_url=env.get("OST_DATABASE_URL") or f"sqlite:///{home / 'ost.sqlite3'}",
        smtp_url=env.get("OST_SMTP_URL") or None,
        timezone=env.get("OST_TIMEZONE") or "America/Toronto",
        schedule=env.get("OST_SCHEDULE") or "04:00,16:00",
        max_file_bytes=_max_file_bytes(env.get("OST_MAX_FILE_MB")),
        mail_from=_mail_from(env.get("OST_MAIL_FROM") or DEFAULT_MAIL_FROM),
        max_interrupted_attempts=_positive_count(
            "OST_MAX_INTERRUPTED_ATTEMPTS",
            env.get("OST_MAX_INTERRUPTED_ATTEMPTS"),
            DEFAULT_MAX_INTERRUPTED_ATTEMPTS,
        ),
        zones=match_zones(env),
    )


# -- how a batch behaves (`ost run`, `ost replay`, `ost ingest`, `ost schedule`) ---------------


@dataclass(frozen=True)
class BatchOptions:
    """How a batch behaves; `batch_options` reads them from the environment."""

    trigger: str = "manual"
    settle_seconds: float = 5.0
    stale_after: timedelta = DEFAULT_STALE_AFTER
    retry: Backoff = field(default_factory=Backoff)
    sleep: Callable[[float], None] = time.sleep
    validation_workers: int = 0
    # Starting a worker and sending it the applicants costs about 3 s with 250,000 of them
    # (3 files: 1.4 s in process, 4.2 s through a worker; 20 files: 4.4 s and 7.1 s), so a
    # batch smaller than this is done in the run's own process.
    workers_from_files: int = 20

    @property
    def heartbeat_seconds(self) -> float:
        """Several beats within the stale timeout, at most every 30 seconds."""
        return max(0.5, min(30.0, self.stale_after.total_seconds() / 5))


def default_validation_workers() -> int:
    """One core stays with the process that writes; at most two validate ahead of it."""
    return max(0, min(2, (os.cpu_count() or 1) - 1))


def default_page_turns() -> int:
    """One more than the cores: a page's Python holds the one interpreter lock, while the
    database's work and polars' (which release it) use the other cores beside it."""
    return (os.cpu_count() or 1) + 1


def _number(env: Mapping[str, str], name: str, default: float, minimum: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, not {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum:g}, not {raw!r}")
    return value


def batch_options(
    environ: Mapping[str, str] | None = None,
    trigger: str = "manual",
    sleep: Callable[[float], None] = time.sleep,
) -> BatchOptions:
    """OST_SETTLE_SECONDS, OST_LOCK_STALE_SECONDS, OST_RETRY_ATTEMPTS, OST_RETRY_DELAY_SECONDS,
    OST_VALIDATION_WORKERS."""
    env = os.environ if environ is None else environ
    retry = Backoff(
        attempts=int(_number(env, "OST_RETRY_ATTEMPTS", 3, 1)),
        base_delay=_number(env, "OST_RETRY_DELAY_SECONDS", 5.0, 0),
        sleep=sleep,
    )
    workers = _number(env, "OST_VALIDATION_WORKERS", default_validation_workers(), 0)
    return BatchOptions(
        trigger=trigger,
        settle_seconds=_number(env, "OST_SETTLE_SECONDS", 5.0, 0),
        stale_after=timedelta(seconds=_number(env, "OST_LOCK_STALE_SECONDS", 600, 1)),
        retry=retry,
        sleep=sleep,
        validation_workers=int(workers),
    )
