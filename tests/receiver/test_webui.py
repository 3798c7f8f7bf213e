"""The receiver serves the UI build: files as they are, index.html for UI routes, the mount point injected."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from tests.conftest import close_app, make_app

INDEX = '<html><head><meta name="lineagelens-base" content="/" /></head><body>ui</body></html>'


@pytest.fixture
def ui_client(tmp_path: Path) -> FlaskClient:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text(INDEX)
    (dist / "assets" / "app-1234.js").write_text("console.log(1)")
    app = make_app({"DATABASE_URL": f"sqlite:///{tmp_path}/s.db", "LINEAGELENS_UI_DIR": str(dist)})
    yield app.test_client()
    close_app(app)


def test_ui_routes_fall_back_to_index_with_the_base_path(ui_client: FlaskClient) -> None:
    for path in ("/", "/lineage", "/dashboards/123", "/datasets/gs%3A%2F%2Fbucket/test.csv"):
        response = ui_client.get(path)
        assert response.status_code == 200 and 'content="/"' in response.get_data(as_text=True)
    mounted = ui_client.get("/dashboards/1", environ_overrides={"SCRIPT_NAME": "/lineagelens"})
    assert 'content="/lineagelens/"' in mounted.get_data(as_text=True)


def test_assets_are_served_and_cached(ui_client: FlaskClient) -> None:
    response = ui_client.get("/assets/app-1234.js")
    assert response.get_data(as_text=True) == "console.log(1)" and "immutable" in response.headers["Cache-Control"]
    assert ui_client.get("/assets/missing.js").status_code == 404
    assert "root:" not in ui_client.get("/../../etc/passwd").get_data(as_text=True)
    assert ui_client.get("/assets/../../s.db").status_code == 404


def test_api_paths_never_fall_back_to_the_ui(ui_client: FlaskClient) -> None:
    response = ui_client.get("/api/v1/nothing-here")
    assert response.status_code == 404 and response.get_json()["code"] == "not_found"
    assert ui_client.get("/healthz").get_json() == {"status": "ok"}


def test_without_a_build_the_root_explains_how_to_get_one(tmp_path: Path) -> None:
    app = make_app({"DATABASE_URL": f"sqlite:///{tmp_path}/s.db", "LINEAGELENS_UI_DIR": str(tmp_path / "none")})
    try:
        response = app.test_client().get("/")
        assert response.status_code == 503 and "make ui" in response.get_data(as_text=True)
    finally:
        close_app(app)
