"""The real OpenLineage client (openlineage-python) as the producer, against a real receiver process: its
``HttpTransport`` with ``api_key`` auth and gzip, and its asynchronous transport, the way producers send."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import schema_dataset
from openlineage.client.transport.async_http import AsyncHttpConfig, AsyncHttpTransport
from openlineage.client.transport.http import ApiKeyTokenProvider, HttpCompression, HttpConfig, HttpTransport

from tests.integrations.support import Receiver

KEY = "producer-key-for-tests"
PRODUCER = "https://github.com/OpenLineage/OpenLineage/tree/1.54.0/client/python"


@pytest.fixture(scope="module")
def receiver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Receiver]:
    found = Receiver(tmp_path_factory.mktemp("ol-client"), api_keys=KEY,
                     settings={"SECRET_KEY": "openlineage-client-tests"}).start()
    yield found
    found.stop()


def _events(job: str, runs: int) -> list[RunEvent]:
    columns = schema_dataset.SchemaDatasetFacet(fields=[
        schema_dataset.SchemaDatasetFacetFields(name="id", type="BIGINT"),
        schema_dataset.SchemaDatasetFacetFields(name="amount", type="DECIMAL(10,2)")])
    found = []
    for n in range(runs):
        run = Run(runId=str(uuid.uuid4()))
        for state in (RunState.START, RunState.COMPLETE):
            found.append(RunEvent(
                eventType=state, eventTime=datetime.now(UTC).isoformat(), run=run,
                job=Job(namespace="ol-client", name=job), producer=PRODUCER,
                inputs=[InputDataset(namespace="postgres://db:5432", name=f"public.{job}_in",
                                     facets={"schema": columns})],
                outputs=[OutputDataset(namespace="postgres://db:5432", name=f"public.{job}_out_{n % 2}")]))
    return found


def _query(receiver: Receiver, sql: str, job: str) -> list[tuple[object, ...]]:
    """Read the receiver's state database directly (what was committed, what projection made of it)."""
    engine = sa.create_engine(f"sqlite:///{receiver.workdir}/state.db")
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(sql), {"j": job})]
    finally:
        engine.dispose()


def _stored(receiver: Receiver, job: str) -> int:
    return int(_query(receiver, "SELECT count(*) FROM lineage_events WHERE job_name = :j", job)[0][0])


def test_http_transport_with_api_key_and_gzip_delivers_every_event(receiver: Receiver) -> None:
    transport = HttpTransport(HttpConfig(url=receiver.url, auth=ApiKeyTokenProvider({"apiKey": KEY}),
                                         compression=HttpCompression.GZIP))
    client = OpenLineageClient(transport=transport)
    events = _events("http_gzip", 5)
    for event in events:
        client.emit(event)  # raises on any answer but 2xx
    client.close()
    assert _stored(receiver, "http_gzip") == len(events)
    receiver.settle()
    states = _query(receiver, "SELECT state FROM runs WHERE job_name = :j", "http_gzip")
    assert states == [("COMPLETE",)] * 5


def test_http_transport_without_the_key_is_refused_and_sends_nothing(receiver: Receiver) -> None:
    client = OpenLineageClient(transport=HttpTransport(HttpConfig(url=receiver.url)))
    with pytest.raises(Exception, match="401"):
        client.emit(_events("no_key", 1)[0])
    assert _stored(receiver, "no_key") == 0


def test_async_transport_delivers_every_event_before_close_returns(receiver: Receiver) -> None:
    transport = AsyncHttpTransport(AsyncHttpConfig(url=receiver.url, auth=ApiKeyTokenProvider({"apiKey": KEY}),
                                                   compression=HttpCompression.GZIP, max_concurrent_requests=8))
    client = OpenLineageClient(transport=transport)
    events = _events("async_http", 40)
    for event in events:
        client.emit(event)
    assert transport.wait_for_completion(timeout=60)
    stats = transport.get_stats()
    client.close()
    assert stats["failed"] == 0, stats
    assert _stored(receiver, "async_http") == len(events)


def test_the_client_emits_to_the_receiver_from_its_environment_settings(receiver: Receiver,
                                                                        monkeypatch: pytest.MonkeyPatch,
                                                                        tmp_path: Path) -> None:
    """How Airflow's provider and most scripts configure it: OPENLINEAGE_URL and OPENLINEAGE_API_KEY."""
    monkeypatch.setenv("OPENLINEAGE_URL", receiver.url)
    monkeypatch.setenv("OPENLINEAGE_API_KEY", KEY)
    monkeypatch.delenv("OPENLINEAGE_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)  # no openlineage.yml around
    client = OpenLineageClient()
    for event in _events("from_env", 2):
        client.emit(event)
    client.close()
    assert _stored(receiver, "from_env") == 4
