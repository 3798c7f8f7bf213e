// The explorer's controls: depth, view, filters (kinds, namespaces, jobs hidden), in-graph search,
// path picking and export. Every control writes to the URL state.
import { namespaceShown, toggleNamespace } from '../../lib/graph';
import type { ExplorerState, ExplorerView } from '../../lib/lineage-url';
import type { NodeKind } from '../../types/graph';

const VIEWS: Array<[ExplorerView, string]> = [['graph', 'Graph'], ['column', 'Columns'], ['force', 'Force']];
const KINDS: Array<[NodeKind, string]> = [['dataset', 'Datasets'], ['job', 'Jobs'], ['source', 'Sources']];

export interface ToolbarProps {
  state: ExplorerState;
  update(patch: Partial<ExplorerState>, options?: { push?: boolean }): void;
  namespaces: string[];
  matchCount: number;
  matchIndex: number;
  onNextMatch(step: number): void;
  pickMode: 'from' | 'to' | null;
  onPickPath(): void;
  onFit(): void;
  onExport(format: 'png' | 'svg'): void;
}

export function ExplorerToolbar({ state, update, namespaces, matchCount, matchIndex, onNextMatch, pickMode, onPickPath, onFit, onExport }: ToolbarProps) {
  const toggleKind = (kind: NodeKind) => update({
    hiddenKinds: state.hiddenKinds.includes(kind) ? state.hiddenKinds.filter((k) => k !== kind) : [...state.hiddenKinds, kind],
  });
  const toggleNs = (ns: string) => update({ namespaces: toggleNamespace(state.namespaces, namespaces, ns) });
  const shownCount = namespaces.filter((ns) => namespaceShown(state.namespaces, ns)).length;
  return (
    <div className="toolbar" role="toolbar" aria-label="Lineage controls">
      <div className="segmented" role="group" aria-label="View">
        {VIEWS.map(([v, label]) => (
          <button key={v} type="button" className={state.view === v ? 'is-active' : ''} aria-pressed={state.view === v}
                  onClick={() => update({ view: v }, { push: true })}>{label}</button>
        ))}
      </div>
      <label className="field-inline">
        Depth
        <select value={state.depth} onChange={(e) => update({ depth: Number(e.target.value) }, { push: true })} aria-label="Depth"
                title="Expansions are kept when the depth changes">
          {[1, 2, 3, 4, 5, 6, 8, 10, 15, 20].map((d) => <option key={d} value={d}>{d}</option>)}
        </select>
      </label>
      <label className="check-inline" title="Collapse dataset → job → dataset into dataset → dataset edges">
        <input type="checkbox" checked={state.hideJobs} onChange={(e) => update({ hideJobs: e.target.checked })} disabled={state.view === 'column'} />
        Datasets only
      </label>
      <label className="field-inline" title="Fold nodes into collapsible groups: by namespace, or by hops from the focus node">
        Group
        <select value={state.group} aria-label="Group"
                onChange={(e) => update({ group: e.target.value as ExplorerState['group'], open: [] }, { push: true })} disabled={state.view !== 'graph'}>
          <option value="none">none</option>
          <option value="namespace">by namespace</option>
          <option value="layer">by layer</option>
        </select>
      </label>
      {state.group !== 'none' && state.open.length ? (
        <button type="button" className="btn btn-small" onClick={() => update({ open: [] }, { push: true })}>Close {state.open.length} group{state.open.length === 1 ? '' : 's'}</button>
      ) : null}
      <details className="dropdown">
        <summary className="btn btn-small">Filter{state.hiddenKinds.length + state.namespaces.length ? ` (${state.hiddenKinds.length + state.namespaces.length})` : ''}</summary>
        <div className="dropdown-panel">
          <fieldset>
            <legend>Node types</legend>
            {KINDS.map(([k, label]) => (
              <label key={k} className="check-inline"><input type="checkbox" checked={!state.hiddenKinds.includes(k)} onChange={() => toggleKind(k)} />{label}</label>
            ))}
          </fieldset>
          <fieldset>
            <legend>Namespaces {state.namespaces.length ? <button type="button" className="link-btn" onClick={() => update({ namespaces: [] })}>show all</button> : null}</legend>
            {namespaces.map((ns) => (
              <label key={ns} className="check-inline"><input type="checkbox" checked={namespaceShown(state.namespaces, ns)}
                disabled={shownCount === 1 && namespaceShown(state.namespaces, ns)}
                onChange={() => toggleNs(ns)} />{ns}</label>
            ))}
          </fieldset>
        </div>
      </details>
      <div className="toolbar-search">
        <input type="search" placeholder="Find in graph" aria-label="Find in graph" value={state.q}
               onChange={(e) => update({ q: e.target.value })}
               onKeyDown={(e) => { if (e.key === 'Enter') { e.preventDefault(); onNextMatch(e.shiftKey ? -1 : 1); } }} />
        {state.q ? <span className="match-count" aria-live="polite">{matchCount ? `${matchIndex + 1}/${matchCount}` : 'no match'}</span> : null}
        <button type="button" className="icon-btn" aria-label="Previous match" disabled={!matchCount} onClick={() => onNextMatch(-1)}>‹</button>
        <button type="button" className="icon-btn" aria-label="Next match" disabled={!matchCount} onClick={() => onNextMatch(1)}>›</button>
      </div>
      <button type="button" className={`btn btn-small${pickMode ? ' is-active' : ''}`} aria-pressed={Boolean(pickMode)} onClick={onPickPath}>
        {pickMode === 'from' ? 'Pick start…' : pickMode === 'to' ? 'Pick end…' : 'Find path'}
      </button>
      <span className="toolbar-spacer" />
      <button type="button" className="btn btn-small" onClick={onFit}>Fit</button>
      <details className="dropdown dropdown-right">
        <summary className="btn btn-small">Export</summary>
        <div className="dropdown-panel">
          <button type="button" className="menu-item" onClick={() => onExport('png')}>PNG image</button>
          <button type="button" className="menu-item" onClick={() => onExport('svg')}>SVG image</button>
        </div>
      </details>
    </div>
  );
}
