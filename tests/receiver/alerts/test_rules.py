"""Rules: validation and CRUD, each event-driven rule type firing on stored runs, the rule index, the preview."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from lineagelens.receiver.alerts import model as M
from lineagelens.receiver.alerts.rules import RuleIndex, RuleService
from tests.receiver.alerts.support import T0, alert_app, alerts, create, dataset, post, run


def test_rule_params_are_validated_per_type(tmp_path: Path) -> None:
    client = alert_app(tmp_path).test_client()
    bad = client.post("/api/v1/alert-rules", json={"name": "d", "type": "deadline", "params": {"cron": "nope"}})
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["path"] == "params.cron"
    zone = client.post("/api/v1/alert-rules", json={"name": "d", "type": "deadline",
                                                    "params": {"cron": "0 6 * * *", "timezone": "Mars/Olympus"}})
    assert zone.status_code == 422
    assert client.post("/api/v1/alert-rules", json={"name": "x", "type": "run_duration"}).status_code == 422
    assert client.post("/api/v1/alert-rules", json={"name": "x", "type": "job_failed",
                                                    "channelIds": ["missing"]}).status_code == 422
    made = create(client, "/api/v1/alert-rules", {"name": "d", "type": "deadline",
                                                  "params": {"cron": "0 6 * * *", "timezone": "Europe/Paris"},
                                                  "scope": {"namespaces": ["etl"], "jobs": ["daily_*"]}})
    assert made["params"] == {"cron": "0 6 * * *", "timezone": "Europe/Paris"}
    changed = client.patch(f"/api/v1/alert-rules/{made['id']}", json={"enabled": False}).get_json()
    assert changed["enabled"] is False and changed["scope"]["jobs"] == ["daily_*"]
    assert client.get("/api/v1/alert-rules").get_json()["totalCount"] == 1
    types = client.get("/api/v1/alert-rule-types").get_json()
    assert {t["type"] for t in types["ruleTypes"]} == set(M.RULE_TYPES)
    assert client.delete(f"/api/v1/alert-rules/{made['id']}").status_code == 204
    assert client.get(f"/api/v1/alert-rules/{made['id']}").status_code == 404


def test_the_index_answers_by_scope_and_owner() -> None:
    rules = [M.Rule(id=str(i), name="r", type=M.JOB_FAILED, severity="error",
                    scope=M.Scope.of({"jobs": [f"job_{i}"]}), params={}, channel_ids=()) for i in range(1000)]
    rules.append(M.Rule(id="glob", name="g", type=M.JOB_FAILED, severity="error",
                        scope=M.Scope.of({"namespaces": ["etl*"], "jobs": ["job_1*"]}), params={}, channel_ids=()))
    rules.append(M.Rule(id="owned", name="o", type=M.JOB_FAILED, severity="error",
                        scope=M.Scope.of({"owners": ["team:x"]}), params={}, channel_ids=()))
    index = RuleIndex(rules)
    assert {r.id for r in index.matching(M.JOB_FAILED, "etl", "job_17", lambda: [])} == {"17", "glob"}
    assert {r.id for r in index.matching(M.JOB_FAILED, "other", "job_17", lambda: ["team:x"])} == {"17", "owned"}
    assert index.matching(M.RUN_DURATION, "etl", "job_17") == []


def test_run_longer_than_k_times_its_p95_fires(tmp_path: Path) -> None:
    app = alert_app(tmp_path)
    client = app.test_client()
    create(client, "/api/v1/alert-rules", {"name": "slow", "type": "run_duration",
                                           "params": {"p95Factor": 2, "lastRuns": 10, "minRuns": 3}})
    for i in range(5):
        post(client, run("etl_job", "COMPLETE", start=T0 + timedelta(hours=i), seconds=60 + i))
    alerts(app).run_pending()
    assert client.get("/api/v1/incidents").get_json()["totalCount"] == 0
    post(client, run("etl_job", "COMPLETE", start=T0 + timedelta(hours=6), seconds=400))
    alerts(app).run_pending()
    found = client.get("/api/v1/incidents").get_json()["incidents"]
    assert len(found) == 1 and found[0]["ruleType"] == "run_duration" and "6.7 min" in found[0]["title"]


def test_breaking_schema_change_failed_assertion_and_low_row_count_fire_on_the_dataset(tmp_path: Path) -> None:
    app = alert_app(tmp_path)
    client = app.test_client()
    for kind, params in (("schema_change", {}), ("dq_assertion", {}),
                         ("row_count", {"minPercent": 50, "lastRuns": 5, "minRuns": 3})):
        create(client, "/api/v1/alert-rules", {"name": kind, "type": kind, "params": params,
                                               "scope": {"datasets": ["mart.*"]}})

    def write(hour: int, columns: dict[str, str], rows: int, ok: bool = True) -> None:
        stats = {"outputStatistics": {"_producer": "t", "_schemaURL": "https://openlineage.io/spec/facets/1-0-2/"
                                      "OutputStatisticsOutputDatasetFacet.json", "rowCount": rows}}
        checks = {"dataQualityAssertions": {"_producer": "t", "_schemaURL": "https://openlineage.io/spec/facets/"
                                            "1-0-1/DataQualityAssertionsDatasetFacet.json",
                                            "assertions": [{"assertion": "not_null", "success": ok, "column": "id"}]}}
        post(client, run("build_mart", "COMPLETE", start=T0 + timedelta(hours=hour),
                         inputs=[dataset("mart.input", input_facets=checks)],
                         outputs=[dataset("mart.orders", columns=columns, output_facets=stats)]))

    for hour in range(4):
        write(hour, {"id": "int", "amount": "decimal"}, 1000 + hour)
    alerts(app).run_pending()
    assert client.get("/api/v1/incidents").get_json()["totalCount"] == 0
    write(5, {"id": "string"}, 100, ok=False)
    alerts(app).run_pending()
    found = {i["ruleType"]: i for i in client.get("/api/v1/incidents").get_json()["incidents"]}
    assert set(found) == {"schema_change", "dq_assertion", "row_count"}
    assert found["schema_change"]["rootNodeId"] == "dataset:postgres://db:5432:mart.orders"
    detail = client.get(f"/api/v1/incidents/{found['schema_change']['id']}").get_json()
    assert detail["facts"]["removed"] == ["amount"] and detail["facts"]["retyped"][0]["name"] == "id"
    assert found["dq_assertion"]["rootNodeId"] == "dataset:postgres://db:5432:mart.input"
    # healthy again: assertions pass and the row count is back, so those two resolve
    write(6, {"id": "string"}, 1000)
    alerts(app).run_pending()
    states = {i["ruleType"]: i["state"] for i in client.get("/api/v1/incidents").get_json()["incidents"]}
    assert states == {"schema_change": "open", "dq_assertion": "resolved", "row_count": "resolved"}


def test_preview_counts_what_would_have_fired_in_the_last_seven_days(tmp_path: Path) -> None:
    now = T0 + timedelta(days=1)
    app = alert_app(tmp_path)
    alerts(app).set_clock(lambda: now)
    client = app.test_client()
    for hour in range(3):
        post(client, run("flaky", "FAIL", start=T0 + timedelta(hours=hour)))
    post(client, run("flaky", "FAIL", start=T0 - timedelta(days=8)))  # too old
    post(client, run("other", "FAIL", start=T0))
    answer = client.post("/api/v1/alert-rules/preview", json={"name": "p", "type": "job_failed",
                                                              "scope": {"jobs": ["fla*"]}}).get_json()
    assert answer["wouldFire"] == 3 and answer["nodes"] == 1
    assert client.get("/api/v1/incidents").get_json()["totalCount"] == 0  # nothing opened, nothing sent


def test_the_index_tests_a_node_only_against_rules_its_name_can_match() -> None:
    patterns = ([f"never_{i}_*" for i in range(600)] + [f"orders_{i}" for i in range(300)]
                + ["orders_1*", "ord?rs_2", "[ab]ulk_*", "*_daily", "", "exact"])
    rules = [M.Rule(id=str(n), name="r", type=M.JOB_FAILED, severity="error",
                    scope=M.Scope.of({"jobs": [p]} if p else {"namespaces": ["etl"]}), params={}, channel_ids=())
             for n, p in enumerate(patterns)]
    index = RuleIndex(rules)
    for name in ("orders_17", "orders_2", "bulk_load", "sales_daily", "exact", "never_5_x", "unrelated"):
        for namespace in ("etl", "other"):
            scanned = [r.id for r in rules if r.scope.matches_name("job", namespace, name)]
            assert [r.id for r in index.matching(M.JOB_FAILED, namespace, name)] == scanned
    candidates = {r.id for r in index._names[M.JOB_FAILED].candidates("orders_17")}
    assert len(candidates) < 10  # not 906: orders_1, orders_17, orders_1*, and the rules without name patterns
    assert {r.id for r in index.matching(M.JOB_FAILED, "etl", "orders_17")} == {"617", "900", "904"}
    assert index.may_match(M.JOB_FAILED, "x", "orders_17") and not index.may_match(M.JOB_FAILED, "x", "nothing")


def test_a_rule_stored_by_another_process_is_in_the_very_next_index(tmp_path: Path) -> None:
    # `serve` stores rules in an HTTP worker and evaluates them in its background process: the evaluator's
    # next pass must see a rule committed before it, changed or disabled likewise, without waiting.
    evaluator = RuleService(alerts(alert_app(tmp_path)).rules.engine)
    api = alert_app(tmp_path).test_client()
    assert len(evaluator.index()) == 0
    made = create(api, "/api/v1/alert-rules", {"name": "f", "type": "job_failed", "scope": {"jobs": ["load"]}})
    assert [r.id for r in evaluator.index().matching(M.JOB_FAILED, "etl", "load")] == [made["id"]]
    api.patch(f"/api/v1/alert-rules/{made['id']}", json={"scope": {"jobs": ["extract"]}})
    assert evaluator.index().matching(M.JOB_FAILED, "etl", "load") == []
    api.patch(f"/api/v1/alert-rules/{made['id']}", json={"enabled": False})
    assert len(evaluator.index()) == 0
