"""What the evaluator reads per pass: durations and event facets prefetched for a whole pass answer exactly
like one query per run, without those queries."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tests.receiver.alerts.support import NS, T0, alert_app, alerts, dataset, post, run


@contextmanager
def statements(engine: sa.Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def test_prefetched_durations_answer_like_one_query_per_run(tmp_path: Path) -> None:
    app = alert_app(tmp_path)
    client = app.test_client()
    for i in range(12):  # two jobs, runs of growing length, one hour apart
        post(client, run("a", "COMPLETE", start=T0 + timedelta(hours=i), seconds=60 + i))
        post(client, run("b", "COMPLETE", start=T0 + timedelta(hours=i), seconds=300 - i))
    post(client, run("a", "FAIL", start=T0 + timedelta(hours=12), seconds=5))  # failed runs are no history
    facts = alerts(app).facts
    with facts.engine.connect() as conn:
        ids = list(conn.scalars(sa.text("SELECT run_id FROM runs ORDER BY started_at")))
    finished = list(facts.runs(ids).values())
    latest = {job: max((r for r in finished if r.job == ("etl", job)), key=lambda r: r.started_at)
              for job in ("a", "b")}
    # the pass holds each job's latest run; the prefetch reaches 5 runs back (+ the pass's own runs)
    near = [(("etl", job), last.started_at, limit, last.run_id) for job, last in latest.items() for limit in (1, 3, 5)]
    far = [(("etl", job), last.started_at - timedelta(hours=h), limit, "")
           for job, last in latest.items() for h, limit in ((2, 3), (4, 5), (0, 20))]
    expected = [facts.durations(job, before=before, limit=limit, exclude=ex) for job, before, limit, ex in near + far]
    assert expected[0] != expected[2] and len(expected[-1]) == 11  # the asks differ: the comparison means something
    with facts.durations_prefetched(list(latest.values()), 5), statements(facts.engine) as seen:
        answers = [facts.durations(job, before=before, limit=limit, exclude=ex) for job, before, limit, ex in near]
        assert seen == []  # answered from the prefetch
        answers += [facts.durations(job, before=before, limit=limit, exclude=ex) for job, before, limit, ex in far]
        assert 0 < len(seen) <= len(far)  # reaching further back than the prefetch: the database answers
    assert answers == expected


def test_prefetched_facets_are_the_facets_of_each_run(tmp_path: Path) -> None:
    app = alert_app(tmp_path)
    client = app.test_client()
    stats = {"outputStatistics": {"_producer": "p", "_schemaURL": "https://x/OutputStatisticsOutputDatasetFacet.json",
                                  "rowCount": 10}}
    for i in range(3):
        post(client, run(f"j{i}", "COMPLETE", start=T0 + timedelta(minutes=i),
                         outputs=[dataset(f"out_{i}", output_facets={**stats, "outputStatistics": {
                             **stats["outputStatistics"], "rowCount": 10 * (i + 1)}})]))
    facts = alerts(app).facts
    with facts.engine.connect() as conn:
        ids = list(conn.scalars(sa.text("SELECT run_id FROM runs")))
    one_by_one = {i: facts.dataset_facets_of_runs([i])[i] for i in ids}
    counts = [f[(NS, n)]["outputStatistics"]["rowCount"] for f in one_by_one.values() for (_, n) in f]
    assert sorted(counts) == [10, 20, 30]
    with facts.facets_prefetched(ids), statements(facts.engine) as seen:
        prefetched = {i: facts.dataset_facets_of_runs([i])[i] for i in ids}
    assert prefetched == one_by_one and seen == []
