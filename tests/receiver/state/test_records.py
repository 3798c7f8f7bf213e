"""Projected records merge in any order to the same result: per facet key, the later event wins."""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from lineagelens.receiver.openlineage.model import RunState
from lineagelens.receiver.state.records import DatasetRecord, JobRecord, RunRecord, TimedFacets, VersionRecord

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def test_facets_merge_to_the_latest_value_per_key_and_ties_the_same_way_in_any_order() -> None:
    rng = random.Random(7)
    for _ in range(200):
        parts = [TimedFacets.of({k: {"v": rng.randint(0, 3)} for k in rng.sample("abcde", rng.randint(1, 5))},
                                T0 + timedelta(minutes=rng.randint(0, 2))) for _ in range(4)]
        merged = parts[0].merge(parts[1]).merge(parts[2]).merge(parts[3])
        for order in ([3, 2, 1, 0], [1, 3, 0, 2]):
            other = parts[order[0]].merge(parts[order[1]]).merge(parts[order[2]]).merge(parts[order[3]])
            assert other == merged
        for key, value in merged.values.items():
            latest = max(p.times[key] for p in parts if key in p.values)
            candidates = [p.values[key] for p in parts if p.times.get(key) == latest]
            assert value == max(candidates, key=repr)  # the latest event's value; a tie to the larger repr


def _filled(cls: type[Any]) -> Any:
    """A record of ``cls`` with every field set to a value unlike its default."""
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        kind = str(f.type)
        if "datetime" in kind:
            values[f.name] = T0 + timedelta(minutes=len(values))
        elif "RunState" in kind:
            values[f.name] = RunState.COMPLETE
        elif "TimedFacets" in kind:
            values[f.name] = TimedFacets.of({"f": {"v": 1}}, T0)
        elif "tuple" in kind:
            values[f.name] = ({"name": "id", "type": "int"},)
        else:
            values[f.name] = f"{f.name}-value"
    return cls(**values)


def test_merging_a_record_with_itself_keeps_every_field() -> None:
    for cls in (RunRecord, JobRecord, DatasetRecord, VersionRecord):
        record = _filled(cls)
        assert all(getattr(record, f.name) != f.default for f in dataclasses.fields(cls))
        assert record.merge(record) == record, cls.__name__


def test_facets_that_replace_the_stored_ones_merge_the_same_without_their_values() -> None:
    rng = random.Random(11)
    replacing = 0
    for _ in range(2_000):
        stored = TimedFacets.of({k: {"v": rng.randint(0, 3)} for k in rng.sample("abcd", rng.randint(0, 4))},
                                T0 + timedelta(minutes=rng.randint(0, 2)))
        incoming = TimedFacets.of({k: {"v": rng.randint(0, 3)} for k in rng.sample("abcd", rng.randint(0, 4))},
                                  T0 + timedelta(minutes=rng.randint(0, 2)))
        if incoming.replaces(stored.times):
            replacing += 1
            assert stored.merge(incoming) == TimedFacets().merge(incoming)
        else:  # a stored key it lacks, or one set at the same time or later: the stored values count
            assert any(incoming.times.get(k, "") <= t for k, t in stored.times.items())
    assert 100 < replacing < 1_900
