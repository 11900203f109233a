"""`ost serve` prepares the console before the first request: every template compiled, the
review queue read and a comparison made once, on a database with held students or none."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from pipeline.config import Settings, load_settings
from pipeline.database import Engine, open_database
from pipeline.web.app import console_from_settings
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
