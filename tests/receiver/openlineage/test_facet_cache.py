"""Facet verdicts are cached by the facet's JSON text; a large facet is validated without being cached, so the
cache (4,096 entries) stays a few megabytes however large the facets producers send."""

from __future__ import annotations

from lineagelens.receiver.openlineage import facets
from lineagelens.receiver.openlineage.facets import FacetPlace, check_facet

PRODUCER = {"_producer": "https://example.com/producer",
            "_schemaURL": "https://openlineage.io/spec/facets/1-0-1/SQLJobFacet.json#/$defs/SQLJobFacet"}


def test_a_small_facet_verdict_is_cached() -> None:
    facets._check_text.cache_clear()
    sql = PRODUCER | {"query": "SELECT 1"}
    assert check_facet(FacetPlace.JOB, "sql", sql) is None
    assert check_facet(FacetPlace.JOB, "sql", sql) is None
    info = facets._check_text.cache_info()
    assert info.currsize == 1 and info.hits == 1


def test_a_large_facet_is_validated_but_not_cached() -> None:
    facets._check_text.cache_clear()
    big = PRODUCER | {"query": "SELECT " + ", ".join(f"column_{i}" for i in range(2_000))}
    assert check_facet(FacetPlace.JOB, "sql", big) is None
    assert check_facet(FacetPlace.JOB, "sql", big | {"query": ["x" * 9_000]}) is not None  # still validated
    assert facets._check_text.cache_info().currsize == 0
