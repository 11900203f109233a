"""A school sees only its own schools: the whole route table walked as a school user against
another school's ids gives 404, and lists never show another school's rows."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import compile_path

from pipeline.web.app import ROUTERS
from tests.web.conftest import Console, token
from tests.web.ids import applicant_only_of, held_record_id, transmission_id

CLERK_SCHOOL, OTHER_SCHOOL = "885827", "871234"


def route_table(console: Console) -> list[tuple[str, str, set[str]]]:
    """(method, path, parameter names) of every page and action of the console (the app
    includes exactly the routers of ROUTERS)."""
    found = []
    for route in (route for module in ROUTERS for route in module.router.routes):
        if isinstance(route, APIRoute):
            _, _, params = compile_path(route.path)
            for method in sorted(route.methods):
                found.append((method, route.path, set(params)))
    return found


def others_ids(console: Console) -> dict[str, str]:
    engine = console.state.engine
    return {
        "transmission_id": str(transmission_id(engine, OTHER_SCHOOL)),
        "application_number": applicant_only_of(engine, OTHER_SCHOOL, [CLERK_SCHOOL]),
        "name": "report.html",
        "record_id": str(held_record_id(engine)),
    }


def filled(path: str, ids: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1).split(":")[0]
        if name not in ids:
            pytest.fail(f"the isolation walk has no id for {{{name}}} in {path}: add one")
        return ids[name]

    return re.sub(r"\{([^}]+)\}", value, path)


def test_every_route_with_an_id_is_not_found_for_another_schools_id(
    console: Console, clerk_client: TestClient
) -> None:
    ids = others_ids(console)
    walked = []
    for method, path, params in route_table(console):
        if not params:
            continue
        url = filled(path, ids)
        if method == "GET":
            response = clerk_client.get(url)
        else:
            response = clerk_client.post(url, data={"csrf_token": token(clerk_client, "/upload")})
        assert response.status_code == 404, (method, url, response.status_code)
        walked.append((method, path))
    # Every kind of page with an id was walked: transmissions, downloads, replay, applicants.
    assert len(walked) >= 5, walked


def test_the_same_ids_open_for_an_operator(console: Console, operator_client: TestClient) -> None:
    """The walk can fail: the ids it uses are real pages for someone allowed to see them."""
    ids = others_ids(console)
    for method, path, params in route_table(console):
        if params and method == "GET":
            response = operator_client.get(filled(path, ids))
            assert response.status_code == 200, (path, response.status_code)


def test_the_history_lists_only_the_schools_own_files(
    console: Console, clerk_client: TestClient, operator_client: TestClient
) -> None:
    mine = clerk_client.get("/history").text
    assert "S885827.C1" in mine
    assert "S871234.C1" not in mine and "S880012.C3" not in mine
    # A school filter from a school user is ignored rather than widening the scope.
    assert "S871234.C1" not in clerk_client.get("/history?school=871234").text
    everything = operator_client.get("/history").text
    assert all(name in everything for name in ("S885827.C1", "S871234.C1", "S880012.C3"))
    assert "S885827.C1" not in operator_client.get("/history?school=871234").text


def test_a_board_sees_each_of_its_schools(console: Console) -> None:
    from tests.web.conftest import sign_in

    with console.client() as board:
        sign_in(board, "board")
        page = board.get("/history").text
        assert "S871234.C1" in page and "S880012.C3" in page and "S885827.C1" not in page
        own = transmission_id(console.state.engine, "880012")
        assert board.get(f"/transmissions/{own}").status_code == 200
        clerks = transmission_id(console.state.engine, CLERK_SCHOOL)
        assert board.get(f"/transmissions/{clerks}").status_code == 404


def test_applicant_search_finds_only_the_schools_students(
    console: Console, clerk_client: TestClient, operator_client: TestClient
) -> None:
    other = applicant_only_of(console.state.engine, OTHER_SCHOOL, [CLERK_SCHOOL])
    assert f'/applicants/{other}"' not in clerk_client.get(f"/applicants?q={other}").text
    assert f'/applicants/{other}"' in operator_client.get(f"/applicants?q={other}").text
    own = applicant_only_of(console.state.engine, CLERK_SCHOOL, [OTHER_SCHOOL])
    assert f'/applicants/{own}"' in clerk_client.get(f"/applicants?q={own}").text


def test_a_school_cannot_upload_another_schools_file(
    console: Console, clerk_client: TestClient
) -> None:
    sample = next(p for p in (console.settings.archive).iterdir() if "S871234" in p.name)
    response = clerk_client.post(
        "/upload",
        data={"csrf_token": token(clerk_client, "/upload")},
        files={"file": ("S871234.C1", sample.read_bytes())},
    )
    assert response.status_code == 403
    assert "871234" in response.text
    assert list(console.settings.inbox.iterdir()) == []
    # Renamed to the school's own name, the header still tells whose file it is.
    renamed = clerk_client.post(
        "/upload",
        data={"csrf_token": token(clerk_client, "/upload")},
        files={"file": ("S885827.C9", sample.read_bytes())},
    )
    assert renamed.status_code == 403
    assert list(console.settings.inbox.iterdir()) == []


# Pages that take a school in their query rather than in their path.
SCHOOL_IN_QUERY = {"/reports/applicant-status.xlsx": "mident"}


def test_pages_taking_a_school_in_the_query_are_not_found_for_another_school(
    clerk_client: TestClient,
) -> None:
    for path, parameter in SCHOOL_IN_QUERY.items():
        response = clerk_client.get(f"{path}?{parameter}={OTHER_SCHOOL}")
        assert response.status_code == 404, path
        assert clerk_client.get(f"{path}?{parameter}={CLERK_SCHOOL}").status_code == 200
