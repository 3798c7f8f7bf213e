"""`helm test` for LineageLens: post one OpenLineage run (START and COMPLETE, one input, one output) with an
ingest key, then read the job's lineage back with a read key until both datasets show, or fail.

Environment: LINEAGELENS_URL (http://release-lineagelens:5000), LINEAGELENS_TEST_INGEST_KEY,
LINEAGELENS_TEST_READ_KEY, LINEAGELENS_TEST_TIMEOUT (seconds, default 60). Standard library only: it runs in the
LineageLens image. Exit 0 on success, 1 with a reason on stderr otherwise.
"""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import UTC, datetime
from typing import Any

NAMESPACE = "lineagelens-helm-test"
PRODUCER = "https://lineagelens.invalid/helm-test"
SCHEMA = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/definitions/RunEvent"


def _request(url: str, key: str, body: Any = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    headers = {"Authorization": f"Bearer {key}", "Accept": "application/json"}
    if data is not None:
        headers |= {"Content-Type": "application/json", "Prefer": "wait=projected"}
    req = urllib.request.Request(url, data=data, headers=headers, method="POST" if data else "GET")
    try:
        with urllib.request.urlopen(req, timeout=15) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")[:500]


def events(job: str, run_id: str) -> list[dict[str, Any]]:
    now = datetime.now(UTC).isoformat()
    common = {
        "run": {"runId": run_id},
        "job": {"namespace": NAMESPACE, "name": job},
        "producer": PRODUCER,
        "schemaURL": SCHEMA,
        "inputs": [{"namespace": NAMESPACE, "name": f"{job}.input"}],
        "outputs": [{"namespace": NAMESPACE, "name": f"{job}.output"}],
    }
    return [{"eventType": kind, "eventTime": now, **common} for kind in ("START", "COMPLETE")]


def check(base: str, ingest_key: str, read_key: str, timeout: float) -> str | None:
    """None when the posted run's lineage reads back, else what went wrong."""
    job = f"helm-test-{uuid.uuid4().hex[:12]}"
    for event in events(job, str(uuid.uuid4())):
        status, answer = _request(f"{base}/api/v1/lineage", ingest_key, event)
        if status not in (200, 201):
            return f"POST /api/v1/lineage answered {status}: {answer}"
    query = urllib.parse.urlencode({"nodeId": f"job:{NAMESPACE}:{job}", "depth": 1})
    wanted = {f"dataset:{NAMESPACE}:{job}.input", f"dataset:{NAMESPACE}:{job}.output"}
    deadline = time.monotonic() + timeout
    seen: set[str] = set()
    while True:
        status, answer = _request(f"{base}/api/v1/lineage?{query}", read_key)
        if status == 200:
            seen = {node["id"] for node in answer.get("graph", [])}
            if wanted <= seen:
                return None
        elif status != 404:  # 404: not projected yet
            return f"GET /api/v1/lineage answered {status}: {answer}"
        if time.monotonic() > deadline:
            return f"lineage of {job} still lacks {sorted(wanted - seen)} after {timeout:.0f}s"
        time.sleep(1)


def main() -> int:
    base = os.environ["LINEAGELENS_URL"].rstrip("/")
    problem = check(base, os.environ["LINEAGELENS_TEST_INGEST_KEY"], os.environ["LINEAGELENS_TEST_READ_KEY"],
                    float(os.environ.get("LINEAGELENS_TEST_TIMEOUT", "60")))
    if problem:
        print(f"FAIL: {problem}", file=sys.stderr)
        return 1
    print(f"OK: posted a run to {base} and read its lineage back")
    return 0


if __name__ == "__main__":
    sys.exit(main())
