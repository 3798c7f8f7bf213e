"""The one helper that turns marshmallow's nested error messages into ``errors[]``."""

from __future__ import annotations

from lineagelens.receiver.errors import validation_errors

NESTED = {"run": {"runId": ["Not a UUID."]}, "inputs": {0: {"name": ["Missing data for required field."]}},
          "_schema": ["Bad shape.", "Really."]}


def test_json_paths_name_every_nested_field_and_list_index() -> None:
    assert validation_errors(NESTED) == [
        {"path": "$.run.runId", "message": "Not a UUID."},
        {"path": "$.inputs[0].name", "message": "Missing data for required field."},
        {"path": "$", "message": "Bad shape. Really."},
    ]


def test_dotted_paths_under_a_root_for_request_bodies_and_configs() -> None:
    assert validation_errors({"host": ["Required."], "tls": {"ca": ["Bad."]}}, root="config") == [
        {"path": "config.host", "message": "Required."}, {"path": "config.tls.ca", "message": "Bad."}]
    assert validation_errors({"nodes": {0: {"ref": ["Unknown."]}}}, root="") == [
        {"path": "nodes.0.ref", "message": "Unknown."}]
