"""Projected records merge in any order to the same result: per facet key, the later event wins."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from lineagelens.receiver.state.records import TimedFacets

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
