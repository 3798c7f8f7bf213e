"""Grouping likely duplicates and finding external sources: pure functions."""

from __future__ import annotations

from lineagelens.receiver.identity.candidates import (
    DatasetInfo,
    find_candidates,
    find_external,
    name_tail,
    schema_fingerprint,
    scheme_key,
)
from lineagelens.receiver.state.record_store import resolve_aliases


def _kinds(groups: list) -> dict[tuple, set[str]]:
    return {g.members: {r.kind for r in g.reasons} for g in groups}


def test_equivalent_schemes_and_a_trailing_slash_name_one_location() -> None:
    assert scheme_key("s3a://bucket", "raw/orders/") == ("s3://bucket", "raw/orders")
    assert scheme_key("S3N://bucket", "raw/orders") == ("s3://bucket", "raw/orders")
    assert scheme_key("gcs://lake", "t") == scheme_key("gs://lake", "t")
    assert scheme_key("postgres://db:5432", "public.t") == ("postgres://db:5432", "public.t")
    groups = find_candidates([DatasetInfo("s3://bucket", "raw/orders"), DatasetInfo("s3a://bucket", "raw/orders/"),
                              DatasetInfo("s3n://bucket", "raw/orders"), DatasetInfo("s3://bucket", "raw/users")],
                             reasons=["scheme"])
    assert _kinds(groups) == {(("s3://bucket", "raw/orders"), ("s3a://bucket", "raw/orders/"),
                               ("s3n://bucket", "raw/orders")): {"scheme"}}


def test_names_differing_only_by_case_are_grouped() -> None:
    groups = find_candidates([DatasetInfo("hive", "Sales.Orders"), DatasetInfo("hive", "sales.orders"),
                              DatasetInfo("hive", "sales.order_lines")], reasons=["case"])
    assert _kinds(groups) == {(("hive", "Sales.Orders"), ("hive", "sales.orders")): {"case"}}


def test_a_shared_name_tail_counts_only_across_namespaces() -> None:
    assert name_tail("analytics.public.Orders") == "orders"
    assert name_tail("/lake/orders/") == "orders"
    across = find_candidates([DatasetInfo("postgres://db:5432", "analytics.public.orders"),
                              DatasetInfo("s3://lake", "/warehouse/orders")], reasons=["nameTail"])
    assert [g.reasons[0].kind for g in across] == ["nameTail"]
    same_namespace = find_candidates([DatasetInfo("hive", "a.orders"), DatasetInfo("hive", "b.orders")],
                                     reasons=["nameTail"])
    assert same_namespace == []


def test_the_same_columns_and_types_share_a_fingerprint_and_empty_schemas_are_ignored() -> None:
    cols = frozenset({("id", "BIGINT"), ("amount", "decimal")})
    assert schema_fingerprint(cols) == schema_fingerprint({("amount", "DECIMAL"), ("id", "bigint")})
    assert schema_fingerprint(cols) != schema_fingerprint({("id", "bigint"), ("amount", "double")})
    assert schema_fingerprint([]) is None
    groups = find_candidates([DatasetInfo("a", "x", cols), DatasetInfo("b", "y", cols), DatasetInfo("c", "z"),
                              DatasetInfo("d", "w")], reasons=["schema"])
    assert _kinds(groups) == {(("a", "x"), ("b", "y")): {"schema"}}


def test_a_group_found_for_several_reasons_is_reported_once_with_all_of_them_first() -> None:
    cols = frozenset({("id", "int")})
    groups = find_candidates([DatasetInfo("s3://b", "t/orders", cols), DatasetInfo("s3a://b", "t/orders", cols),
                              DatasetInfo("hive", "Q"), DatasetInfo("hive", "q")])
    assert _kinds(groups) == {
        (("s3://b", "t/orders"), ("s3a://b", "t/orders")): {"scheme", "nameTail", "schema"},
        (("hive", "Q"), ("hive", "q")): {"case"},
    }
    assert groups[0].members == (("s3://b", "t/orders"), ("s3a://b", "t/orders"))
    assert groups[0].id == find_candidates(list(reversed([DatasetInfo("s3://b", "t/orders", cols),
                                                          DatasetInfo("s3a://b", "t/orders", cols)])))[0].id


def test_datasets_nobody_writes_are_external() -> None:
    assert find_external([("a", "1"), ("b", "2"), ("c", "3")], [("b", "2"), ("z", "9")]) == [("a", "1"), ("c", "3")]


def test_console_rules_win_over_symlinks_and_chains_resolve_to_their_end() -> None:
    a, b, c, d = ("n", "a"), ("n", "b"), ("n", "c"), ("n", "d")
    # a -> b by the console, b -> c learned from a symlink: a ends at c
    assert resolve_aliases([a, d], {a: b}, {b: c}) == {a: c}
    # the console overrides what a symlink said about the same name
    assert resolve_aliases([a], {a: d}, {a: b}) == {a: d}
    # a cycle stops at the last new name instead of looping
    assert resolve_aliases([a], {a: b}, {b: a}) == {a: b}
