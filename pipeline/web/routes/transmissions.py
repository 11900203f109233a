"""One transmission (/transmissions/{id}): status, counts, findings, reports, replay."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from pipeline.config import batch_options
from pipeline.lock import LockHeld
from pipeline.replay import replay_transmissions
from pipeline.store import summary_of
from pipeline.store.transmissions import transmission_in_scope
from pipeline.transmissions import findings_csv, report_download, transmission_findings
from pipeline.web.deps import (
    CheckedForm,
    Database,
    NotFound,
    Operator,
    SignedIn,
    Viewer,
    console_state,
    in_work_thread,
)
from pipeline.web.pages import render

router = APIRouter()
REPORT_NAMES = {
    f"report{'' if lang == 'en' else '.' + lang}.{extension}": (lang, extension)
    for lang in ("en", "fr")
    for extension in ("html", "json", "csv")
}


@router.get("/transmissions/{transmission_id}")
def transmission_page(
    request: Request, transmission_id: int, who: SignedIn, conn: Database
) -> Response:
    return _page(request, transmission_id, who, conn)


def _page(
    request: Request,
    transmission_id: int,
    who: SignedIn,
    conn: Database,
    status_code: int = 200,
    notice: str | None = None,
) -> Response:
    state = console_state(request)
    transmission = transmission_in_scope(conn, transmission_id, who.scope)
    if transmission is None:
        raise NotFound
    findings = transmission_findings(
        conn, state.settings.reports, transmission, who.lang, who.scope
    )
    reports = [
        name
        for name, (lang, extension) in REPORT_NAMES.items()
        if report_download(state.settings.reports, transmission_id, lang, extension)
    ]
    return render(
        request,
        who,
        "transmission.html.j2",
        status_code,
        transmission=transmission,
        summary=summary_of(transmission),
        findings=findings,
        reports=reports if who.is_operator else [],
        notice=notice or request.query_params.get("replayed"),
    )


@router.get("/transmissions/{transmission_id}/findings.csv")
def findings_download(
    request: Request, transmission_id: int, who: SignedIn, conn: Database
) -> Response:
    """Every finding as the reader may see it, with the application number."""
    state = console_state(request)
    transmission = transmission_in_scope(conn, transmission_id, who.scope)
    if transmission is None:
        raise NotFound
    findings = transmission_findings(
        conn, state.settings.reports, transmission, who.lang, who.scope, limit=None
    )
    name = f"{transmission.file_name}-{transmission_id}-findings.csv"
    return Response(
        findings_csv(findings.rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/transmissions/{transmission_id}/reports/{name}")
def report_file_download(
    request: Request, transmission_id: int, name: str, who: Operator, conn: Database
) -> Response:
    """A stored report as the run wrote it (operators: it holds matching details)."""
    state = console_state(request)
    if name not in REPORT_NAMES or transmission_in_scope(conn, transmission_id, who.scope) is None:
        raise NotFound
    path = report_download(state.settings.reports, transmission_id, *REPORT_NAMES[name])
    if path is None:
        raise NotFound
    return FileResponse(path, filename=f"{transmission_id}-{name}")


@router.post("/transmissions/{transmission_id}/replay")
async def replay(
    request: Request, transmission_id: int, who: Operator, _form: CheckedForm
) -> Response:
    """`ost replay ID` for a failed transmission, in a thread of long work."""
    try:
        status = await in_work_thread(request, partial(_replayed, request, transmission_id, who))
    except LockHeld:
        busy = partial(_page_read, request, transmission_id, who, 409, "batch_running")
        return await run_in_threadpool(busy)
    return RedirectResponse(f"/transmissions/{transmission_id}?replayed={status}", status_code=303)


def _replayed(request: Request, transmission_id: int, who: Viewer) -> str:
    """The status the transmission ends in; NotFound when not the operator's to replay."""
    state = console_state(request)
    with state.engine.connect() as conn:  # closed before the replay writes
        if transmission_in_scope(conn, transmission_id, who.scope) is None:
            raise NotFound
    options = batch_options(trigger="replay")
    results = replay_transmissions(state.ingest_context(), [transmission_id], options)
    return results[0].status if results else "-"


def _page_read(
    request: Request, transmission_id: int, who: Viewer, status_code: int, notice: str
) -> Response:
    with console_state(request).engine.connect() as conn:
        return _page(request, transmission_id, who, conn, status_code, notice)
