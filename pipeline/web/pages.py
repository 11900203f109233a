"""Rendering the console's pages: one jinja2 template per page over a shared base, in the
viewer's language, every value escaped."""

from __future__ import annotations

import tomllib
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from pipeline.config import time_zone
from pipeline.labels import label
from pipeline.web.deps import Viewer, console_state
from pipeline.web.security import CSRF_FIELD

WORDS_FILE = Path(__file__).parent / "words.toml"


@lru_cache(maxsize=1)
def words() -> dict[str, dict[str, str]]:
    with WORDS_FILE.open("rb") as handle:
        return tomllib.load(handle)


def word(lang: str, key: str) -> str:
    """The console's wording of `key` in `lang`; report labels and then the key otherwise."""
    found = words().get(lang, {}).get(key) or words()["en"].get(key)
    return found if found is not None else label(lang, key)


@lru_cache(maxsize=1)
def environment() -> Environment:
    return Environment(
        loader=PackageLoader("pipeline.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # the package's templates do not change under a running console
    )


def compile_templates() -> None:
    """Load every page's template into the environment's cache."""
    for name in environment().list_templates(extensions=["j2"]):
        environment().get_template(name)


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def other_language_url(request: Request, lang: str) -> str:
    params = {k: v for k, v in request.query_params.items() if k != "lang"}
    params["lang"] = "en" if lang == "fr" else "fr"
    return f"{request.url.path}?{urlencode(params)}"


def render(
    request: Request, who: Viewer, template: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """The page `template` for `who`; an htmx request for a fragment gets `fragment` alone."""
    zone = time_zone(console_state(request).settings.timezone)

    def local_time(value: datetime | None) -> str:
        return f"{value.astimezone(zone):%Y-%m-%d %H:%M %Z}" if value else ""

    body = (
        environment()
        .get_template(template)
        .render(
            who=who,
            lang=who.lang,
            t=lambda key: word(who.lang, key),
            csrf_field=CSRF_FIELD,
            path=request.url.path,
            switch_language=other_language_url(request, who.lang),
            local_time=local_time,
            fragment_only=is_htmx(request),
            **context,
        )
    )
    return HTMLResponse(body, status_code=status_code)
