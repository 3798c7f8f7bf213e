"""Facet verdicts are cached by the facet's serialized value; a large facet is validated without being cached, so the
cache (4,096 entries) stays a few megabytes however large the facets producers send."""

from __future__ import annotations

from lineagelens.receiver.openlineage import facets
from lineagelens.receiver.openlineage.facets import FacetPlace, check_facet

PRODUCER = {"_producer": "https://example.com/producer",
            "_schemaURL": "https://openlineage.io/spec/facets/1-0-1/SQLJobFacet.json#/$defs/SQLJobFacet"}


def test_a_small_facet_verdict_is_cached() -> None:
    facets._cached_verdict.cache_clear()
    sql = PRODUCER | {"query": "SELECT 1"}
    assert check_facet(FacetPlace.JOB, "sql", sql) is None
    assert check_facet(FacetPlace.JOB, "sql", sql) is None
    info = facets._cached_verdict.cache_info()
    assert info.currsize == 1 and info.hits == 1


def test_a_large_facet_is_validated_but_not_cached() -> None:
    facets._cached_verdict.cache_clear()
    big = PRODUCER | {"query": "SELECT " + ", ".join(f"column_{i}" for i in range(2_000))}
    assert check_facet(FacetPlace.JOB, "sql", big) is None
    assert check_facet(FacetPlace.JOB, "sql", big | {"query": ["x" * 9_000]}) is not None  # still validated
    assert facets._cached_verdict.cache_info().currsize == 0


def test_a_cached_verdict_is_never_reused_for_a_value_that_only_compares_equal() -> None:
    facets._cached_verdict.cache_clear()
    stats = PRODUCER | {"rowCount": 1}
    assert check_facet(FacetPlace.OUTPUT, "outputStatistics", stats) is None
    assert True == 1 and hash(True) == hash(1)  # equal in Python, not in JSON Schema
    assert check_facet(FacetPlace.OUTPUT, "outputStatistics", stats | {"rowCount": True}) is not None
    assert check_facet(FacetPlace.OUTPUT, "outputStatistics", dict(reversed(stats.items()))) is None
    assert facets._cached_verdict.cache_info().currsize == 3
