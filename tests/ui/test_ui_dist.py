"""The built UI (receiver/ui_dist, from `make ui`) keeps the serving contract the receiver relies on
(docs/ui.md, "Serving"): relative asset URLs, the base-path meta tags the server may rewrite, and the inline
script that turns the base path into <base href> before the bundle loads."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

log = logging.getLogger(__name__)

DIST = Path(__file__).resolve().parents[2] / "receiver" / "ui_dist"  # what the receiver serves and the wheel ships
INDEX = DIST / "index.html"


@pytest.fixture(autouse=True)
def _built() -> None:
    assert INDEX.exists(), "the UI is not built: `make ui` (make test builds it first)"


def test_index_references_assets_relatively_and_they_exist() -> None:
    html = INDEX.read_text(encoding="utf-8")
    refs = re.findall(r'(?:src|href)="(\./assets/[^"]+)"', html)
    assert refs, "no ./assets/ references in index.html"
    assert not re.search(r'(?:src|href)="/assets/', html), "absolute /assets/ URLs break under a prefix"
    for ref in refs:
        assert (DIST / ref[2:]).is_file(), ref


def test_index_has_the_base_path_and_api_meta_tags_the_server_may_rewrite() -> None:
    html = INDEX.read_text(encoding="utf-8")
    assert '<meta name="lineagelens-base" content="/" />' in html
    assert '<meta name="lineagelens-api" content="" />' in html
    assert "window.__LINEAGELENS__" in html


def test_base_is_set_before_the_bundle_loads() -> None:
    html = INDEX.read_text(encoding="utf-8")
    assert html.index("createElement('base')") < html.index('type="module"')


def test_the_receiver_serves_the_built_ui_under_a_prefix(tmp_path: Path) -> None:
    from tests.conftest import close_app, make_app

    app = make_app({"DATABASE_URL": f"sqlite:///{tmp_path}/s.db"})
    try:
        client = app.test_client()
        page = client.get("/lineage", environ_overrides={"SCRIPT_NAME": "/airflow/lineagelens"})
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and 'content="/airflow/lineagelens/"' in html
        asset = re.search(r'src="\./(assets/[^"]+\.js)"', html)
        assert asset, html[:500]
        script = client.get("/" + asset.group(1))
        assert script.status_code == 200 and script.mimetype in {"text/javascript", "application/javascript"}
    finally:
        close_app(app)
