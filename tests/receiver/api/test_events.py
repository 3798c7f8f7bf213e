"""``GET /api/v1/events/lineage``: raw events from the event log, windowed, ordered and paged."""

from __future__ import annotations

import uuid

from tests.conftest import post_events

TIMES = ["2024-05-01T10:00:00Z", "2024-05-02T10:00:00Z", "2024-05-03T10:00:00Z"]


def _post_three(client, run_event) -> list[str]:
    ids = [str(uuid.uuid4()) for _ in TIMES]
    post_events(client, [run_event(run_id=r, time=t) for r, t in zip(ids, TIMES, strict=True)])
    return ids


def _run_ids(body) -> list[str]:
    return [e["run"]["runId"] for e in body["events"]]


def test_events_are_the_raw_events_newest_first(client, run_event):
    ids = _post_three(client, run_event)
    body = client.get("/api/v1/events/lineage").get_json()
    assert body["totalCount"] == 3
    assert _run_ids(body) == ids[::-1]
    assert body["events"][0]["eventTime"] == TIMES[2]
    assert body["events"][0]["job"] == {"namespace": "etl", "name": "load", "facets": {}}


def test_sort_direction_asc_gives_oldest_first(client, run_event):
    ids = _post_three(client, run_event)
    assert _run_ids(client.get("/api/v1/events/lineage?sortDirection=asc").get_json()) == ids


def test_since_and_until_bound_the_event_time_and_marquez_names_work_too(client, run_event):
    ids = _post_three(client, run_event)
    body = client.get("/api/v1/events/lineage?since=2024-05-02T00:00:00Z&until=2024-05-02T23:00:00Z").get_json()
    assert _run_ids(body) == [ids[1]] and body["totalCount"] == 1
    marquez = client.get("/api/v1/events/lineage?after=2024-05-02T00:00:00%2B00:00").get_json()
    assert _run_ids(marquez) == [ids[2], ids[1]]


def test_events_page_with_limit_and_offset(client, run_event):
    ids = _post_three(client, run_event)
    body = client.get("/api/v1/events/lineage?limit=1&offset=1").get_json()
    assert _run_ids(body) == [ids[1]] and body["totalCount"] == 3


def test_bad_window_or_direction_is_400_naming_the_parameter(client):
    for query, name in [("since=yesterday", "since"), ("sortDirection=sideways", "sortDirection"),
                        ("limit=5000", "limit")]:
        response = client.get(f"/api/v1/events/lineage?{query}")
        assert response.status_code == 400, query
        assert [e["path"] for e in response.get_json()["errors"]] == [name]
