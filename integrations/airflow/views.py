"""Server-rendered HTML for the Airflow plugin's pages.

Airflow 3.3 shows plugin pages in an iframe sandboxed with ``allow-scripts allow-same-origin allow-forms
allow-downloads``: no ``allow-popups`` (``target=_blank`` is dead) and no ``allow-top-navigation``
(``target=_top`` is dead too). So every link here navigates inside the frame: the pages are one full-height
frame of the LineageLens UI (``/lineagelens/open?next=...``, which signs the Airflow user in), and on the nav
page a list of DAGs whose links load into that frame. Before the frame is loaded, a small script
(``check.js``) asks the *browser* whether it can reach ``ui_url`` (``GET {ui_url}/healthz``): the Airflow
server reaching the receiver says nothing about whether the user's browser can.

Pure functions of the data they are given; every value from the receiver or the URL is escaped.
"""

from __future__ import annotations

import html
import logging
import urllib.parse
from collections.abc import Sequence
from datetime import UTC, datetime

from lineagelens.integrations.airflow.client import ReceiverSettings, RootSummary, RunSummary

log = logging.getLogger(__name__)

FRAME_NAME = "lineagelens-ui"

STYLE = """
*{box-sizing:border-box}
html,body{height:100%;margin:0}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2933;background:#fff;display:flex;
overflow:hidden}
.side{width:260px;flex-shrink:0;border-right:1px solid #e4e7eb;display:flex;flex-direction:column;min-height:0}
.side-head{padding:10px 12px;border-bottom:1px solid #e4e7eb;font-size:12px;color:#52606d}
.side h2{font-size:12px;text-transform:uppercase;letter-spacing:.05em;color:#66788a;margin:12px 12px 6px}
.dags{list-style:none;margin:0;padding:0 6px 12px;overflow:auto;flex:1;min-height:0}
.dags a{display:block;padding:6px 8px;border-radius:6px;color:#1f2933;text-decoration:none}
.dags a:hover,.dags a.active{background:#eef2ff}
.dags .name{font-weight:600;display:block;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.dags .meta{font-size:12px;color:#66788a}
.main{flex:1;min-width:0;position:relative;display:flex;flex-direction:column}
iframe{border:0;width:100%;flex:1;min-height:0;display:block}
.muted{color:#66788a}.small{font-size:12px}
.badge{display:inline-block;padding:0 6px;border-radius:8px;font-size:11px;font-weight:600;color:#fff;
background:#7b8794}
.s-COMPLETED{background:#2f9e44}.s-FAILED{background:#e03131}.s-ABORTED{background:#f08c00}
.s-RUNNING,.s-NEW,.s-START{background:#1c7ed6}
.notice{margin:16px;padding:12px 14px;border-radius:6px;background:#fff4e6;border:1px solid #ffc078}
.notice.error{background:#fff5f5;border-color:#ffa8a8}
.notice code{overflow-wrap:anywhere}
.checking{margin:16px;color:#66788a}
[hidden]{display:none!important}
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def page(title: str, body: str, *, body_attrs: str = "", script_src: str | None = None) -> str:
    tag = f'<script src="{_e(script_src)}" defer></script>' if script_src else ""
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{STYLE}</style>'
            f"{tag}</head><body{body_attrs}>{body}</body></html>")


def relative(iso: str | None, now: datetime | None = None) -> str:
    """``3 h ago`` for an ISO time (UTC when it has no zone); the text itself when it does not parse."""
    if not iso:
        return ""
    try:
        when = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    seconds = int(((now or datetime.now(UTC)) - when).total_seconds())
    ago = "ago" if seconds >= 0 else "from now"
    seconds = abs(seconds)
    if seconds < 60:
        return "just now"
    for size, unit in ((86400 * 30, None), (86400, "d"), (3600, "h"), (60, "min")):
        if seconds >= size:
            if unit is None:
                return when.strftime("%Y-%m-%d")
            return f"{seconds // size} {unit} {ago}"
    return "just now"  # pragma: no cover - the loop always returns


def state_badge(run: RunSummary | None, now: datetime | None = None) -> str:
    if run is None:
        return '<span class="muted">no run yet</span>'
    when = run.ended_at or run.started_at
    stamp = (f' <time class="muted small" datetime="{_e(when)}" title="{_e(when)}">{_e(relative(when, now))}</time>'
             if when else "")
    return f'<span class="badge s-{_e(run.state)}">{_e(run.state.lower())}</span>{stamp}'


def unavailable(settings: ReceiverSettings | None, reason: str, *, title: str) -> str:
    """The page shown when the receiver is not configured (or, server-side, cannot be reached)."""
    if settings is None:
        detail = ("No LineageLens receiver is configured. Set <code>[lineagelens] url</code> in airflow.cfg "
                  "(or <code>AIRFLOW__LINEAGELENS__URL</code>), or point the OpenLineage provider's "
                  "<code>[openlineage] transport</code> at LineageLens.")
    else:
        detail = (f"LineageLens is unreachable at <code>{_e(settings.url)}</code>: {_e(reason)}. "
                  "Airflow keeps working; lineage shows here again once the receiver answers.")
    return page(title, f'<div class="notice error"><strong>LineageLens unavailable.</strong> {detail}</div>',
                body_attrs=' style="display:block;overflow:auto"')


def open_href(next_path: str, base: str = "") -> str:
    """The plugin route that signs the user in and opens the UI at ``next_path``; ``base`` leads from the page
    to the plugin's root (``../`` from ``dags/<id>``)."""
    return f"{base}open?" + urllib.parse.urlencode({"next": next_path})


def embed_path(namespace: str, dag_id: str) -> str:
    """The UI route drawing one DAG's lineage without the app's chrome."""
    return f"/embed/dag/{urllib.parse.quote(namespace, safe='')}/{urllib.parse.quote(dag_id, safe='')}"


def _frame(settings: ReceiverSettings, src: str, title: str) -> str:
    """The UI frame, loaded by check.js once the browser reached ``ui_url``, and the message shown if not."""
    ui = settings.browser_url
    return (f'<div class="main"><p class="checking" id="ll-checking" role="status">Connecting to LineageLens at '
            f"<code>{_e(ui)}</code>…</p>"
            f'<div class="notice error" id="ll-unreachable" role="alert" hidden><strong>Your browser cannot reach '
            f"LineageLens at <code>{_e(ui)}</code>.</strong> <span id=\"ll-reason\"></span> This address is "
            "<code>[lineagelens] ui_url</code> (or <code>url</code> when <code>ui_url</code> is not set): it must be "
            "one that browsers can open, not only the Airflow server — for example the receiver's public "
            "https address. The receiver must also allow this Airflow in "
            "<code>LINEAGELENS_FRAME_ANCESTORS</code>. <a href=\"\">Try again</a></div>"
            f'<iframe id="ll-frame" name="{FRAME_NAME}" title="{_e(title)}" data-src="{_e(src)}" hidden>'
            "</iframe></div>")


def _attrs(settings: ReceiverSettings) -> str:
    return f' data-ui-url="{_e(settings.browser_url)}"'


def dag_page(settings: ReceiverSettings, dag_id: str) -> str:
    """The DAG tab: one full-height frame of the UI's lineage graph of this DAG."""
    title = f"Lineage of {dag_id}"
    src = open_href(embed_path(settings.namespace, dag_id), base="../")
    return page(title, _frame(settings, src, title), body_attrs=_attrs(settings), script_src="../check.js")


def index_page(settings: ReceiverSettings, *, status: str, roots: Sequence[RootSummary], truncated: bool,
               server_error: str | None = None, now: datetime | None = None) -> str:
    """The nav entry: the DAGs LineageLens knows (links that load their graph into the frame) beside one
    full-height frame of the LineageLens UI."""
    items = "".join(
        f'<li><a href="{_e(open_href(embed_path(settings.namespace, r.job.name)))}" target="{FRAME_NAME}" '
        f'data-dag="{_e(r.job.name)}"><span class="name" title="{_e(r.job.name)}">{_e(r.job.name)}</span>'
        f'<span class="meta">{r.children} task{"" if r.children == 1 else "s"} · {state_badge(r.job.last_run, now)}'
        "</span></a></li>" for r in roots)
    if server_error:
        listing = f'<p class="notice error small">The Airflow server cannot read LineageLens: {_e(server_error)}</p>'
    elif roots:
        listing = f'<ul class="dags">{items}</ul>'
    else:
        listing = '<p class="muted small" style="margin:0 12px">No DAGs with lineage in this namespace yet.</p>'
    cut = ('<p class="muted small" style="margin:0 12px 8px">Only the first jobs of the namespace are listed.</p>'
           if truncated else "")
    side = (f'<nav class="side" aria-label="DAGs with lineage"><div class="side-head">Namespace '
            f"<code>{_e(settings.namespace)}</code> · receiver {_e(status)}</div>"
            f'<ul class="dags" style="flex:0 0 auto;padding-top:6px"><li><a href="{_e(open_href("/"))}" '
            f'target="{FRAME_NAME}"><span class="name">All lineage</span><span class="meta">search, explorer, '
            f"dashboards</span></a></li></ul><h2>DAGs</h2>{listing}{cut}</nav>")
    return page("LineageLens", side + _frame(settings, open_href("/"), "LineageLens"), body_attrs=_attrs(settings),
                script_src="check.js")


# The browser-side reachability check (served as /lineagelens/check.js: no inline script). A no-cors
# fetch resolves (with an opaque answer) when the browser reached the server at all and rejects on a
# network error, a refused connection, a blocked mixed-content request or the 5 s timeout.
CHECK_JS = """(function () {
  var body = document.body;
  var ui = (body.getAttribute('data-ui-url') || '').replace(/\\/+$/, '');
  var frame = document.getElementById('ll-frame');
  var checking = document.getElementById('ll-checking');
  var failed = document.getElementById('ll-unreachable');
  var reason = document.getElementById('ll-reason');
  function unreachable(why) {
    body.setAttribute('data-reachable', 'no');
    checking.hidden = true;
    reason.textContent = why;
    failed.hidden = false;
    var links = document.querySelectorAll('a[target="__FRAME__"]');
    for (var i = 0; i < links.length; i++) links[i].setAttribute('aria-disabled', 'true');
  }
  if (location.protocol === 'https:' && /^http:/i.test(ui)) {
    unreachable('This Airflow page is served over https and cannot show an http address.');
    return;
  }
  var controller = typeof AbortController === 'function' ? new AbortController() : null;
  var timer = setTimeout(function () { if (controller) controller.abort(); }, 5000);
  var signal = controller ? controller.signal : undefined;
  fetch(ui + '/healthz', { mode: 'no-cors', cache: 'no-store', credentials: 'omit', signal: signal })
    .then(function () {
      clearTimeout(timer);
      body.setAttribute('data-reachable', 'yes');
      checking.hidden = true;
      frame.hidden = false;
      frame.src = frame.getAttribute('data-src');
      var links = document.querySelectorAll('a[target="__FRAME__"]');
      for (var i = 0; i < links.length; i++) {
        links[i].addEventListener('click', function (e) {
          var current = document.querySelector('a.active');
          if (current) current.classList.remove('active');
          e.currentTarget.classList.add('active');
        });
      }
    }, function (err) {
      clearTimeout(timer);
      unreachable(err && err.name === 'AbortError' ? 'It did not answer within 5 s.' : 'The connection failed.');
    });
})();
""".replace("__FRAME__", FRAME_NAME)


def check_script() -> str:
    return CHECK_JS

