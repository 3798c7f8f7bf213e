"""The served OpenAPI document and docs page cover every route."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient


def test_openapi_lists_every_route_and_method(app: Flask, client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            assert method.lower() in document["paths"][path], f"{method} {path} missing"


def test_openapi_documents_query_parameters_from_the_view_schemas(client: FlaskClient) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    search = {p["name"]: p for p in paths["/api/v1/search"]["get"]["parameters"]}
    assert search["q"]["required"] is True and search["limit"]["schema"]["maximum"] == 500
    path = {p["name"] for p in paths["/api/v1/lineage/path"]["get"]["parameters"]}
    assert {"from", "to", "maxDepth"} <= path
    for operations in paths.values():
        for op in operations.values():
            assert op["summary"] and op["responses"]["default"]["content"]


def test_docs_page_is_browsable_html(client: FlaskClient) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "/api/v1/lineage/upstream" in response.get_data(as_text=True)
