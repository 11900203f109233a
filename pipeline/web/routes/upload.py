"""Uploading a file (/upload): checked at once as `ost validate` does, then queued."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from pipeline.models import SCHOOL_TIMEZONE
from pipeline.uploads import UploadRefused, next_run, receive_upload
from pipeline.web.deps import CheckedForm, SignedIn, console_state, in_work_thread
from pipeline.web.pages import render

router = APIRouter()


@router.get("/upload")
def upload_page(request: Request, who: SignedIn) -> Response:
    return render(request, who, "upload.html.j2", outcome=None)


@router.post("/upload")
async def upload_file(request: Request, who: SignedIn, form: CheckedForm) -> Response:
    state = console_state(request)
    chosen = form.get("file")
    if not isinstance(chosen, UploadFile) or not chosen.filename:
        return render(request, who, "upload.html.j2", 400, outcome=None, refused="no file")
    # One byte past the limit is enough to know it is too large (F010).
    data = await chosen.read(state.settings.max_file_bytes + 1)
    try:
        # The rules take up to a second on a large file: not on the server's event loop, but in
        # a thread of long work, the page's turn left to the others meanwhile.
        check = partial(
            receive_upload,
            chosen.filename,
            data,
            settings=state.settings,
            tables=state.tables,
            scope=who.scope,
            today=state.clock().astimezone(SCHOOL_TIMEZONE).date(),
            lang=who.lang,
        )
        outcome = await in_work_thread(request, check)
    except UploadRefused as refusal:
        return render(request, who, "upload.html.j2", 403, outcome=None, refused=str(refusal))
    when = next_run(state.settings, state.clock()) if outcome.queued else None
    return render(request, who, "upload.html.j2", outcome=outcome, next_run=when)
