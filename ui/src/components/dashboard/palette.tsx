// The dashboard palette: source node types from GET /node-types (grouped, searchable; each a
// template with its default config), existing sources, and datasets/jobs found by search. Items are
// dragged onto the canvas, or placed at its centre with Enter/Space (keyboard access).
import { useEffect, useState, type DragEvent } from 'react';
import { search } from '../../api/search';
import type { DashboardNode, NodeType, SearchResult, Source } from '../../types/api';
import { DRAG_MIME, encodePayload, groupNodeTypes, type PalettePayload } from '../../lib/palette';
import { shortName } from '../../lib/node-id';
import { KindIcon } from '../nodes/kind-icon';
import { StatusDot } from '../nodes/status-dot';
import { sourceStateToStatus } from '../../types/graph';

export interface PaletteProps {
  nodeTypes: NodeType[] | null;
  nodeTypesError: string | null;
  sources: Source[];
  onPlace(payload: PalettePayload): void;
}

function Item({ payload, label, sub, icon, kind, status, testId, onPlace }: {
  payload: PalettePayload; label: string; sub?: string | undefined; icon?: string | undefined; kind: DashboardNode['ref']['kind'];
  status?: ReturnType<typeof sourceStateToStatus> | undefined; testId: string; onPlace(p: PalettePayload): void;
}) {
  const onDragStart = (e: DragEvent<HTMLButtonElement>) => {
    e.dataTransfer.setData(DRAG_MIME, encodePayload(payload));
    e.dataTransfer.setData('text/plain', label);
    e.dataTransfer.effectAllowed = 'copy';
  };
  return (
    <li>
      <button type="button" className={`palette-item kind-${kind}`} draggable onDragStart={onDragStart} onClick={() => onPlace(payload)}
              data-testid={testId} aria-label={`Add ${label} to the canvas`} title="Drag onto the canvas, or press Enter to place it in the middle">
        <span className="palette-icon"><KindIcon kind={kind} icon={icon} size={16} /></span>
        <span className="palette-text"><span className="palette-label">{label}</span>{sub ? <span className="palette-sub">{sub}</span> : null}</span>
        <StatusDot status={status} />
      </button>
    </li>
  );
}

export function Palette({ nodeTypes, nodeTypesError, sources, onPlace }: PaletteProps) {
  const [filter, setFilter] = useState('');
  const [q, setQ] = useState('');
  const [results, setResults] = useState<SearchResult[]>([]);
  useEffect(() => {
    if (!q.trim()) {
      setResults([]);
      return;
    }
    const controller = new AbortController();
    const timer = setTimeout(() => {
      search(q.trim(), '', 20, controller.signal).then((r) => setResults(r.results.filter((x) => x.type !== 'DATASET_FIELD')), () => setResults([]));
    }, 200);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [q]);
  const groups = groupNodeTypes(nodeTypes ?? [], filter);
  const labelOf = (kind: string) => nodeTypes?.find((t) => t.kind === kind)?.label ?? kind;
  const iconOf = (kind: string) => nodeTypes?.find((t) => t.kind === kind)?.icon;
  const shownSources = sources.filter((s) => !filter || s.name.toLowerCase().includes(filter.toLowerCase()) || s.kind.includes(filter.toLowerCase()));
  return (
    <aside className="palette" aria-label="Node palette" data-testid="palette">
      <div className="palette-section">
        <h2>Add a source</h2>
        <input type="search" placeholder="Filter node types" aria-label="Filter node types" value={filter} onChange={(e) => setFilter(e.target.value)} />
        {nodeTypesError ? <p className="muted small">Node types are unavailable: {nodeTypesError}</p> : null}
        {nodeTypes === null && !nodeTypesError ? <p className="muted small">Loading node types…</p> : null}
        {groups.map((g) => (
          <div key={g.category} className="palette-group">
            <h3>{g.category}</h3>
            <ul>
              {g.types.map((t) => (
                <Item key={t.kind} kind="source" icon={t.icon} label={t.label} sub={t.kind} testId={`palette-type-${t.kind}`}
                      payload={{ type: 'node-type', kind: t.kind }} onPlace={onPlace} />
              ))}
            </ul>
          </div>
        ))}
        {nodeTypes && groups.length === 0 ? <p className="muted small">No node type matches.</p> : null}
      </div>
      {shownSources.length > 0 ? (
        <div className="palette-section">
          <h2>Existing sources</h2>
          <ul>
            {shownSources.map((s) => (
              <Item key={s.id} kind="source" icon={iconOf(s.kind)} label={s.name} sub={labelOf(s.kind)} status={sourceStateToStatus(s.status?.state ?? 'unknown')}
                    testId={`palette-source-${s.id}`} payload={{ type: 'ref', ref: { kind: 'source', id: s.id } }} onPlace={onPlace} />
            ))}
          </ul>
        </div>
      ) : null}
      <div className="palette-section">
        <h2>Datasets and jobs</h2>
        <input type="search" placeholder="Search to place…" aria-label="Search datasets and jobs to place" value={q} onChange={(e) => setQ(e.target.value)} />
        <ul>
          {results.map((r) => (
            <Item key={r.id} kind={r.type === 'JOB' ? 'job' : 'dataset'} label={shortName(r.name)} sub={r.namespace} testId={`palette-ref-${r.id}`}
                  payload={{ type: 'ref', ref: { kind: r.type === 'JOB' ? 'job' : 'dataset', id: r.id } }} onPlace={onPlace} />
          ))}
        </ul>
        {q && results.length === 0 ? <p className="muted small">No match.</p> : null}
      </div>
    </aside>
  );
}
