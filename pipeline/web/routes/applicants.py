"""Applicants: search (/applicants?q=...) and the record (/applicants/{application_number})."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from pipeline.applicant_search import SEARCH_LIMIT, applicant_record, search_applicants
from pipeline.web.deps import Database, NotFound, SignedIn
from pipeline.web.pages import render

router = APIRouter()
MAX_QUERY = 100
MAX_ID_DIGITS = 19  # a change id beyond this is no change of ours
DECISIONS = ("accept", "reject", "link", "unlink")  # an operator's review decision just made


@router.get("/applicants")
def applicants_page(request: Request, who: SignedIn, conn: Database) -> Response:
    query = (request.query_params.get("q") or "")[:MAX_QUERY]
    found = search_applicants(conn, query, who.scope)
    return render(request, who, "applicants.html.j2", query=query, found=found, limit=SEARCH_LIMIT)


@router.get("/applicants/{application_number}")
def applicant_page(
    request: Request, application_number: str, who: SignedIn, conn: Database
) -> Response:
    before = request.query_params.get("before", "")
    older_than = int(before) if before.isdigit() and len(before) < MAX_ID_DIGITS else None
    record = applicant_record(conn, application_number, who.scope, older_than)
    if record is None:
        raise NotFound
    decided = request.query_params.get("decided")
    return render(
        request,
        who,
        "applicant.html.j2",
        record=record,
        application_number=application_number,
        older_than=older_than,
        decided=decided if decided in DECISIONS and who.is_operator else None,
    )
