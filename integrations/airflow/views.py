"""Server-rendered HTML for the Airflow plugin's pages (no JavaScript: Airflow shows them in sandboxed iframes).

Pure functions of the data they are given; every value from the receiver or the URL is escaped.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Iterable, Sequence

from lineagelens.integrations.airflow.client import (
    DagLineage,
    JobLineage,
    ReceiverSettings,
    RootSummary,
    RunSummary,
    quote,
)

log = logging.getLogger(__name__)

STYLE = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:16px;color:#1f2933;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:20px 0 8px}
.muted{color:#66788a}.small{font-size:12px}
table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;padding:6px 8px;
border-bottom:1px solid #e4e7eb}th{font-weight:600;background:#f5f7fa}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;color:#fff;
background:#7b8794}
.s-COMPLETED{background:#2f9e44}.s-FAILED{background:#e03131}.s-ABORTED{background:#f08c00}
.s-RUNNING,.s-NEW,.s-START{background:#1c7ed6}
.ds{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12px;display:block}
.notice{padding:12px 14px;border-radius:6px;background:#fff4e6;border:1px solid #ffc078;margin:12px 0}
.error{background:#fff5f5;border-color:#ffa8a8}
pre{white-space:pre-wrap;margin:4px 0 0;font-size:12px;color:#c92a2a}
iframe{width:100%;height:70vh;border:1px solid #e4e7eb;border-radius:6px}
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def page(title: str, body: str) -> str:
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title>'
            f"<style>{STYLE}</style></head><body>{body}</body></html>")


def state_badge(run: RunSummary | None) -> str:
    if run is None:
        return '<span class="muted">no run yet</span>'
    when = run.ended_at or run.started_at
    stamp = f' <span class="muted small">{_e(when)}</span>' if when else ""
    return f'<span class="badge s-{_e(run.state)}">{_e(run.state)}</span>{stamp}'


def datasets(items: Iterable[tuple[str, str]]) -> str:
    cells = [f'<span class="ds" title="{_e(ns)}:{_e(name)}">{_e(name)} <span class="muted">({_e(ns)})</span>'
             "</span>" for ns, name in items]
    return "".join(cells) or '<span class="muted">none</span>'


def unavailable(settings: ReceiverSettings | None, reason: str, *, title: str) -> str:
    """The page shown when the receiver is not configured or cannot be reached."""
    if settings is None:
        detail = ("No LineageLens receiver is configured. Set <code>[lineagelens] url</code> in airflow.cfg "
                  "(or <code>AIRFLOW__LINEAGELENS__URL</code>), or point the OpenLineage provider's "
                  "<code>[openlineage] transport</code> at LineageLens.")
    else:
        detail = (f"LineageLens is unreachable at <code>{_e(settings.url)}</code>: {_e(reason)}. "
                  "Airflow keeps working; lineage shows here again once the receiver answers.")
    return page(title, f'<h1>{_e(title)}</h1><div class="notice error"><strong>LineageLens unavailable.</strong> '
                       f"{detail}</div>")


def _task_rows(tasks: Sequence[JobLineage]) -> str:
    rows = []
    for task in tasks:
        error = f"<pre>{_e(task.last_run.error)}</pre>" if task.last_run and task.last_run.error else ""
        rows.append(f"<tr><td><strong>{_e(task.task_id)}</strong><br><span class=\"muted small\">{_e(task.name)}"
                    f"</span></td><td>{datasets(task.inputs)}</td><td>{datasets(task.outputs)}</td>"
                    f"<td>{state_badge(task.last_run)}{error}</td></tr>")
    return "".join(rows)


def dag_page(settings: ReceiverSettings, lineage: DagLineage) -> str:
    """The DAG tab: the DAG job, its task jobs with their inputs and outputs, and the last run states."""
    title = f"Lineage of {lineage.dag_id}"
    head = (f"<h1>{_e(title)}</h1><p class=\"muted\">OpenLineage namespace <code>{_e(lineage.namespace)}</code> "
            f"in LineageLens at <a href=\"{_e(settings.browser_url)}/\" target=\"_blank\" rel=\"noopener\">"
            f"{_e(settings.browser_url)}</a></p>")
    if not lineage.found:
        return page(title, head + '<div class="notice">LineageLens has received no OpenLineage events for this '
                    "DAG yet. Run it (or <code>airflow dags test " + _e(lineage.dag_id) + "</code>) with the "
                    "OpenLineage provider pointed at LineageLens; <code>lineagelens airflow-config</code> prints "
                    "the settings.</div>")
    dag_state = state_badge(lineage.dag.last_run) if lineage.dag else '<span class="muted">no DAG-level event</span>'
    summary = (f"<p>Last DAG run: {dag_state}</p>"
               f"<h2>Reads</h2>{datasets(lineage.external_inputs)}"
               f"<h2>Writes</h2>{datasets(lineage.final_outputs)}")
    table = ("<h2>Tasks</h2><table><thead><tr><th>Task</th><th>Inputs</th><th>Outputs</th><th>Last run</th></tr>"
             f"</thead><tbody>{_task_rows(lineage.tasks)}</tbody></table>" if lineage.tasks
             else '<p class="muted">No task events received yet.</p>')
    cut = ('<p class="muted small">The namespace has more jobs than this page scans; some tasks may be '
           "missing.</p>" if lineage.truncated else "")
    return page(title, head + summary + table + cut)


def index_page(settings: ReceiverSettings, *, status: str, roots: Sequence[RootSummary], truncated: bool,
               embed_ui: bool) -> str:
    """The nav entry: the receiver's status, the DAGs it knows in the namespace, and the LineageLens UI."""
    head = (f"<h1>LineageLens</h1><p class=\"muted\">Receiver <a href=\"{_e(settings.browser_url)}/\" "
            f"target=\"_blank\" rel=\"noopener\">{_e(settings.browser_url)}</a> — status "
            f"<strong>{_e(status)}</strong> — namespace <code>{_e(settings.namespace)}</code></p>")
    ui = (f'<h2>LineageLens UI</h2><iframe src="{_e(settings.browser_url)}/" title="LineageLens UI"></iframe>'
          if embed_ui else "")
    rows = "".join(f'<tr><td><a href="dags/{_e(quote(r.job.name))}">{_e(r.job.name)}</a></td><td>{r.children}</td>'
                   f"<td>{r.reads} read / {r.writes} written</td><td>{state_badge(r.job.last_run)}</td></tr>"
                   for r in roots)
    table = ("<h2>DAGs with lineage</h2><table><thead><tr><th>DAG</th><th>Tasks</th><th>Datasets</th>"
             "<th>Last run</th></tr>"
             f"</thead><tbody>{rows}</tbody></table>" if roots
             else '<div class="notice">No jobs in this namespace yet.</div>')
    cut = '<p class="muted small">Only the first jobs of the namespace are listed.</p>' if truncated else ""
    return page("LineageLens", head + ui + table + cut)
