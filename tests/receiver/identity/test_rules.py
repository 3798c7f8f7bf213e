"""The life of a stored merge rule: what a background run claims, and what it leaves to the next one."""

from __future__ import annotations

from flask import Flask

from lineagelens.receiver import services
from lineagelens.receiver.identity.rules import MergeRules


def _rules(app: Flask) -> MergeRules:
    return services.get(app).identity.rules


def test_a_rule_undone_while_it_is_being_applied_is_left_undoing_for_the_next_run(app: Flask) -> None:
    rules = _rules(app)
    rule = rules.create(alias=("n", "a"), canonical=("n", "b"), created_by="tests")
    claim = rules.claim()
    assert claim.applying == (rule.id,) and claim.undoing == ()
    assert rules.request_undo(rule.id) is True
    rules.finish(claim)
    found = rules.get(rule.id)
    assert found is not None and found.state == "undoing"
    assert rules.claim().undoing == (rule.id,)


def test_only_rules_in_force_are_read_by_projection(app: Flask) -> None:
    rules, records = _rules(app), services.get(app).records
    kept = rules.create(alias=("n", "a"), canonical=("n", "b"), created_by="tests")
    gone = rules.create(alias=("n", "c"), canonical=("n", "b"), created_by="tests")
    assert records.aliases_for([("n", "a"), ("n", "c")]) == {("n", "a"): ("n", "b"), ("n", "c"): ("n", "b")}
    rules.request_undo(gone.id)
    assert records.aliases_for([("n", "a"), ("n", "c")]) == {("n", "a"): ("n", "b")}
    assert rules.request_undo(gone.id) is False  # already undoing
    assert {r.id for r in rules.all()} == {kept.id, gone.id}
