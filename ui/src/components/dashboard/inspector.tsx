// The selected dashboard node or edge: what it is, its live status, its note, and keyboard-reachable
// actions (connect to another node, test a source, remove).
import { useEffect, useState } from 'react';
import { testSource } from '../../api/sources';
import { errorMessage } from '../../api/client';
import type { DashboardEdge, DashboardNode, Source } from '../../types/api';
import { formatRelative } from '../../lib/format';
import type { NodeLive } from '../../lib/live-messages';
import { liveDisplay, METRIC_LABELS, type MetricKey } from '../../lib/live-status';
import { Link } from '../common/link';
import { StatusDot } from '../nodes/status-dot';
import { sourceStateToStatus } from '../../types/graph';
import type { NodeHealth } from '../../lib/health-overlay';
import { RunLink } from '../common/run-link';
import { SlaTiles } from '../alerts/sla-tiles';

function NoteEditor({ value, onSave, label }: { value: string | null | undefined; onSave(v: string | null): void; label: string }) {
  const [text, setText] = useState(value ?? '');
  useEffect(() => setText(value ?? ''), [value]);
  return (
    <div className="form-row">
      <label htmlFor="note">{label}</label>
      <textarea id="note" rows={3} value={text} onChange={(e) => setText(e.target.value)} onBlur={() => text !== (value ?? '') && onSave(text || null)}
                placeholder="Add a note…" data-testid="note-input" />
      <button type="button" className="btn btn-small" disabled={text === (value ?? '')} onClick={() => onSave(text || null)}>Save note</button>
    </div>
  );
}

function ReadOnlyNote({ value }: { value: string | null | undefined }) {
  return value ? <div className="form-row"><span className="small muted">Note</span><p>{value}</p></div> : null;
}

/** The node's live status (from the dashboard's stream) and which metric its card shows. */
function LiveSection({ live, connected, metric, onMetric }: { live: NodeLive | null; connected: boolean; metric: MetricKey; onMetric(m: MetricKey): void }) {
  const display = live ? liveDisplay(live, { connected, metric }) : null;
  const choices = (Object.keys(METRIC_LABELS) as MetricKey[]).filter((k) => live?.kind === 'job' || ['auto', 'lastRun', 'none'].includes(k));
  return (
    <div className="form-row" data-testid="inspector-live">
      <span className="small muted">Live status</span>
      {display ? (
        <p className="inspector-status"><StatusDot status={display.status} text={display.statusText} /> <span>{display.statusText}</span></p>
      ) : <p className="muted small">{connected ? 'No status reported for this node yet.' : 'Not connected to the live stream.'}</p>}
      <label htmlFor="card-metric">Show on the card</label>
      <select id="card-metric" value={metric} onChange={(e) => onMetric(e.target.value as MetricKey)}>
        {choices.map((k) => <option key={k} value={k}>{METRIC_LABELS[k]}</option>)}
      </select>
    </div>
  );
}

export function NodeInspector({ node, label, source, others, onNote, onConnect, onRemove, editable = true, live = null, liveConnected = false, metric = 'auto', onMetric, onTested, health = null, onBlast }: {
  node: DashboardNode; label: (n: DashboardNode) => string; source: Source | undefined; others: DashboardNode[]; editable?: boolean;
  onNote(note: string | null): void; onConnect(targetId: string): void; onRemove(): void;
  live?: NodeLive | null; liveConnected?: boolean; metric?: MetricKey; onMetric?(m: MetricKey): void;
  /** A connection test finished: the source's recorded status changed (fetch it again). */
  onTested?(sourceId: string): void;
  /** The health overlay's verdict on this node, and "what did this break" from it. */
  health?: NodeHealth | null;
  onBlast?(): void;
}) {
  const [target, setTarget] = useState('');
  const [test, setTest] = useState<string | null>(null);
  const [testing, setTesting] = useState(false);
  const parsedPage = node.ref.kind === 'dataset' || node.ref.kind === 'job';
  return (
    <aside className="inspector" aria-label="Selected node" data-testid="inspector">
      <h2>{label(node)}</h2>
      <p className="muted">{node.ref.kind}{source ? ` · ${source.kind}` : ''}</p>
      {source ? (
        <div className="inspector-status">
          <StatusDot status={sourceStateToStatus(source.status?.state ?? 'unknown')} text={source.status?.message ?? undefined} />
          <span data-testid="source-state">{source.status?.state ?? 'unknown'}{source.status?.checkedAt ? ` · checked ${formatRelative(source.status.checkedAt)}` : ''}</span>
          {editable ? <button type="button" className="btn btn-small" disabled={testing} onClick={() => {
            setTesting(true);
            testSource(source.id).then((r) => setTest(`${r.ok ? 'OK' : 'Failed'}: ${r.message}${r.latencyMs !== null ? ` (${r.latencyMs} ms)` : ''}`),
              (err: unknown) => setTest(errorMessage(err))).finally(() => { setTesting(false); onTested?.(source.id); });
          }}>{testing ? 'Testing…' : 'Test connection'}</button> : null}
          {test ? <p className="small">{test}</p> : null}
        </div>
      ) : null}
      {health && (health.health === 'failed' || health.health === 'late') ? (
        <div className="inspector-health" data-testid="inspector-health">
          <p className="small">{health.reason}{health.runId ? <> · <RunLink id={health.runId} /></> : null}</p>
          {onBlast ? <button type="button" className="btn btn-small btn-danger-soft" onClick={onBlast}>What did this break?</button> : null}
        </div>
      ) : null}
      {onMetric ? <LiveSection live={live} connected={liveConnected} metric={metric} onMetric={onMetric} /> : null}
      {node.ref.kind === 'dataset' || node.ref.kind === 'job' ? (
        <div className="inspector-sla" data-testid="inspector-sla"><h3>SLA</h3><SlaTiles nodeId={node.ref.id} kind={node.ref.kind} compact /></div>
      ) : null}
      {parsedPage ? <p><Link to={{ name: 'lineage', search: `nodeId=${encodeURIComponent(node.ref.id)}` }}>Open lineage</Link></p> : null}
      {editable ? <>
        <NoteEditor value={node.note} onSave={onNote} label="Note" />
        <div className="form-row">
          <label htmlFor="connect-to">Connect to (manual lineage edge)</label>
          <div className="row">
            <select id="connect-to" value={target} onChange={(e) => setTarget(e.target.value)}>
              <option value="">Choose a node…</option>
              {others.map((o) => <option key={o.id} value={o.id}>{label(o)}</option>)}
            </select>
            <button type="button" className="btn btn-small" disabled={!target} onClick={() => { onConnect(target); setTarget(''); }}>Connect</button>
          </div>
        </div>
        <button type="button" className="btn btn-danger btn-small" onClick={onRemove}>Remove from dashboard</button>
      </> : <ReadOnlyNote value={node.note} />}
    </aside>
  );
}

export function EdgeInspector({ edge, sourceLabel, targetLabel, onNote, onRemove, editable = true }: {
  edge: DashboardEdge; sourceLabel: string; targetLabel: string; onNote(note: string | null): void; onRemove(): void; editable?: boolean;
}) {
  return (
    <aside className="inspector" aria-label="Selected edge" data-testid="inspector">
      <h2>Manual edge</h2>
      <p>{sourceLabel} → {targetLabel}</p>
      <p className="muted small">Stored as lineage (FLOWS_TO, origin manual): lineage views show it dashed.</p>
      {editable ? <>
        <NoteEditor value={edge.note} onSave={onNote} label="Note" />
        <button type="button" className="btn btn-danger btn-small" onClick={onRemove}>Remove edge</button>
      </> : <ReadOnlyNote value={edge.note} />}
    </aside>
  );
}
