"""The review queue (/review, /review/{record_id}): held students beside their candidates,
accepted, rejected, linked or unlinked with a reason, as `ost review` does (operators)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from pipeline.database import Engine
from pipeline.review import review_case, review_item, review_queue_page
from pipeline.review_actions import ReviewOutcome, ReviewRefused, accept, link, reject, unlink
from pipeline.review_comparisons import CASES_AHEAD
from pipeline.web.deps import CheckedForm, NotFound, Operator, console_state
from pipeline.web.pages import render

router = APIRouter()
MIDENT = re.compile(r"[0-9]{6}")
HELD_CODES = ("A001", "A002", "A003", "A009")
QUEUE_PAGE = 100  # docs/console.md: held students a page
MAX_START_DIGITS = 9


def _text(form: dict[str, Any], name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


@router.get("/review")
def queue_page(request: Request, who: Operator) -> Response:
    return _queue(request, who)


def _queue(request: Request, who: Operator, status_code: int = 200, **context: Any) -> Response:
    params = request.query_params
    mident = params.get("mident") if MIDENT.fullmatch(params.get("mident") or "") else None
    code = params.get("code") if params.get("code") in HELD_CODES else None
    asked = params.get("start", "")
    start = int(asked) if asked.isdigit() and len(asked) <= MAX_START_DIGITS else 0
    engine, scope = console_state(request).engine, [mident] if mident else None
    page = review_queue_page(engine, scope, code, start, QUEUE_PAGE)
    filters = {"mident": mident or "", "code": code or ""}
    decided = params.get("decided")
    context.setdefault("decided", decided if decided in ("reject", "unlink") else None)
    return render(
        request,
        who,
        "review_queue.html.j2",
        status_code,
        items=page.items,
        first=page.start + 1,
        last=page.start + len(page.items),
        total=page.total,
        earlier=_queue_url(filters, max(0, start - QUEUE_PAGE)) if start > 0 else None,
        later=_queue_url(filters, start + QUEUE_PAGE) if start + QUEUE_PAGE < page.total else None,
        mident=mident or "",
        code=code,
        codes=HELD_CODES,
        **context,
    )


def _queue_url(filters: dict[str, str], start: int) -> str:
    kept = {name: value for name, value in filters.items() if value}
    return f"/review?{urlencode({**kept, 'start': start})}"


@router.get("/review/{record_id}")
def case_page(request: Request, record_id: int, who: Operator) -> Response:
    return _case(request, record_id, who)


def _case(
    request: Request, record_id: int, who: Operator, status_code: int = 200, **context: Any
) -> Response:
    case = review_case(console_state(request).engine, record_id, ahead=CASES_AHEAD)
    if case is None:
        raise NotFound
    return render(request, who, "review_case.html.j2", status_code, case=case, **context)


def _done(outcome: ReviewOutcome) -> Response:
    """After a decision that merged courses, the applicant's record shows them."""
    target = f"/applicants/{outcome.application_number}?decided={outcome.action}"
    if outcome.action in ("reject", "unlink"):
        target = f"/review?decided={outcome.action}"
    return RedirectResponse(target, status_code=303)


@router.post("/review/{record_id}/accept")
def accept_candidate(
    request: Request, record_id: int, who: Operator, form: CheckedForm
) -> Response:
    return _decide(request, record_id, who, form, accept)


@router.post("/review/{record_id}/reject")
def reject_candidate(
    request: Request, record_id: int, who: Operator, form: CheckedForm
) -> Response:
    return _decide(request, record_id, who, form, reject)


def _decide(
    request: Request, record_id: int, who: Operator, form: dict[str, Any], action: Any
) -> Response:
    engine = console_state(request).engine
    if review_item(engine, record_id) is None:  # the decision compares the pairs itself
        raise NotFound
    assert who.account is not None
    try:
        outcome = action(
            engine, record_id, _text(form, "applicant"), who.account.name, _text(form, "reason")
        )
    except ReviewRefused as refused:
        return _case(request, record_id, who, 400, refused=str(refused))
    return _done(outcome)


@router.post("/review/link")
def link_student(request: Request, who: Operator, form: CheckedForm) -> Response:
    student, number = _text(form, "mident"), _text(form, "student_number")
    applicant, reason = _text(form, "applicant"), _text(form, "reason")
    return _from_queue(
        request, who, lambda engine, by: link(engine, student, number, applicant, by, reason)
    )


@router.post("/review/unlink")
def unlink_student(request: Request, who: Operator, form: CheckedForm) -> Response:
    student, number, reason = (
        _text(form, "mident"),
        _text(form, "student_number"),
        _text(form, "reason"),
    )
    return _from_queue(request, who, lambda engine, by: unlink(engine, student, number, by, reason))


def _from_queue(
    request: Request, who: Operator, decision: Callable[[Engine, str], ReviewOutcome]
) -> Response:
    """A decision taken from the queue page, by the signed-in operator."""
    assert who.account is not None
    try:
        outcome = decision(console_state(request).engine, who.account.name)
    except ReviewRefused as refused:
        return _queue(request, who, 400, refused=str(refused))
    return _done(outcome)
