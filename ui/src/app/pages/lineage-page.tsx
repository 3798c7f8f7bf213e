// The lineage explorer (/lineage?nodeId=…&depth=…): graph, column and force views of one node's
// lineage, with per-node expand/collapse, filters, the dataset-only view, in-graph search, a details
// drawer, path highlighting and PNG/SVG export. All view state is in the URL.
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { ExplorerToolbar } from '../../components/explorer/explorer-toolbar';
import { LineageCanvas, type CanvasFocus } from '../../components/explorer/lineage-canvas';
import { NodeDrawer } from '../../components/explorer/node-drawer';
import { PathPanel } from '../../components/explorer/path-panel';
import { TimeBar, TimeLegend } from '../../components/explorer/time-bar';
import { diffReady, useJobStops, useLineageDiff } from '../../components/explorer/use-time-travel';
import { withTimeStatus } from '../../lib/lineage-diff';
import { focusJob } from '../../lib/lineage-time';
import { HealthBar } from '../../components/impact/health-bar';
import { ImpactPanel } from '../../components/impact/impact-panel';
import { getDurations } from '../../api/runs';
import type { JobDurations } from '../../types/api';
import { blastRadius, failures, healthOverlay, overlayDisplays } from '../../lib/health-overlay';
import { ForceGraph, type ForceGraphHandle } from '../../components/force-graph';
import { Empty, ErrorBox, Spinner } from '../../components/common/feedback';
import { SearchBox } from '../../components/common/search-box';
import { NodeActionsContext, type NodeActions } from '../../components/nodes/node-actions';
import { useExplorerState } from '../../hooks/use-explorer-state';
import { useAsync } from '../../hooks/use-async';
import { listSources } from '../../api/sources';
import { useLayout } from '../../hooks/use-layout';
import { useLiveStream } from '../../hooks/use-live-stream';
import { useNow } from '../../hooks/use-now';
import { liveDisplays } from '../../lib/live-status';
import { datasetFieldLists, fieldKey, fieldLineage } from '../../lib/column-graph';
import { downloadBlob, downloadText, slug, svgToPng } from '../../lib/download';
import { hiddenAfterOps, opKey, pushOp } from '../../lib/expansion';
import { toSvg, type ExportEdge, type ExportNode } from '../../lib/export-svg';
import { columnLayoutInput, graphLayoutInput, makeToggles, toColumnElements, toFlowElements } from '../../lib/flow-elements';
import {
  datasetOnlyView, filterGraph, nameSources, namespacesOf, pathHighlight, pathVisibility, projectHighlight, searchNodes, withoutNodes,
} from '../../lib/graph';
import { groupView } from '../../lib/grouping';
import { parseNodeId, shortName } from '../../lib/node-id';
import { fieldRowY, NODE_HEIGHT, NODE_WIDTH, nodeHeight } from '../../lib/node-size';
import { defaultExplorerState, serializeExplorerState } from '../../lib/lineage-url';
import { navigate, urlOf } from '../../hooks/use-route';
import { useLineageStore } from '../../store/lineage-store';
import { toast } from '../../store/toast-store';
import type { Direction, Graph } from '../../types/graph';

const EMPTY_SET: ReadonlySet<string> = new Set();

export function LineagePage() {
  const [state, update] = useExplorerState();
  const store = useLineageStore();
  const { graph: fetchedGraph, status, error, loaded, pending, columns } = store;
  // Diff mode (docs/ui.md, "Diff mode"): both cones merged, each element with its status, drawn instead.
  const rootId = state.nodeId;
  const jobForTime = useMemo(() => focusJob(rootId, state.selected, fetchedGraph), [rootId, state.selected, fetchedGraph]);
  const knownNamespaces = useMemo(() => namespacesOf(fetchedGraph), [fetchedGraph]);
  const timeRuns = useJobStops(jobForTime, fetchedGraph, knownNamespaces);
  const diff = useLineageDiff(rootId, state.depth, diffReady(state.diff) ? state.diff : null, timeRuns.stops);
  const diffView = state.diff ? diff.view : null;
  const fetched = diffView ? diffView.graph : fetchedGraph;
  // Sources appear on edges only by id: name them from the sources list, once there are any.
  const hasSources = useMemo(() => Object.values(fetched.nodes).some((n) => n.kind === 'source'), [fetched]);
  const sources = useAsync((signal) => (hasSources ? listSources({}, signal).then((r) => r.sources) : Promise.resolve([])), [hasSources]);
  const graph = useMemo(() => nameSources(fetched, Object.fromEntries((sources.data ?? []).map((x) => [x.id, x]))), [fetched, sources.data]);
  const [pickMode, setPickMode] = useState<'from' | 'to' | null>(null);
  const [matchIndex, setMatchIndex] = useState(0);
  const [focus, setFocus] = useState<CanvasFocus | null>(null);
  const [fitCount, setFitCount] = useState(0);
  const forceRef = useRef<ForceGraphHandle>(null);

  // ---- Data -----------------------------------------------------------------------------------
  useEffect(() => {
    if (rootId) void useLineageStore.getState().loadBase(rootId, state.depth, { asOf: state.asOf, includeStale: state.stale });
  }, [rootId, state.depth, state.asOf, state.stale]);

  // Live run states, dataset freshness and source health of this view (docs/ui.md, "Live status").
  const stream = useLiveStream(rootId ? `ws/lineage?nodeId=${encodeURIComponent(rootId)}&depth=${state.depth}` : null);
  const now = useNow();
  const liveConnected = stream.connection === 'connected';
  const live = useMemo(() => liveDisplays(stream.view.nodes, liveConnected, undefined, now), [stream.view.nodes, liveConnected, now]);
  // The health overlay (lib/health-overlay.ts): last run states, "late" against each job's p95, datasets
  // written by a failed or late run flagged; on top of the live statuses.
  const jobIds = useMemo(() => Object.values(fetched.nodes).filter((n) => n.kind === 'job').map((n) => n.id).sort().join('\n'), [fetched]);
  const durations = useAsync((signal) => (jobIds ? getDurations(jobIds.split('\n'), signal) : Promise.resolve<Record<string, JobDurations>>({})), [jobIds]);
  const overlay = useMemo(() => healthOverlay(graph, stream.view.nodes, durations.data ?? {}, now), [graph, stream.view.nodes, durations.data, now]);
  const displays = useMemo(() => overlayDisplays(overlay, live, liveConnected), [overlay, live, liveConnected]);
  const failed = useMemo(() => failures(overlay), [overlay]);
  // New nodes or edges in the view: fetch the lineage again (merged, so expansions stay).
  const graphChanges = stream.view.graphChanges.length;
  useEffect(() => {
    if (graphChanges === 0) return undefined;
    const t = setTimeout(() => void useLineageStore.getState().refreshBase(), 500);
    return () => clearTimeout(t);
  }, [graphChanges]);

  useEffect(() => {
    if (status !== 'ready') return;
    for (const op of state.ops) if (op.action === 'expand') void useLineageStore.getState().expand(op.nodeId, op.direction);
  }, [state.ops, status]);

  // The column view shows the graph view's datasets: fetch field lineage deep enough to reach all of them
  // (a field edge is one dataset hop, two graph edges; each expansion reaches two more), then keep those.
  const expansions = state.ops.filter((op) => op.action === 'expand').length;
  useEffect(() => {
    if (rootId.startsWith('dataset:') && state.view === 'column') {
      void useLineageStore.getState().loadColumns(rootId, Math.min(20, Math.max(state.depth, 2) + 2 * expansions));
    }
  }, [rootId, state.view, state.depth, expansions, store.baseKey]);

  useEffect(() => {
    if (state.pathFrom && state.pathTo) void useLineageStore.getState().loadPath(state.pathFrom, state.pathTo);
    else useLineageStore.getState().clearPath();
  }, [state.pathFrom, state.pathTo, store.baseKey]);

  // ---- What is visible ------------------------------------------------------------------------
  const hidden = useMemo(() => hiddenAfterOps(graph, state.ops, rootId, loaded), [graph, state.ops, rootId, loaded]);
  const expanded = useMemo(() => withoutNodes(graph, hidden), [graph, hidden]);
  const filtered = useMemo(() => filterGraph(expanded, { hiddenKinds: state.hiddenKinds, namespaces: state.namespaces, keep: [rootId] }),
    [expanded, state.hiddenKinds, state.namespaces, rootId]);
  const view: Graph = useMemo(() => (state.hideJobs ? datasetOnlyView(filtered) : filtered), [filtered, state.hideJobs]);
  // Collapsible groups (graph view): closed groups are one node each on the canvas.
  const grouped = useMemo(() => groupView(view, state.view === 'graph' ? state.group : 'none', state.open, rootId),
    [view, state.view, state.group, state.open, rootId]);
  const namespaces = useMemo(() => namespacesOf(graph), [graph]);

  const path = store.path;
  const pathHl = useMemo(() => (path && path.paths.length ? pathHighlight(path.paths) : null), [path]);
  const pathShown = useMemo(() => (path && path.paths.length && state.view !== 'column' ? pathVisibility(view, path.paths.flatMap((p) => p.nodes)) : null),
    [path, view, state.view]);
  const matches = useMemo(() => searchNodes(view, state.q), [view, state.q]);
  const matchSet = useMemo(() => new Set(matches.map((m) => m.id)), [matches]);

  // "What did this break": everything downstream of one failure (or of every failure: blast=*).
  const blast = useMemo(() => {
    if (!state.blast) return null;
    const starts = state.blast === '*' ? failed : [state.blast];
    return { starts, ...blastRadius(expanded, starts) };
  }, [state.blast, failed, expanded]);
  const blastHl = useMemo(() => (blast && !pathHl ? { nodes: blast.nodes, edges: projectHighlight(view, blast) } : null), [blast, pathHl, view]);
  const emphasis = Boolean(pathHl || blastHl);

  const highlightNodes = pathHl ? pathHl.nodes : blastHl ? blastHl.nodes : matchSet;
  const highlightEdges = useMemo(() => (pathHl ? (state.hideJobs ? projectHighlight(view, pathHl) : pathHl.edges) : blastHl ? blastHl.edges : EMPTY_SET),
    [pathHl, blastHl, state.hideJobs, view]);

  // ---- Layout ---------------------------------------------------------------------------------
  // The column view and the graph view show the same datasets: those of the (filtered) graph view, each
  // with its schema and whatever fields the column lineage adds.
  const fieldLists = useMemo(() => {
    if (state.view !== 'column' || !columns) return null;
    const fromColumns = datasetFieldLists(columns, graph);
    const lists: Record<string, string[]> = {};
    for (const node of Object.values(filtered.nodes)) {
      if (node.kind !== 'dataset') continue;
      lists[node.id] = fromColumns[node.id] ?? (node.data.fields ?? []).map((f) => f.name);
    }
    return lists;
  }, [state.view, columns, graph, filtered]);

  const layoutInput = useMemo(() => {
    if (state.view === 'column') return fieldLists && columns ? columnLayoutInput(fieldLists, columns) : { nodes: [], edges: [] };
    return graphLayoutInput(grouped.graph);
  }, [state.view, fieldLists, columns, grouped]);
  const layout = useLayout(layoutInput.nodes, layoutInput.edges, 'auto', state.view === 'column' ? 200 : state.hideJobs ? 170 : undefined);

  // ---- Canvas elements ------------------------------------------------------------------------
  const toggles = useMemo(() => makeToggles(expanded, pending, (id, d) => opKey({ action: 'expand', direction: d, nodeId: id })),
    [expanded, pending]);
  const fieldHl = useMemo(() => {
    if (!columns || !state.field) return null;
    const at = state.field.indexOf('::');
    return at < 0 ? null : fieldLineage(columns, state.field.slice(0, at), state.field.slice(at + 2));
  }, [columns, state.field]);

  const elements = useMemo(() => {
    const base = { rootId, positions: layout.positions, selected: state.selected, live: displays };
    if (state.view === 'column') {
      if (!fieldLists || !columns) return { nodes: [], edges: [] };
      return toColumnElements(graph, columns, fieldLists, {
        ...base, activeFields: fieldHl?.fields ?? EMPTY_SET, activeEdges: fieldHl?.edges ?? EMPTY_SET, selectedField: state.field,
      });
    }
    return withTimeStatus(toFlowElements(grouped.graph, { ...base, highlightNodes, highlightEdges, dimOthers: emphasis, toggles, groups: grouped.groups }),
      graph, diffView);
  }, [rootId, layout.positions, state.selected, state.view, state.field, displays, emphasis, fieldLists, columns, graph, fieldHl,
    highlightNodes, highlightEdges, toggles, grouped, diffView]);

  // While a new layout is computed, keep showing the last laid-out picture (no nodes at 0,0).
  const shownRef = useRef(elements);
  if (layout.ready) shownRef.current = elements;
  const shown = layout.ready ? elements : shownRef.current;

  // ---- Actions --------------------------------------------------------------------------------
  const onToggle = useCallback((nodeId: string, direction: Direction, action: 'expand' | 'collapse') => {
    const current = useLineageStore.getState();
    const ops = pushOp(state.ops, { action, direction, nodeId });
    update({ ops }, { push: true });
    if (action === 'expand') {
      const before = new Set(Object.keys(withoutNodes(current.graph, hiddenAfterOps(current.graph, state.ops, rootId, current.loaded)).nodes));
      void current.expand(nodeId, direction).then((ids) => {
        if (ids.length > 0 && ids.every((id) => before.has(id))) toast.info(`No more ${direction === 'up' ? 'upstream' : 'downstream'} for ${shortName(current.graph.nodes[nodeId]?.name ?? nodeId)}`);
      });
    }
  }, [state.ops, rootId, update]);

  const onSelectField = useCallback((nodeId: string, field: string) => {
    const key = fieldKey(nodeId, field);
    update({ field: state.field === key ? null : key });
  }, [state.field, update]);

  const onOpenGroup = useCallback((key: string) => update({ open: [...state.open.filter((k) => k !== key), key] }, { push: true }), [state.open, update]);
  const actions = useMemo<NodeActions>(() => ({ toggle: onToggle, selectField: onSelectField, openGroup: onOpenGroup }), [onToggle, onSelectField, onOpenGroup]);

  const onNodeClick = useCallback((id: string) => {
    const group = grouped.groups[id];
    if (group && !pickMode) {
      onOpenGroup(group.key);
      return;
    }
    if (pickMode === 'from') {
      update({ pathFrom: id, pathTo: null });
      setPickMode('to');
    } else if (pickMode === 'to') {
      update({ pathTo: id });
      setPickMode(null);
    } else {
      update({ selected: id });
    }
  }, [pickMode, update, grouped, onOpenGroup]);

  const onNextMatch = (step: number) => {
    if (matches.length === 0) return;
    const next = (matchIndex + step + matches.length) % matches.length;
    setMatchIndex(next);
    const id = matches[next]!.id;
    setFocus({ id, token: Date.now() });
  };

  useEffect(() => {
    setMatchIndex(0);
    if (matches[0] && state.view !== 'force') setFocus({ id: matches[0].id, token: Date.now() });
    // centre the first match when the query changes
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [state.q]);

  const onExport = async (format: 'png' | 'svg') => {
    let svg: string;
    if (state.view === 'force') svg = forceRef.current?.exportSvg() ?? '';
    else svg = exportPicture();
    if (!svg) return;
    const name = `lineage-${slug(shortName(graph.nodes[rootId]?.name ?? rootId))}-${state.view}`;
    if (format === 'svg') downloadText(svg, `${name}.svg`, 'image/svg+xml');
    else downloadBlob(await svgToPng(svg), `${name}.png`);
    document.querySelectorAll<HTMLDetailsElement>('.dropdown[open]').forEach((d) => (d.open = false));
  };

  const exportPicture = (): string => {
    const nodes: ExportNode[] = elements.nodes.map((n) => ({
      id: n.id, kind: n.data.kind, label: n.data.label, sublabel: n.data.subtitle, x: n.position.x, y: n.position.y,
      width: NODE_WIDTH, height: n.data.fields ? nodeHeight(n.data.fields.length) : NODE_HEIGHT,
      ...(n.data.fields ? { fields: n.data.fields } : {}), highlighted: Boolean(n.data.highlighted),
    }));
    const edges: ExportEdge[] = elements.edges.map((e) => {
      const srcFields = fieldLists?.[e.source];
      const dstFields = fieldLists?.[e.target];
      const sf = e.sourceHandle?.slice(4);
      const tf = e.targetHandle?.slice(3);
      return {
        source: e.source, target: e.target, manual: Boolean(e.data?.manual), highlighted: Boolean(e.data?.highlighted),
        ...(e.data?.label ? { label: e.data.label } : e.data?.manual ? { label: 'manual' } : {}),
        ...(srcFields && sf !== undefined ? { sourceY: fieldRowY(srcFields.indexOf(sf)) } : {}),
        ...(dstFields && tf !== undefined ? { targetY: fieldRowY(dstFields.indexOf(tf)) } : {}),
      };
    });
    return toSvg(nodes, edges, { title: `Lineage of ${rootId}` });
  };

  // ---- Render ---------------------------------------------------------------------------------
  if (!rootId) {
    return (
      <div className="page page-narrow">
        <h1>Lineage explorer</h1>
        <p className="muted">Pick a dataset or job to see where its data comes from and where it goes.</p>
        <SearchBox autoFocus onPick={(r) => navigate(urlOf({ name: 'lineage', search: serializeExplorerState(defaultExplorerState(r.datasetId ?? r.id)) }))} />
      </div>
    );
  }

  const selectedNode = state.selected ? graph.nodes[state.selected] : undefined;
  const rootParsed = parseNodeId(rootId, namespaces);
  const fitKey = `${layout.key}#${fitCount}#${state.view}#${state.pathFrom ? 'path' : ''}`;
  const columnEmpty = state.view === 'column' && store.columnsStatus === 'ready' && columns && columns.edges.length === 0;
  const columnNeedsDataset = state.view === 'column' && !rootId.startsWith('dataset:');

  return (
    <div className="explorer">
      <div className="explorer-head">
        <div className="explorer-title">
          <span className="eyebrow">Lineage of</span>
          <h1 title={rootId}>{shortName(rootParsed?.name ?? rootId)}</h1>
          <span className="muted">{rootParsed?.namespace}</span>
        </div>
        <div className="explorer-stats muted" aria-live="polite">
          {state.view === 'column'
            ? `${elements.nodes.length} datasets · ${elements.edges.length} column edges`
            : `${Object.keys(view.nodes).length} nodes · ${Object.keys(view.edges).length} edges`}
          {layout.engine ? ` · ${layout.engine === 'elk' ? 'ELK' : 'fast layered'} layout ${Math.round(layout.ms)} ms` : ''}
          {store.truncated ? <span className="warn-text"> · truncated at the server's node cap</span> : null}
        </div>
      </div>
      <ExplorerToolbar state={state} update={update} namespaces={namespaces} matchCount={matches.length} matchIndex={matchIndex}
                       onNextMatch={onNextMatch} pickMode={pickMode}
                       onPickPath={() => {
                         if (pickMode) setPickMode(null);
                         else {
                           update({ pathFrom: null, pathTo: null });
                           setPickMode('from');
                         }
                       }}
                       onFit={() => (state.view === 'force' ? forceRef.current?.fit() : setFitCount((c) => c + 1))}
                       onExport={(f) => void onExport(f)} />
      <TimeBar state={state} update={update} job={timeRuns.job} stops={timeRuns.stops}
               diff={{ data: state.diff ? diff.diff : null, view: diffView, loading: diff.loading, error: diff.error }} />
      <HealthBar failures={failed} overlay={overlay} blast={blast} known={namespaces}
                 drawn={blast ? [...blast.nodes].filter((id) => view.nodes[id]).length : 0}
                 onBlast={(id) => update({ blast: id }, { push: true })}
                 onImpact={(id) => update({ impact: id, impactDir: 'downstream' }, { push: true })} />
      {pickMode ? <div className="hint-bar" role="status">{pickMode === 'from' ? 'Click the node the path starts at.' : 'Now click the node the path ends at.'} <button type="button" className="link-btn" onClick={() => setPickMode(null)}>Cancel</button></div> : null}
      <div className="explorer-body">
        <div className="canvas-wrap" data-testid="lineage-canvas" data-view={state.view} data-layout-engine={layout.engine ?? ''}>
          {status === 'loading' ? <div className="canvas-overlay"><Spinner label="Loading lineage…" /></div> : null}
          {status === 'error' ? <div className="canvas-overlay"><ErrorBox title="Could not load the lineage" message={error ?? ''} onRetry={() => void useLineageStore.getState().loadBase(rootId, state.depth)} /></div> : null}
          {state.view === 'column' && store.columnsStatus === 'loading' ? <div className="canvas-overlay"><Spinner label="Loading column lineage…" /></div> : null}
          {state.view === 'column' && store.columnsStatus === 'error' ? <div className="canvas-overlay"><ErrorBox title="Could not load column lineage" message={store.columnsError ?? ''} /></div> : null}
          {columnNeedsDataset ? <div className="canvas-banner">The column view starts from a dataset: open a dataset and choose Columns.</div> : null}
          {columnEmpty ? <div className="canvas-banner">No column-level lineage recorded around this node.</div> : null}
          {state.view === 'column' && !fieldHl && columns && columns.edges.length > 0 ? <div className="canvas-banner">Click a field to highlight the fields it derives from.</div> : null}
          {status === 'ready' && state.view === 'force' ? (
            <ForceGraph ref={forceRef} graph={view} rootId={rootId} selected={state.selected} highlightNodes={highlightNodes}
                        highlightEdges={highlightEdges} dimOthers={emphasis} onNodeClick={onNodeClick} />
          ) : null}
          {status === 'ready' && state.view !== 'force' ? (
            <NodeActionsContext.Provider value={actions}>
              <LineageCanvas nodes={shown.nodes} edges={shown.edges} fitKey={layout.ready ? fitKey : ''} fitAll={fitCount > 0} rootId={rootId} focus={focus}
                             onNodeClick={onNodeClick} onPaneClick={() => state.selected && update({ selected: null })}
                             onFirstPaint={() => performance.mark('lineagelens:first-paint')} />
            </NodeActionsContext.Provider>
          ) : null}
          <Legend>{state.view !== 'column' ? <TimeLegend stale={state.stale} diff={Boolean(diffView)} /> : null}</Legend>
        </div>
        {state.pathFrom ? (
          <PathPanel from={state.pathFrom} to={state.pathTo} status={store.pathStatus} error={store.pathError} result={path} known={namespaces}
                     shown={pathShown}
                     onShowAll={() => update({ hiddenKinds: [], namespaces: [], hideJobs: false })}
                     onClear={() => { update({ pathFrom: null, pathTo: null }); setPickMode(null); }} />
        ) : null}
        {state.impact ? (
          <ImpactPanel nodeId={state.impact} direction={state.impactDir} known={namespaces}
                       onDirection={(d) => update({ impactDir: d })} onClose={() => update({ impact: null, impactDir: 'downstream' })}
                       onPick={(id) => (view.nodes[id] ? update({ selected: id }) : update({ ...defaultExplorerState(id), depth: state.depth }, { push: true }))} />
        ) : null}
        {selectedNode ? (
          <NodeDrawer node={selectedNode} graph={expanded} onClose={() => update({ selected: null })} health={overlay[selectedNode.id] ?? null}
                      onImpact={() => update({ impact: selectedNode.id, impactDir: 'downstream' }, { push: true })}
                      onBlast={() => update({ blast: selectedNode.id }, { push: true })}
                      onFocus={() => update({ ...defaultExplorerState(selectedNode.id), depth: state.depth, view: state.view === 'column' && selectedNode.kind !== 'dataset' ? 'graph' : state.view }, { push: true })}
                      onPathFrom={() => { update({ pathFrom: selectedNode.id, pathTo: null }); setPickMode('to'); }}
                      onPathTo={() => update({ pathTo: selectedNode.id, pathFrom: state.pathFrom ?? rootId })}
                      onColumns={() => update({ ...defaultExplorerState(selectedNode.id), depth: state.depth, view: 'column' }, { push: true })} />
        ) : null}
        {status === 'ready' && Object.keys(graph.nodes).length === 0 ? <div className="canvas-overlay"><Empty title="Nothing to show">This node has no recorded lineage.</Empty></div> : null}
      </div>
    </div>
  );
}

function Legend({ children }: { children?: ReactNode }) {
  return (
    <div className="legend" aria-label="Legend" data-testid="legend">
      <span><i className="legend-swatch kind-dataset" />Dataset</span>
      <span><i className="legend-swatch kind-job" />Job</span>
      <span><i className="legend-swatch kind-source" />Source</span>
      <span><i className="legend-line" />Observed</span>
      <span><i className="legend-line is-manual" />Manual</span>
      {children}
    </div>
  );
}
