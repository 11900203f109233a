"""The upload history (/history) with filters, as `ost history` lists it."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from pipeline.models import TRANSMISSION_STATUSES
from pipeline.store.transmissions import history
from pipeline.web.deps import Database, SignedIn
from pipeline.web.pages import render

router = APIRouter()

LISTED_ROWS = 100  # docs/console.md: transmissions a page, newest first
MAX_ID_DIGITS = 18
PERIOD = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")
MIDENT = re.compile(r"[0-9]{6}")


def _kept(value: str | None, pattern: re.Pattern[str]) -> str | None:
    text = (value or "").strip()
    return text if pattern.fullmatch(text) else None


@router.get("/history")
def history_page(request: Request, who: SignedIn, conn: Database) -> Response:
    params = request.query_params
    status = params.get("status") if params.get("status") in TRANSMISSION_STATUSES else None
    period = _kept(params.get("period"), PERIOD)
    school = _kept(params.get("school"), MIDENT) if who.is_operator else None
    asked = params.get("before", "")
    before = int(asked) if asked.isdigit() and len(asked) <= MAX_ID_DIGITS else None
    rows = history(
        conn,
        status,
        who.scope,
        mident=school,
        period=period,
        limit=LISTED_ROWS + 1,
        before=before,
    )
    shown = rows.head(LISTED_ROWS)
    filters = {"status": status or "", "period": period or "", "school": school or ""}
    older = None
    if rows.height > LISTED_ROWS:
        kept = {name: value for name, value in filters.items() if value}
        older = f"/history?{urlencode({**kept, 'before': shown['id'][-1]})}"
    return render(
        request,
        who,
        "history.html.j2",
        rows=shown.to_dicts(),
        older=older,
        newest=f"/history?{urlencode({k: v for k, v in filters.items() if v})}"
        if before is not None
        else None,
        statuses=TRANSMISSION_STATUSES,
        status=status,
        period=period or "",
        school=school or "",
    )
