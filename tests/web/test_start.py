"""`ost serve` prepares the console before the first request: every template compiled, the
review queue read and a comparison made once, on a database with held students or none; and it
makes as many pages at once as it is told, the others waiting their turn, while long work (an
upload's check, a replay) has threads of its own."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from fastapi import Request
from fastapi.testclient import TestClient

from pipeline.config import Settings, default_console_threads, load_settings
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
    app = console_from_settings(console_settings, engine_with_samples, page_threads=2)
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
    assert app.state.console.page_threads == default_console_threads() >= 2


def test_long_work_does_not_hold_the_pages_up(
    console_settings: Settings, engine_with_samples: Engine
) -> None:
    app = console_from_settings(console_settings, engine_with_samples, page_threads=1)
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
            # The only page thread is free: a page is made while the long work goes on.
            page = browsers.submit(client.get, "/login")
            assert page.result(timeout=5).status_code == 200
            assert not working.done()
        finally:
            release.set()
        assert working.result(10).json() == {"done": 1}
