"""The ingest benchmark's baseline: a trivial Flask app that only parses the JSON body and answers like the
receiver (201 for one event, 200 with a batch summary for an array), served by the receiver's own gunicorn
runner (:func:`lineagelens.receiver.server.run`: same worker class, workers, threads, timeouts and access
log), so the ratio receiver / baseline measures what LineageLens adds on top of Flask + gunicorn + HTTP.

    python -m bench.baseline_app --port 5101 --workers 1 --threads 8
"""

from __future__ import annotations

import argparse
import json
import logging
from typing import Any
from unittest import mock

from flask import Flask, Response, jsonify, request

log = logging.getLogger(__name__)


def create_app() -> Flask:
    app = Flask(__name__)

    def body() -> Any:
        return json.loads(request.get_data(cache=False))

    @app.get("/healthz")
    def healthz() -> Response:
        return jsonify({"status": "ok"})

    @app.post("/api/v1/lineage")
    def lineage() -> tuple[Response, int]:
        raw = body()
        if isinstance(raw, list):
            return batch_answer(raw), 200
        return jsonify({"status": "accepted", "kind": "run", "warnings": []}), 201

    @app.post("/api/v1/lineage/batch")
    def batch() -> tuple[Response, int]:
        raw = body()
        events = raw["events"] if isinstance(raw, dict) else raw
        return batch_answer(events), 200

    def batch_answer(events: list[Any]) -> Response:
        n = len(events)
        return jsonify({"status": "SUCCESS", "summary": {"received": n, "successful": n, "failed": 0,
                                                          "retriable": 0, "nonRetriable": 0},
                        "failedEvents": [], "warnings": []})

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    from lineagelens.receiver import server

    # Reuse the receiver's runner verbatim; only the app it loads differs.
    with mock.patch.object(server._Gunicorn, "load", lambda _self: create_app()):
        server.run(host=args.host, port=args.port, workers=args.workers, threads=args.threads)


if __name__ == "__main__":
    main()
