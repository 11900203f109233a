"""Settings from the environment (docs/commands.md), read once per command."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import parseaddr
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from matching.zones import Zones
from rules.limits import DEFAULT_MAX_FILE_MB

DEFAULT_MAIL_FROM = "ost-pipeline@localhost"
DEFAULT_MAX_INTERRUPTED_ATTEMPTS = 3


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
