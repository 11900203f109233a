"""The glossary of finding codes (/glossary), as `ost glossary` prints it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from error_glossary import glossary, render_message
from pipeline.web.deps import Anyone
from pipeline.web.pages import render

router = APIRouter()


@router.get("/glossary")
def glossary_page(request: Request, who: Anyone) -> Response:
    entries = [
        {
            "code": item.code,
            "severity": item.severity,
            "title": item.title[who.lang],
            "example": render_message(item.code, who.lang, item.sample),
            "action": item.action[who.lang],
        }
        for item in glossary().values()
    ]
    return render(request, who, "glossary.html.j2", entries=entries)
