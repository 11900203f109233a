"""Reports (/reports): the applicant status workbook, as `ost report applicant-status` writes it."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import Response

from pipeline.applicant_status import applicant_status_by_school
from pipeline.web.deps import Database, NotFound, SignedIn
from pipeline.web.pages import render
from pipeline.workbook import write_status_workbook

router = APIRouter()
MIDENT = re.compile(r"[0-9]{6}")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/reports")
def reports_page(request: Request, who: SignedIn) -> Response:
    return render(request, who, "reports.html.j2")


@router.get("/reports/applicant-status.xlsx")
def applicant_status_workbook(request: Request, who: SignedIn, conn: Database) -> Response:
    """One sheet per school asked; a school may ask only for its own (others: not found)."""
    midents = [m.strip() for m in request.query_params.getlist("mident") if m.strip()]
    if not who.is_operator and not midents:
        midents = sorted(who.scope.midents or ())
    if not midents or not all(MIDENT.fullmatch(m) for m in midents):
        return render(request, who, "reports.html.j2", 400, refused=True)
    if not all(who.scope.allows(mident) for mident in midents):
        raise NotFound
    reports = applicant_status_by_school(conn, midents)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "applicant-status.xlsx"
        write_status_workbook(reports, path)
        body = path.read_bytes()
    name = f"applicant-status-{'-'.join(dict.fromkeys(midents))}.xlsx"
    return Response(
        body, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
