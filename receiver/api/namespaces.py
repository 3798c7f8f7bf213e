"""Marquez's ``GET /api/v1/namespaces`` and everything under ``/api/v1/namespaces/...``.

Namespaces and names contain ``/`` (``gs://bucket``, ``/tmp/cll_test/tbl1``), and clients URL-encode them
(``gs%3A%2F%2Fbucket``), which Werkzeug decodes before routing. So one catch-all route takes the rest of
the path and :func:`resolve` parses it against what is stored: every split at a ``/jobs`` or
``/datasets`` marker (then ``/runs``, ``/versions``) is a candidate, and the one whose namespace and
name exist wins. The resource modules (jobs, datasets) register a handler per kind with :func:`handles`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

from flask import Blueprint, Response, jsonify

from lineagelens.receiver import marquez, services
from lineagelens.receiver.api.args import PageArgs, load_args
from lineagelens.receiver.errors import NotFound
from lineagelens.receiver.state.queries import Queries
from lineagelens.receiver.state.records import Key

log = logging.getLogger(__name__)

bp = Blueprint("namespaces", __name__, url_prefix="/api/v1")


def queries() -> Queries:
    return Queries(services.get().engine)


# -- path resolution -------------------------------------------------------------------------------
NAMESPACE, JOBS, JOB, RUNS = "namespace", "jobs", "job", "runs"
DATASETS, DATASET, VERSIONS, VERSION = "datasets", "dataset", "versions", "version"
_SPECIFICITY = {NAMESPACE: 0, JOBS: 1, DATASETS: 1, JOB: 2, DATASET: 2, RUNS: 3, VERSIONS: 3, VERSION: 3}
_JOB_KINDS = {JOB, RUNS}
_DATASET_KINDS = {DATASET, VERSIONS, VERSION}


@dataclass(frozen=True)
class Target:
    """What a path under ``/namespaces/`` names. ``namespace_found``: the namespace is stored."""

    kind: str
    namespace: str
    name: str | None = None
    version: str | None = None
    namespace_found: bool = False

    @property
    def key(self) -> Key:
        return (self.namespace, self.name or "")


def _marker_splits(rest: str, marker: str) -> list[tuple[str, str]]:
    """``(namespace, tail)`` for each ``/{marker}`` segment in ``rest``; tail is "" or starts with "/"."""
    token, found, start = f"/{marker}", [], 0
    while (i := rest.find(token, start)) != -1:
        start, end = i + 1, i + len(token)
        if i > 0 and (end == len(rest) or rest[end] == "/"):
            found.append((rest[:i], rest[end:]))
    return found


def candidates(rest: str) -> list[Target]:
    """Every reading of ``rest`` (the path after ``/namespaces/``); :func:`resolve` ranks them."""
    out = [Target(NAMESPACE, rest)]
    for ns, tail in _marker_splits(rest, "jobs"):
        if not tail:
            out.append(Target(JOBS, ns))
        elif name := tail[1:]:
            out.append(Target(JOB, ns, name))
            if name.endswith("/runs") and len(name) > len("/runs"):
                out.append(Target(RUNS, ns, name[:-len("/runs")]))
    for ns, tail in _marker_splits(rest, "datasets"):
        if not tail:
            out.append(Target(DATASETS, ns))
        elif name := tail[1:]:
            out.append(Target(DATASET, ns, name))
            if name.endswith("/versions") and len(name) > len("/versions"):
                out.append(Target(VERSIONS, ns, name[:-len("/versions")]))
            for ds, version in _marker_splits(name, "versions"):
                if version[1:]:
                    out.append(Target(VERSION, ns, ds, version[1:]))
    return out


def resolve(q: Queries, rest: str) -> Target:
    """The reading of ``rest`` that matches stored data best (dataset aliases resolved to canonical);
    on a tie, the more specific reading (``a/jobs`` lists jobs of ``a``)."""
    found = candidates(rest)
    namespaces = q.existing_namespaces(names={c.namespace for c in found})
    job_keys = {c.key for c in found if c.kind in _JOB_KINDS}
    ds_keys = {c.key for c in found if c.kind in _DATASET_KINDS}
    known_jobs = q.existing_jobs(keys=job_keys) if job_keys else set()
    aliases = q.aliases(keys=ds_keys) if ds_keys else {}
    known_datasets = q.existing_datasets(keys={aliases.get(k, k) for k in ds_keys}) if ds_keys else set()

    def canonical(c: Target) -> Key:
        return aliases.get(c.key, c.key) if c.kind in _DATASET_KINDS else c.key

    def score(c: Target) -> tuple[int, int]:
        if c.name is None:
            points = 2 if c.namespace in namespaces else 0
        elif canonical(c) in (known_datasets if c.kind in _DATASET_KINDS else known_jobs):
            points = 3
        else:
            points = 1 if c.namespace in namespaces else 0
        return points, _SPECIFICITY[c.kind]

    best = max(found, key=score)
    ns, name = canonical(best) if best.name is not None else (best.namespace, None)
    known = best.namespace in namespaces or score(best)[0] == 3  # a stored dataset's namespace is stored
    return replace(best, namespace=ns, name=name, namespace_found=known)


Handler = Callable[[Queries, Target], Response]
_HANDLERS: dict[str, Handler] = {}


def handles(kind: str) -> Callable[[Handler], Handler]:
    """Register the view for one kind of :class:`Target` (done at import by the resource modules)."""
    def register(fn: Handler) -> Handler:
        _HANDLERS[kind] = fn
        return fn
    return register


def require_namespace(target: Target) -> None:
    if not target.namespace_found:
        raise NotFound(f"namespace {target.namespace!r} not found")


# -- views -----------------------------------------------------------------------------------------
@bp.get("/namespaces")
def list_namespaces() -> Response:
    args = load_args(PageArgs())
    rows, total = queries().namespaces(limit=args["limit"], offset=args["offset"])
    return jsonify({"namespaces": [marquez.present_namespace(r) for r in rows], "totalCount": total})


@bp.get("/namespaces/<path:rest>")
def under_namespace(rest: str) -> Response:
    """Dispatch ``/namespaces/{ns}[/jobs[/{job}[/runs]] | /datasets[/{ds}[/versions[/{v}]]]]``."""
    q = queries()
    target = resolve(q, rest)
    handler = _HANDLERS.get(target.kind)
    if handler is None:  # a resource module that is not loaded
        raise NotFound(f"no resource at /namespaces/{rest}")
    return handler(q, target)


@handles(NAMESPACE)
def get_namespace(q: Queries, target: Target) -> Response:
    row = q.namespace(name=target.namespace)
    if row is None:
        raise NotFound(f"namespace {target.namespace!r} not found")
    return jsonify(marquez.present_namespace(row))
