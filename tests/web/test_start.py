"""`ost serve` prepares the console before the first request: every template compiled, the
review queue read and a comparison made once, on a database with held students or none; and it
makes as many pages at once as it is told, the others waiting their turn, while long work (an
upload's check, a replay), a form arriving and a file being sent give their turn back."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import anyio
from fastapi import Request
from fastapi.responses import StreamingResponse
from fastapi.testclient import TestClient

from pipeline.config import Settings, default_page_turns, load_settings
from pipeline.database import Engine, open_database
from pipeline.web.app import console_from_settings
from pipeline.web.deps import in_work_thread
from pipeline.web.pages import environment
from tests.web.conftest import sign_in


def test_the_console_compiles_its_templates_at_start(
    console_settings: Settings, engine_with_samples: Engine
) -> None:
    environment().cache.clear()
    app = console_from_settings(console_settings, engine_with_samples)
    compiled = {template.name for template in environment().cache.values()}
    assert compiled == set(environment().list_templates(extensions=["j2"]))
    with TestClient(app, follow_redirects=True) as client:
        sign_in(client, "ops")
        assert client.get("/review").status_code == 200


def test_an_empty_database_starts_too(tmp_path: Path) -> None:
    settings = load_settings(
        {"OST_HOME": str(tmp_path), "OST_DATABASE_URL": f"sqlite:///{tmp_path / 'ost.sqlite3'}"}
    )
    engine = open_database(settings.database_url)
    try:
        app = console_from_settings(settings, engine)
        with TestClient(app) as client:
            assert client.get("/login").status_code == 200
    finally:
        engine.dispose()


def test_pages_are_made_as_many_at_a_time_as_asked(
    console_settings: Settings, engine_with_samples: Engine
) -> None:
    app = console_from_settings(console_settings, engine_with_samples, page_turns=2)
    lock, inside, most = threading.Lock(), [0], [0]

    @app.get("/slow-page")
    def slow_page() -> dict[str, int]:  # a page that takes 50 ms, counting those made with it
        with lock:
            inside[0] += 1
            most[0] = max(most[0], inside[0])
        time.sleep(0.05)
        with lock:
            inside[0] -= 1
        return {}

    with TestClient(app) as client, ThreadPoolExecutor(6) as browsers:
        answers = list(browsers.map(lambda _: client.get("/slow-page").status_code, range(6)))
    assert answers == [200] * 6
    assert most[0] == 2


def test_by_default_one_more_page_at_a_time_than_cores(
    console_settings: Settings, engine_with_samples: Engine
) -> None:
    app = console_from_settings(console_settings, engine_with_samples)
    assert app.state.console.page_turns == default_page_turns() >= 2


def test_long_work_does_not_hold_the_pages_up(
    console_settings: Settings, engine_with_samples: Engine
) -> None:
    app = console_from_settings(console_settings, engine_with_samples, page_turns=1)
    started, release = threading.Event(), threading.Event()

    def long_work() -> int:  # as an upload's check of a large file
        started.set()
        assert release.wait(10)
        return 1

    @app.get("/long-work")
    async def long_work_page(request: Request) -> dict[str, int]:
        return {"done": await in_work_thread(request, long_work)}

    with TestClient(app) as client, ThreadPoolExecutor(2) as browsers:
        working = browsers.submit(client.get, "/long-work")
        try:
            assert started.wait(10)
            # The only turn is free: a page is made while the long work goes on.
            page = browsers.submit(client.get, "/login")
            assert page.result(timeout=5).status_code == 200
            assert not working.done()
        finally:
            release.set()
        assert working.result(10).json() == {"done": 1}


def test_a_file_being_sent_does_not_hold_a_turn(
    console_settings: Settings, engine_with_samples: Engine
) -> None:
    app = console_from_settings(console_settings, engine_with_samples, page_turns=1)
    release = threading.Event()

    def slow_file() -> Iterator[bytes]:  # a download to a slow browser
        yield b"first part"
        assert release.wait(10)
        yield b"rest"

    @app.get("/slow-download")
    def slow_download() -> StreamingResponse:
        return StreamingResponse(slow_file())

    with TestClient(app) as client, ThreadPoolExecutor(2) as browsers:
        sending = browsers.submit(client.get, "/slow-download")
        try:
            time.sleep(0.2)  # the answer has started and its body waits
            page = browsers.submit(client.get, "/login")
            assert page.result(timeout=5).status_code == 200
        finally:
            release.set()
        assert sending.result(10).content == b"first partrest"


def test_a_form_arriving_slowly_does_not_hold_a_turn(
    console_settings: Settings, engine_with_samples: Engine
) -> None:
    app = console_from_settings(console_settings, engine_with_samples, page_turns=1)

    def scope(method: str, path: str, body_type: bytes = b"") -> dict[str, object]:
        headers = [(b"host", b"127.0.0.1")] + ([(b"content-type", body_type)] if body_type else [])
        return {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
            "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
            "query_string": b"", "root_path": "", "headers": headers,
            "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000),
        }  # fmt: skip

    async def scenario() -> int:
        form_arrives = anyio.Event()
        answers: list[dict[str, object]] = []

        async def slow_form() -> dict[str, object]:  # an upload over a slow line
            await form_arrives.wait()
            return {"type": "http.request", "body": b"csrf_token=x", "more_body": False}

        async def no_body() -> dict[str, object]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def kept(message: dict[str, object]) -> None:
            answers.append(message)

        async with anyio.create_task_group() as browsers:
            form = scope("POST", "/login", b"application/x-www-form-urlencoded")
            browsers.start_soon(app, form, slow_form, kept)
            await anyio.sleep(0.2)
            with anyio.fail_after(5):  # the only turn is free while the form arrives
                await app(scope("GET", "/login"), no_body, kept)
            status = next(m["status"] for m in answers if m["type"] == "http.response.start")
            form_arrives.set()
        return int(str(status))

    assert anyio.run(scenario) == 200
