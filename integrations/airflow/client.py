"""A small, stdlib-only reader of the LineageLens API for the Airflow plugin's pages.

Every call has a short timeout and a bounded number of requests: the pages run inside Airflow's api-server and
must never hang it. Failures surface as :class:`ReceiverUnavailable` (network, timeout, 5xx, bad JSON), which
the pages turn into a clear message instead of an error.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 3.0
PAGE_SIZE = 1000
MAX_PAGES = 5  # at most 5,000 jobs of one namespace are scanned for a DAG's tasks


class ReceiverUnavailable(Exception):
    """The receiver could not be reached or did not answer usefully."""


@dataclass(frozen=True)
class ReceiverSettings:
    """Where the receiver is (``url``, for server-side calls), how to authenticate, which OpenLineage namespace
    the Airflow jobs are in, and where a browser finds the LineageLens UI (``ui_url``)."""

    url: str
    api_key: str = ""
    namespace: str = "default"
    timeout: float = DEFAULT_TIMEOUT
    ui_url: str = ""

    @property
    def browser_url(self) -> str:
        return (self.ui_url or self.url).rstrip("/")


Getter = Callable[[str, str], "str | None"]


def settings_from(get: Getter) -> ReceiverSettings | None:
    """Resolve the settings from an Airflow-style ``get(section, key)``: the ``[lineagelens]`` section first
    (``url``, ``api_key``, ``namespace``, ``timeout``, ``ui_url``), then the OpenLineage provider's own
    ``[openlineage] transport`` and ``namespace``. ``None`` when no receiver URL is configured anywhere."""
    transport: Mapping[str, Any] = {}
    raw_transport = get("openlineage", "transport") or ""
    if raw_transport.strip():
        try:
            loaded = json.loads(raw_transport)
            if isinstance(loaded, dict) and loaded.get("type") == "http":
                transport = loaded
        except ValueError:
            log.warning("[openlineage] transport is not JSON; ignoring it")
    url = (get("lineagelens", "url") or str(transport.get("url") or "")).strip()
    if not url:
        return None
    auth = transport.get("auth")
    auth = auth if isinstance(auth, dict) else {}
    api_key = get("lineagelens", "api_key") or str(auth.get("apiKey") or auth.get("api_key") or "")
    namespace = get("lineagelens", "namespace") or get("openlineage", "namespace") or "default"
    try:
        timeout = float(get("lineagelens", "timeout") or DEFAULT_TIMEOUT)
    except ValueError:
        timeout = DEFAULT_TIMEOUT
    return ReceiverSettings(url=url.rstrip("/"), api_key=api_key.strip(), namespace=namespace.strip(),
                            timeout=max(0.1, min(timeout, 30.0)), ui_url=(get("lineagelens", "ui_url") or "").strip())


def quote(part: str) -> str:
    return urllib.parse.quote(part, safe="")


class ReceiverClient:
    def __init__(self, settings: ReceiverSettings) -> None:
        self.settings = settings

    def _request(self, path: str, params: Mapping[str, Any] | None = None) -> urllib.request.Request:
        url = f"{self.settings.url}/{path.lstrip('/')}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        headers = {"Accept": "application/json", "User-Agent": "lineagelens-airflow-plugin"}
        if self.settings.api_key:
            headers["Authorization"] = f"Bearer {self.settings.api_key}"
        return urllib.request.Request(url, headers=headers)

    def get_json(self, path: str, params: Mapping[str, Any] | None = None, *,
                 missing_ok: bool = False) -> Any:
        """GET ``path`` as JSON; ``None`` for a 404 when ``missing_ok``."""
        request = self._request(path, params)
        try:
            with urllib.request.urlopen(request, timeout=self.settings.timeout) as response:
                return json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            if exc.code == 404 and missing_ok:
                return None
            raise ReceiverUnavailable(f"{request.full_url} answered HTTP {exc.code}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ReceiverUnavailable(f"cannot reach {self.settings.url}: {reason}") from exc
        except ValueError as exc:
            raise ReceiverUnavailable(f"{request.full_url} did not answer JSON") from exc

    def probe_html(self, path: str = "/") -> bool:
        """Whether the receiver serves an HTML page at ``path`` (its UI), within the timeout."""
        try:
            with urllib.request.urlopen(self._request(path), timeout=self.settings.timeout) as response:
                return response.status == 200 and "text/html" in response.headers.get("Content-Type", "")
        except (urllib.error.URLError, TimeoutError, OSError, ValueError):
            return False

    def ready(self) -> dict[str, Any]:
        """``GET /readyz`` (a 503 still answers with the failing checks)."""
        try:
            body = self.get_json("/readyz")
        except ReceiverUnavailable as exc:
            if "HTTP 503" in str(exc):
                return {"status": "not ready"}
            raise
        return body if isinstance(body, dict) else {"status": "unknown"}

    def namespaces(self) -> list[str]:
        body = self.get_json("/api/v1/namespaces")
        return [str(n.get("name")) for n in (body or {}).get("namespaces", [])]

    def job(self, namespace: str, name: str) -> dict[str, Any] | None:
        found = self.get_json(f"/api/v1/namespaces/{quote(namespace)}/jobs/{quote(name)}", missing_ok=True)
        return found if isinstance(found, dict) else None

    def jobs(self, namespace: str) -> tuple[list[dict[str, Any]], bool]:
        """The namespace's jobs (at most ``PAGE_SIZE * MAX_PAGES``) and whether that cap cut the list."""
        jobs: list[dict[str, Any]] = []
        for page in range(MAX_PAGES):
            body = self.get_json(f"/api/v1/namespaces/{quote(namespace)}/jobs",
                                 {"limit": PAGE_SIZE, "offset": page * PAGE_SIZE}, missing_ok=True)
            batch = (body or {}).get("jobs", [])
            jobs.extend(batch)
            if len(batch) < PAGE_SIZE:
                return jobs, False
        return jobs, True


@dataclass(frozen=True)
class RunSummary:
    state: str
    started_at: str | None = None
    ended_at: str | None = None
    error: str | None = None

    @classmethod
    def from_run(cls, run: Mapping[str, Any] | None) -> RunSummary | None:
        if not run:
            return None
        error = ((run.get("facets") or {}).get("errorMessage") or {}).get("message")
        return cls(state=str(run.get("state") or "UNKNOWN"), started_at=run.get("startedAt"),
                   ended_at=run.get("endedAt"), error=str(error) if error else None)


@dataclass(frozen=True)
class JobLineage:
    name: str
    inputs: list[tuple[str, str]] = field(default_factory=list)
    outputs: list[tuple[str, str]] = field(default_factory=list)
    last_run: RunSummary | None = None

    @classmethod
    def from_job(cls, job: Mapping[str, Any]) -> JobLineage:
        def ids(items: Any) -> list[tuple[str, str]]:
            return sorted((str(i.get("namespace")), str(i.get("name"))) for i in items or [])

        return cls(name=str(job.get("name")), inputs=ids(job.get("inputs")), outputs=ids(job.get("outputs")),
                   last_run=RunSummary.from_run(job.get("latestRun")))

    @property
    def task_id(self) -> str:
        return self.name.split(".", 1)[1] if "." in self.name else self.name


@dataclass(frozen=True)
class DagLineage:
    """A DAG job, its task jobs (children by the ``parent`` facet) and their datasets."""

    namespace: str
    dag_id: str
    dag: JobLineage | None
    tasks: list[JobLineage]
    truncated: bool = False

    @property
    def found(self) -> bool:
        return self.dag is not None or bool(self.tasks)

    @property
    def external_inputs(self) -> list[tuple[str, str]]:
        """Datasets the DAG reads but none of its tasks writes."""
        produced = {d for t in self.tasks for d in t.outputs}
        return sorted({d for t in self.tasks for d in t.inputs} - produced)

    @property
    def final_outputs(self) -> list[tuple[str, str]]:
        """Datasets the DAG writes that none of its tasks reads."""
        consumed = {d for t in self.tasks for d in t.inputs}
        return sorted({d for t in self.tasks for d in t.outputs} - consumed)


def _run_order(task: JobLineage) -> tuple[str, str]:
    """Tasks in the order their last runs started (unrun tasks last), then by name."""
    started = task.last_run.started_at if task.last_run and task.last_run.started_at else "~"
    return started, task.name


def dag_lineage(client: ReceiverClient, dag_id: str, namespace: str | None = None) -> DagLineage:
    """The lineage of one DAG as the receiver holds it (task jobs are the jobs whose parent is the DAG job)."""
    ns = namespace or client.settings.namespace
    dag = client.job(ns, dag_id)
    jobs, truncated = client.jobs(ns)
    tasks = sorted((JobLineage.from_job(j) for j in jobs if j.get("parentJobName") == dag_id), key=_run_order)
    return DagLineage(namespace=ns, dag_id=dag_id, dag=JobLineage.from_job(dag) if dag else None, tasks=tasks,
                      truncated=truncated)


@dataclass(frozen=True)
class RootSummary:
    """A job without a parent (a DAG, for Airflow) and what its children touch."""

    job: JobLineage
    children: int
    reads: int
    writes: int


def root_jobs(client: ReceiverClient, namespace: str | None = None) -> tuple[list[RootSummary], bool]:
    """The namespace's jobs without a parent, most recently updated first, with their children's datasets."""
    jobs, truncated = client.jobs(namespace or client.settings.namespace)
    children: dict[str, list[JobLineage]] = {}
    for job in jobs:
        if job.get("parentJobName"):
            children.setdefault(str(job["parentJobName"]), []).append(JobLineage.from_job(job))
    roots = sorted((j for j in jobs if not j.get("parentJobName")), key=lambda j: str(j.get("updatedAt") or ""),
                   reverse=True)
    summaries = []
    for raw in roots:
        root = JobLineage.from_job(raw)
        family = [root, *children.get(root.name, [])]
        summaries.append(RootSummary(job=root, children=len(family) - 1,
                                     reads=len({d for member in family for d in member.inputs}),
                                     writes=len({d for member in family for d in member.outputs})))
    return summaries, truncated
