// The dashboard editor (/dashboards/:id): palette → canvas by drag and drop (or keyboard), source
// creation from a JSON-Schema form, manual lineage edges, notes, undo/redo, autosave with a visible
// save state and 409 conflict resolution, export and import.
import {
  Background, BackgroundVariant, Controls, MiniMap, ReactFlow, ReactFlowProvider, useReactFlow,
  type Connection, type EdgeChange, type NodeChange, type Viewport as FlowViewport,
} from '@xyflow/react';
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import { exportDashboard, importDashboard } from '../../api/dashboards';
import { errorMessage } from '../../api/client';
import { listNamespaces } from '../../api/marquez';
import { listNodeTypes } from '../../api/node-types';
import { getSource, listSources } from '../../api/sources';
import { ErrorBox, Spinner } from '../../components/common/feedback';
import { Link } from '../../components/common/link';
import { ConflictDialog } from '../../components/dashboard/conflict-dialog';
import { EdgeInspector, NodeInspector } from '../../components/dashboard/inspector';
import { Palette } from '../../components/dashboard/palette';
import { SaveIndicator } from '../../components/dashboard/save-indicator';
import { SourceForm } from '../../components/dashboard/source-form';
import { edgeTypes, nodeTypes as nodeTypeRegistry } from '../../components/nodes/registry';
import { useAsync } from '../../hooks/use-async';
import { useAutosave } from '../../hooks/use-autosave';
import { useCanEdit } from '../../hooks/use-can-edit';
import { useLiveStream } from '../../hooks/use-live-stream';
import { useNow } from '../../hooks/use-now';
import { navigate } from '../../hooks/use-route';
import {
  addNode, connect, findByRef, moveNodes, newId, removeEdges, removeNodes, rename, setEdgeNote, setNodeNote, setViewport,
} from '../../lib/dashboard-doc';
import { downloadText, slug } from '../../lib/download';
import { KIND_COLORS } from '../../lib/export-svg';
import { liveDisplay, type MetricKey } from '../../lib/live-status';
import { latestSourceLive } from '../../lib/source-health';
import { blastRadius, dashboardGraph, failures, healthOverlay, overlayDisplays } from '../../lib/health-overlay';
import { getDurations } from '../../api/runs';
import type { JobDurations } from '../../types/api';
import { chooseMetric, liveNodeId, readMetricChoices, type MetricChoices } from '../../lib/metric-choice';
import { parseNodeId, shortName } from '../../lib/node-id';
import { NODE_HEIGHT, NODE_WIDTH, nodeHandles } from '../../lib/node-size';
import { decodePayload, DRAG_MIME, type PalettePayload } from '../../lib/palette';
import { useDashboardStore } from '../../store/dashboard-store';
import { toast } from '../../store/toast-store';
import type { DashboardNode, NodeType, Source } from '../../types/api';
import type { LineageFlowEdge, LineageFlowNode } from '../../types/flow';
import { sourceStateToStatus, type NodeKind } from '../../types/graph';

function browserStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/** The handles of every dashboard card (no field rows on dashboards). */
const EDITOR_HANDLES = nodeHandles();

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return Boolean(el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable));
}

function Editor({ id }: { id: string }) {
  const store = useDashboardStore();
  // Viewers see the dashboard read-only: no palette, no dragging, connecting or deleting, no autosave edits.
  const editable = useCanEdit();
  const doc = store.history?.present ?? null;
  const flow = useReactFlow<LineageFlowNode, LineageFlowEdge>();
  const wrapper = useRef<HTMLDivElement>(null);
  const [selection, setSelection] = useState<{ nodes: string[]; edges: string[] }>({ nodes: [], edges: [] });
  const [pendingSource, setPendingSource] = useState<{ type: NodeType; position: { x: number; y: number } } | null>(null);
  const [editingName, setEditingName] = useState(false);
  const [conflictOpen, setConflictOpen] = useState(true);
  const viewportApplied = useRef(false);
  // Controlled nodes: React Flow's measurements are kept here and handed back on every render.
  const [measured, setMeasured] = useState<Record<string, { width: number; height: number }>>({});

  // Live status of every node on this dashboard, and the metric each card shows (kept in this browser).
  const stream = useLiveStream(`ws/monitoring/${encodeURIComponent(id)}`);
  const liveConnected = stream.connection === 'connected';
  const now = useNow();
  const [metrics, setMetrics] = useState<MetricChoices>(() => readMetricChoices(browserStorage(), id));
  const pickMetric = useCallback((nodeId: string, metric: MetricKey) => setMetrics((m) => chooseMetric(browserStorage(), id, m, nodeId, metric)), [id]);

  const nodeTypesState = useAsync((signal) => listNodeTypes(signal), []);
  const namespaces = useAsync((signal) => listNamespaces(signal).then((ns) => ns.map((n) => n.name)).catch(() => [] as string[]), []);
  const sourcesList = useAsync((signal) => listSources({}, signal).then((r) => r.sources).catch(() => [] as Source[]), []);

  useEffect(() => {
    void useDashboardStore.getState().load(id);
  }, [id]);
  useEffect(() => {
    if (sourcesList.data) useDashboardStore.getState().upsertSources(sourcesList.data);
  }, [sourcesList.data]);
  // Sources placed on this dashboard but not in the list (e.g. just imported): fetch them one by one.
  const missingSources = useMemo(() => (doc?.nodes ?? []).filter((n) => n.ref.kind === 'source' && !store.sources[n.ref.id]).map((n) => n.ref.id),
    [doc?.nodes, store.sources]);
  useEffect(() => {
    if (!sourcesList.data) return;
    for (const sid of missingSources) getSource(sid).then((s) => useDashboardStore.getState().upsertSources([s]), () => undefined);
  }, [missingSources, sourcesList.data]);
  useEffect(() => {
    if (store.saveState === 'conflict') setConflictOpen(true);
  }, [store.saveState]);

  useAutosave();

  // Keyboard: undo/redo anywhere on the page except while typing.
  useEffect(() => {
    if (!editable) return undefined;
    const onKey = (e: KeyboardEvent) => {
      if (isTyping(e.target) || !(e.ctrlKey || e.metaKey)) return;
      const k = e.key.toLowerCase();
      if (k === 'z' && !e.shiftKey) { e.preventDefault(); useDashboardStore.getState().undo(); }
      else if ((k === 'z' && e.shiftKey) || k === 'y') { e.preventDefault(); useDashboardStore.getState().redo(); }
      else if (k === 's') { e.preventDefault(); void useDashboardStore.getState().save(); }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [editable]);

  // Restore the saved viewport once.
  useEffect(() => {
    if (!doc || viewportApplied.current) return;
    viewportApplied.current = true;
    if (doc.nodes.length > 0 && doc.viewport && (doc.viewport.x !== 0 || doc.viewport.y !== 0 || doc.viewport.zoom !== 1)) {
      void flow.setViewport(doc.viewport);
    } else if (doc.nodes.length > 0) {
      requestAnimationFrame(() => void flow.fitView({ padding: 0.2, maxZoom: 1.2 }));
    }
  }, [doc, flow]);

  const nodeTypeList = nodeTypesState.data ?? null;
  const typeOf = useCallback((kind: string) => nodeTypeList?.find((t) => t.kind === kind), [nodeTypeList]);

  const labelOf = useCallback((n: DashboardNode) => {
    if (n.ref.kind === 'source') return store.sources[n.ref.id]?.name ?? 'Source';
    const parsed = parseNodeId(n.ref.id, namespaces.data ?? []);
    return shortName(parsed?.name ?? n.ref.id);
  }, [store.sources, namespaces.data]);

  // The health overlay on the dashboard's own nodes and edges (lib/health-overlay.ts): late jobs, datasets
  // written by a failed or late run, and "what did this break" along the dashboard's edges.
  const dashGraph = useMemo(() => dashboardGraph(doc?.nodes ?? [], doc?.edges ?? []), [doc?.nodes, doc?.edges]);
  const liveByNode = useMemo(() => Object.fromEntries((doc?.nodes ?? []).flatMap((n) => {
    const l = stream.view.nodes[liveNodeId(n.ref)];
    return l ? [[n.id, l]] : [];
  })), [doc?.nodes, stream.view.nodes]);
  const jobRefs = useMemo(() => [...new Set((doc?.nodes ?? []).filter((n) => n.ref.kind === 'job').map((n) => n.ref.id))].sort().join('\n'), [doc?.nodes]);
  const refDurations = useAsync((signal) => (jobRefs ? getDurations(jobRefs.split('\n'), signal) : Promise.resolve<Record<string, JobDurations>>({})), [jobRefs]);
  const overlay = useMemo(() => {
    const byNode = Object.fromEntries((doc?.nodes ?? []).flatMap((n) => {
      const d = refDurations.data?.[n.ref.id];
      return d ? [[n.id, d]] : [];
    }));
    return healthOverlay(dashGraph, liveByNode, byNode, now);
  }, [doc?.nodes, refDurations.data, dashGraph, liveByNode, now]);
  const broken = useMemo(() => failures(overlay), [overlay]);
  const [blastFrom, setBlastFrom] = useState<string | null>(null);
  const blast = useMemo(() => (blastFrom ? blastRadius(dashGraph, blastFrom === '*' ? broken : [blastFrom]) : null), [blastFrom, broken, dashGraph]);

  const flowNodes: LineageFlowNode[] = useMemo(() => (doc?.nodes ?? []).map((n) => {
    const kind: NodeKind = n.ref.kind;
    const source = n.ref.kind === 'source' ? store.sources[n.ref.id] : undefined;
    const parsed = n.ref.kind !== 'source' ? parseNodeId(n.ref.id, namespaces.data ?? []) : null;
    const type = source ? typeOf(source.kind) : undefined;
    const liveNode = latestSourceLive(stream.view.nodes[liveNodeId(n.ref)], source);
    const liveShown = liveNode ? liveDisplay(liveNode, { connected: liveConnected, metric: metrics[n.id] ?? 'auto', now }) : undefined;
    const health = overlay[n.id];
    const live = overlayDisplays(health ? { [n.id]: health } : {}, liveShown ? { [n.id]: liveShown } : {}, liveConnected)[n.id];
    const status = live?.status ?? (source ? sourceStateToStatus(source.status?.state ?? 'unknown') : undefined);
    return {
      id: n.id,
      type: kind,
      position: n.position,
      selected: selection.nodes.includes(n.id),
      // Where the handles are, known up front (the card's CSS pins them), so an edge never depends on
      // React Flow's DOM measurement of them surviving. Without this, a node object built before that
      // measurement and handed to React Flow after it (a fetch resolving during the first layout) reset
      // the measured handle bounds; React Flow did not measure again (the size had not changed), and
      // every edge stayed undrawn until the next reload (about 1 load in 6).
      handles: EDITOR_HANDLES,
      ...(measured[n.id] ? { measured: measured[n.id] } : {}),
      data: {
        kind,
        label: labelOf(n),
        title: source?.name ?? parsed?.name ?? n.ref.id,
        namespace: parsed?.namespace ?? '',
        subtitle: source ? (type?.label ?? source.kind) : parsed?.namespace ?? n.ref.kind,
        ...(status ? { status } : {}),
        ...(live ? { live: true, statusText: live.statusText, metric: live.metric, health: live.health }
          : source?.status?.message ? { statusText: source.status.message } : {}),
        ...(type?.icon ? { icon: type.icon } : {}),
        note: n.note,
        toggles: null,
        highlighted: Boolean(blast?.nodes.has(n.id)),
        dimmed: Boolean(blast) && !blast?.nodes.has(n.id),
      },
    };
  }), [doc?.nodes, store.sources, stream.view.nodes, liveConnected, metrics, now, namespaces.data, typeOf, labelOf, selection.nodes, measured, overlay, blast]);

  const flowEdges: LineageFlowEdge[] = useMemo(() => (doc?.edges ?? []).map((e) => {
    const highlighted = Boolean(blast?.edges.has(`${e.source}->${e.target}`));
    return {
      id: e.id, source: e.source, target: e.target, type: 'lineage', selected: selection.edges.includes(e.id),
      markerEnd: { type: 'arrowclosed', width: 16, height: 16, color: highlighted ? '#d97706' : '#db2777' },
      data: { manual: true, label: e.note ? e.note : 'manual', highlighted, dimmed: Boolean(blast) && !highlighted },
    };
  }), [doc?.edges, selection.edges, blast]);

  const change = useDashboardStore((s) => s.change);

  const onNodesChange = useCallback((changes: NodeChange<LineageFlowNode>[]) => {
    const positions: Record<string, { x: number; y: number }> = {};
    const removed: string[] = [];
    let selectionChanged = false;
    const sel = new Set(selection.nodes);
    const sizes: Record<string, { width: number; height: number }> = {};
    for (const c of changes) {
      if (c.type === 'dimensions' && c.dimensions) sizes[c.id] = c.dimensions;
      else if (c.type === 'position' && c.position) positions[c.id] = c.position;
      else if (c.type === 'remove') removed.push(c.id);
      else if (c.type === 'select') {
        selectionChanged = true;
        if (c.selected) sel.add(c.id);
        else sel.delete(c.id);
      }
    }
    if (Object.keys(sizes).length) setMeasured((m) => ({ ...m, ...sizes }));
    if (Object.keys(positions).length) change((d) => moveNodes(d, positions), 'replace');
    if (removed.length) change((d) => removeNodes(d, removed));
    if (selectionChanged || removed.length) setSelection((s) => ({ ...s, nodes: [...sel].filter((x) => !removed.includes(x)) }));
  }, [change, selection.nodes]);

  const onEdgesChange = useCallback((changes: EdgeChange<LineageFlowEdge>[]) => {
    const removed = changes.filter((c) => c.type === 'remove').map((c) => c.id);
    if (removed.length) change((d) => removeEdges(d, removed));
    const sel = new Set(selection.edges);
    let selectionChanged = false;
    for (const c of changes) {
      if (c.type === 'select') {
        selectionChanged = true;
        if (c.selected) sel.add(c.id);
        else sel.delete(c.id);
      }
    }
    if (selectionChanged || removed.length) setSelection((s) => ({ ...s, edges: [...sel].filter((x) => !removed.includes(x)) }));
  }, [change, selection.edges]);

  const onConnect = useCallback((c: Connection) => {
    if (c.source && c.target) change((d) => connect(d, c.source, c.target));
  }, [change]);

  const place = useCallback((payload: PalettePayload, position?: { x: number; y: number }) => {
    const current = useDashboardStore.getState().history?.present;
    if (!current) return;
    let at = position;
    if (!at) {
      const rect = wrapper.current?.getBoundingClientRect();
      const centre = rect ? flow.screenToFlowPosition({ x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 }) : { x: 0, y: 0 };
      const jitter = (current.nodes.length % 5) * 24;
      at = { x: centre.x - NODE_WIDTH / 2 + jitter, y: centre.y - NODE_HEIGHT / 2 + jitter };
    }
    if (payload.type === 'node-type') {
      const type = typeOf(payload.kind);
      if (type) setPendingSource({ type, position: at });
      return;
    }
    const existing = findByRef(current, payload.ref);
    if (existing) {
      toast.info('Already on this dashboard');
      void flow.setCenter(existing.position.x + NODE_WIDTH / 2, existing.position.y + NODE_HEIGHT / 2, { duration: 300, zoom: flow.getZoom() });
      return;
    }
    const node: DashboardNode = { id: newId('n', current.nodes), ref: payload.ref, position: { x: Math.round(at.x), y: Math.round(at.y) }, note: null };
    change((d) => addNode(d, node));
    setSelection({ nodes: [node.id], edges: [] });
  }, [change, flow, typeOf]);

  const onDragOver = (e: DragEvent) => {
    if (editable && e.dataTransfer.types.includes(DRAG_MIME)) {
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
    }
  };
  const onDrop = (e: DragEvent) => {
    if (!editable) return;
    const payload = decodePayload(e.dataTransfer.getData(DRAG_MIME));
    if (!payload) return;
    e.preventDefault();
    const p = flow.screenToFlowPosition({ x: e.clientX, y: e.clientY });
    place(payload, { x: p.x - NODE_WIDTH / 2, y: p.y - NODE_HEIGHT / 2 });
  };

  const onMoveEnd = useCallback((_e: unknown, vp: FlowViewport) => change((d) => setViewport(d, vp), 'replace'), [change]);

  const doExport = async () => {
    try {
      const document = await exportDashboard(id);
      downloadText(JSON.stringify(document, null, 2), `${slug(doc?.name ?? 'dashboard')}.lineagelens.json`, 'application/json');
    } catch (err) {
      toast.error(`Export failed: ${errorMessage(err)}`);
    }
  };

  if (store.status === 'loading' || store.status === 'idle') return <div className="page"><Spinner label="Loading dashboard…" /></div>;
  if (store.status === 'error' || !doc) {
    return <div className="page"><ErrorBox title="Could not load the dashboard" message={store.error ?? ''} onRetry={() => void store.load(id)} /></div>;
  }

  const selectedNode = selection.nodes.length === 1 ? doc.nodes.find((n) => n.id === selection.nodes[0]) : undefined;
  const selectedEdge = !selectedNode && selection.edges.length === 1 ? doc.edges.find((e) => e.id === selection.edges[0]) : undefined;
  const canUndo = (store.history?.past.length ?? 0) > 0;
  const canRedo = (store.history?.future.length ?? 0) > 0;

  return (
    <div className="editor">
      <header className="editor-head">
        <Link to={{ name: 'dashboards' }} className="back-link" aria-label="All dashboards">← Dashboards</Link>
        {!editable ? <h1>{doc.name}</h1> : editingName ? (
          <form className="rename-form" onSubmit={(e) => {
            e.preventDefault();
            const value = String(new FormData(e.currentTarget).get('name') ?? '');
            change((d) => rename(d, value));
            setEditingName(false);
          }}>
            <input name="name" defaultValue={doc.name} aria-label="Dashboard name" autoFocus onBlur={(e) => { change((d) => rename(d, e.target.value)); setEditingName(false); }} />
          </form>
        ) : (
          <h1><button type="button" className="title-btn" onClick={() => setEditingName(true)} title="Rename">{doc.name}</button></h1>
        )}
        {blast ? (
          <span className="health-bar is-active" role="status" data-testid="health-bar">
            <span data-testid="blast-summary">What did this break: {blast.downstream.size} node{blast.downstream.size === 1 ? '' : 's'} downstream</span>
            <button type="button" className="btn btn-small" onClick={() => setBlastFrom(null)}>Clear</button>
          </span>
        ) : broken.length > 0 ? (
          <button type="button" className="btn btn-small btn-danger-soft" data-testid="blast-all" onClick={() => setBlastFrom('*')}>What did this break? ({broken.length})</button>
        ) : null}
        {editable ? <SaveIndicator state={store.saveState} error={store.saveError} onRetry={() => void store.save()} />
          : <span className="badge badge-unknown" data-testid="read-only-badge" title="Editing needs the editor role">read only</span>}
        <span className="toolbar-spacer" />
        {editable ? <>
          <button type="button" className="btn btn-small" onClick={store.undo} disabled={!canUndo} aria-keyshortcuts="Control+Z">Undo</button>
          <button type="button" className="btn btn-small" onClick={store.redo} disabled={!canRedo} aria-keyshortcuts="Control+Shift+Z">Redo</button>
        </> : null}
        <button type="button" className="btn btn-small" onClick={() => void doExport()}>Export</button>
        {editable ? <ImportButton /> : null}
      </header>
      <div className="editor-body">
        {editable ? <Palette nodeTypes={nodeTypeList} nodeTypesError={nodeTypesState.error} sources={Object.values(store.sources)} onPlace={(p) => place(p)} /> : null}
        <div className="canvas-wrap" ref={wrapper} onDragOver={onDragOver} onDrop={onDrop} data-testid="dashboard-canvas">
          {doc.nodes.length === 0 ? <div className="canvas-banner">{editable
            ? "Drag a source type or a dataset from the palette, then connect nodes by dragging from one card's right edge to another."
            : 'This dashboard is empty.'}</div> : null}
          <ReactFlow<LineageFlowNode, LineageFlowEdge>
            nodes={flowNodes}
            edges={flowEdges}
            nodeTypes={nodeTypeRegistry}
            edgeTypes={edgeTypes}
            onNodesChange={onNodesChange}
            onEdgesChange={onEdgesChange}
            onConnect={editable ? onConnect : undefined}
            onNodeDragStart={editable ? () => store.beginGesture() : undefined}
            onMoveEnd={editable ? onMoveEnd : undefined}
            onPaneClick={() => setSelection({ nodes: [], edges: [] })}
            nodesDraggable={editable}
            nodesConnectable={editable}
            edgesReconnectable={editable}
            deleteKeyCode={editable ? ['Backspace', 'Delete'] : null}
            defaultViewport={doc.viewport}
            minZoom={0.1}
            maxZoom={2.5}
            proOptions={{ hideAttribution: true }}
            connectionRadius={30}
          >
            <Background variant={BackgroundVariant.Dots} gap={20} size={1} color="#cbd5e1" />
            <Controls position="bottom-left" />
            <MiniMap<LineageFlowNode> pannable zoomable position="bottom-right" ariaLabel="Minimap"
                     nodeColor={(n) => KIND_COLORS[(n.type ?? 'dataset') as NodeKind].accent} nodeStrokeWidth={0} />
          </ReactFlow>
        </div>
        {selectedNode ? (
          <NodeInspector node={selectedNode} label={labelOf} editable={editable} source={selectedNode.ref.kind === 'source' ? store.sources[selectedNode.ref.id] : undefined}
                         live={latestSourceLive(stream.view.nodes[liveNodeId(selectedNode.ref)], selectedNode.ref.kind === 'source' ? store.sources[selectedNode.ref.id] : undefined) ?? null}
                         liveConnected={liveConnected}
                         health={overlay[selectedNode.id] ?? null} onBlast={() => setBlastFrom(selectedNode.id)}
                         onTested={(sid) => void getSource(sid).then((s) => useDashboardStore.getState().upsertSources([s]), () => undefined)}
                         metric={metrics[selectedNode.id] ?? 'auto'} onMetric={(m) => pickMetric(selectedNode.id, m)}
                         others={doc.nodes.filter((n) => n.id !== selectedNode.id)}
                         onNote={(note) => change((d) => setNodeNote(d, selectedNode.id, note))}
                         onConnect={(target) => change((d) => connect(d, selectedNode.id, target))}
                         onRemove={() => { change((d) => removeNodes(d, [selectedNode.id])); setSelection({ nodes: [], edges: [] }); }} />
        ) : null}
        {selectedEdge ? (
          <EdgeInspector edge={selectedEdge} editable={editable}
                         sourceLabel={labelOf(doc.nodes.find((n) => n.id === selectedEdge.source)!)} targetLabel={labelOf(doc.nodes.find((n) => n.id === selectedEdge.target)!)}
                         onNote={(note) => change((d) => setEdgeNote(d, selectedEdge.id, note))}
                         onRemove={() => { change((d) => removeEdges(d, [selectedEdge.id])); setSelection({ nodes: [], edges: [] }); }} />
        ) : null}
      </div>
      {pendingSource ? (
        <SourceForm nodeType={pendingSource.type} onClose={() => setPendingSource(null)} onCreated={(source) => {
          const s = useDashboardStore.getState();
          s.upsertSources([source]);
          const position = pendingSource.position;
          setPendingSource(null);
          const current = s.history?.present;
          if (!current) return;
          const node: DashboardNode = { id: newId('n', current.nodes), ref: { kind: 'source', id: source.id }, position: { x: Math.round(position.x), y: Math.round(position.y) }, note: null };
          change((d) => addNode(d, node));
          setSelection({ nodes: [node.id], edges: [] });
          toast.success(`Created source ${source.name}`);
        }} />
      ) : null}
      {store.saveState === 'conflict' && conflictOpen ? (
        <ConflictDialog currentVersion={store.conflict?.currentVersion ?? null} onClose={() => setConflictOpen(false)}
                        onReload={() => { viewportApplied.current = false; void store.reloadTheirs(); }}
                        onOverwrite={() => void store.overwriteMine()} />
      ) : null}
      {store.saveState === 'conflict' && !conflictOpen ? (
        <div className="conflict-bar" role="alert">Not saved: this dashboard changed elsewhere. <button type="button" className="link-btn" onClick={() => setConflictOpen(true)}>Resolve…</button></div>
      ) : null}
    </div>
  );
}

/** Import a dashboard file (the export format) as a new dashboard and open it. */
export function ImportButton({ label = 'Import' }: { label?: string }) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button type="button" className="btn btn-small" onClick={() => input.current?.click()}>{label}</button>
      <input ref={input} type="file" accept="application/json,.json" hidden data-testid="import-input" onChange={async (e) => {
        const file = e.target.files?.[0];
        e.target.value = '';
        if (!file) return;
        try {
          const d = await importDashboard(JSON.parse(await file.text()));
          toast.success(`Imported ${d.name}`);
          navigate({ name: 'dashboard', id: d.id });
        } catch (err) {
          toast.error(`Import failed: ${errorMessage(err)}`);
        }
      }} />
    </>
  );
}

export function DashboardEditorPage({ id }: { id: string }) {
  return (
    <ReactFlowProvider>
      <Editor id={id} />
    </ReactFlowProvider>
  );
}
