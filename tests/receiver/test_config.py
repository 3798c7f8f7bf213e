"""Settings: declared once, layered (defaults < file < environment < overrides), all documented."""

from __future__ import annotations

import json
from pathlib import Path

from lineagelens.receiver import config

ROOT = Path(__file__).resolve().parents[2]


def test_every_setting_is_documented() -> None:
    docs = (ROOT / "docs" / "configuration.md").read_text()
    for row in config.describe():
        assert f"`{row['env']}`" in docs, f"{row['env']} missing from docs/configuration.md"


def test_layers_override_in_order(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"LINEAGELENS_MAX_DEPTH": 7, "STRICT_FACETS": True, "PORT": 1}))
    env = {"LINEAGELENS_CONFIG": str(path), "LINEAGELENS_MAX_DEPTH": "9", "LINEAGELENS_MAX_NODES": "10"}
    values = config.load({"MAX_NODES": 11}, environ=env)
    assert values["STRICT_FACETS"] is True and values["MAX_DEPTH"] == 9 and values["MAX_NODES"] == 11
    assert "PORT" not in values


def test_environment_values_are_parsed_to_their_types() -> None:
    values = config.load(environ={"LINEAGELENS_STRICT_FACETS": "yes", "LINEAGELENS_WORKER_MAX_BACKOFF": "2.5"})
    assert values["STRICT_FACETS"] is True and values["WORKER_MAX_BACKOFF"] == 2.5
