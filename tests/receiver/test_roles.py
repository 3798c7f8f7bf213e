"""Process roles: one image, several kinds of process (``lineagelens serve --role``), so a chart can scale the
API apart from the background work; and a graceful stop lets the current projection batch finish."""

from __future__ import annotations

from pathlib import Path

import pytest

from lineagelens.receiver import services
from lineagelens.receiver.projection.projector import Projector
from lineagelens.receiver.wiring import runs_work
from tests.conftest import close_app, make_app
from tests.factories import chain_events


@pytest.mark.parametrize(("role", "enabled", "expected"), [
    ("all", True, (True, True)), ("api", True, (False, False)), ("worker", True, (True, False)),
    ("scheduler", True, (False, True)), ("all", False, (False, False)), ("worker", False, (False, False)),
])
def test_each_role_runs_only_its_part(role: str, enabled: bool, expected: tuple[bool, bool]) -> None:
    assert runs_work({"ROLE": role, "WORKER_ENABLED": enabled}) == expected


def test_an_unknown_role_stops_the_start() -> None:
    with pytest.raises(ValueError, match="LINEAGELENS_ROLE"):
        runs_work({"ROLE": "everything", "WORKER_ENABLED": True})


@pytest.mark.parametrize(("role", "projects", "checks_health"), [
    ("api", False, False), ("worker", True, False), ("scheduler", False, True), ("all", True, True)])
def test_an_app_starts_the_threads_of_its_role(tmp_path: Path, role: str, projects: bool,
                                               checks_health: bool) -> None:
    app = make_app({"DATABASE_URL": f"sqlite:///{tmp_path}/r.db", "WORKER_ENABLED": True, "ROLE": role,
                    "ALERTS_ENABLED": False})
    try:
        s = services.get(app)
        assert s.worker.running is projects
        assert s.health.running is checks_health
    finally:
        close_app(app)


def test_an_api_process_still_answers_a_request_that_waits_for_the_graph(tmp_path: Path) -> None:
    app = make_app({"DATABASE_URL": f"sqlite:///{tmp_path}/a.db", "WORKER_ENABLED": True, "ROLE": "api",
                    "PROJECTION_MODE": "background"})
    try:
        event = chain_events(1)[0]
        answer = app.test_client().post("/api/v1/lineage", json=event, headers={"Prefer": "wait=projected"})
        assert answer.status_code == 201 and answer.get_json()["projected"] is True
    finally:
        close_app(app)


def test_a_stopping_drain_finishes_its_batch_and_leaves_the_rest_pending(tmp_path: Path) -> None:
    app = make_app({"DATABASE_URL": f"sqlite:///{tmp_path}/d.db", "PROJECTION_MODE": "background",
                    "PROJECTION_BATCH_SIZE": 10})
    try:
        s = services.get(app)
        app.test_client().post("/api/v1/lineage/batch", json=chain_events(20))  # 40 events, unprojected
        projector: Projector = s.projector
        batches: list[int] = []
        result = projector.drain(progress=batches.append, stopping=lambda: len(batches) >= 1)
        assert result.projected == 10 and s.events.backlog() == 30
    finally:
        close_app(app)
