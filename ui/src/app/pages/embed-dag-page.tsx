// /embed/dag/<namespace>/<dag>: the lineage graph of one Airflow DAG — its tasks and the datasets they
// read and write — without the app's chrome, for the Airflow plugin's DAG tab (docs/airflow.md). The
// explorer's canvas draws it, coloured by the live run states (`/ws/events` narrowed to these nodes and
// the DAG's namespace): a running task pulses, a failed one is red with its error on hover, a dataset
// its failed run wrote is flagged. Clicking a node opens its details with links to the full pages, in
// the same frame (Airflow's iframe sandbox has no allow-popups and no top navigation).
import { useCallback, useEffect, useMemo, useState } from 'react';
import { ApiError } from '../../api/client';
import { allNamespaceJobs } from '../../api/marquez';
import { Empty, ErrorBox, Spinner } from '../../components/common/feedback';
import { LiveIndicator } from '../../components/common/live-indicator';
import { EmbedNodePanel } from '../../components/explorer/embed-node-panel';
import { LineageCanvas } from '../../components/explorer/lineage-canvas';
import { useAsync } from '../../hooks/use-async';
import { useLayout } from '../../hooks/use-layout';
import { useLiveStream } from '../../hooks/use-live-stream';
import { useNow } from '../../hooks/use-now';
import { dagGraph, taskLabel } from '../../lib/dag-graph';
import { graphLayoutInput, toFlowElements } from '../../lib/flow-elements';
import { shortName } from '../../lib/node-id';
import { liveDisplays } from '../../lib/live-status';

export function EmbedDagPage({ namespace, dag }: { namespace: string; dag: string }) {
  const jobs = useAsync(async (signal) => {
    try {
      return await allNamespaceJobs(namespace, signal);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return { jobs: [], truncated: false };
      throw err;
    }
  }, [namespace]);
  const { graph, tasks } = useMemo(() => dagGraph(jobs.data?.jobs ?? [], namespace, dag), [jobs.data, namespace, dag]);
  const [selected, setSelected] = useState<string | null>(null);

  // Live run states of these tasks and datasets, and of any new task of the DAG (its namespace).
  const nodeIds = useMemo(() => Object.keys(graph.nodes).sort(), [graph]);
  const stream = useLiveStream('ws/events', { subscription: { nodeIds, namespaces: [namespace] } });
  const now = useNow();
  const live = useMemo(() => liveDisplays(stream.view.nodes, stream.connection === 'connected', undefined, now),
    [stream.view.nodes, stream.connection, now]);
  // A task of this DAG that is not drawn yet (its first run just started): read the jobs again.
  const unseenTask = Object.keys(stream.view.nodes).some((id) => id.startsWith(`job:${namespace}:${dag}.`) && !graph.nodes[id]);
  const { reload } = jobs;
  useEffect(() => {
    if (!unseenTask) return undefined;
    const t = setTimeout(reload, 500);
    return () => clearTimeout(t);
  }, [unseenTask, reload]);

  const input = useMemo(() => graphLayoutInput(graph), [graph]);
  const layout = useLayout(input.nodes, input.edges);
  const elements = useMemo(() => {
    const els = toFlowElements(graph, { rootId: '', positions: layout.positions, selected, live });
    for (const n of els.nodes) if (n.data.kind === 'job') n.data.label = taskLabel(n.data.title, dag);
    return els;
  }, [graph, layout.positions, selected, live, dag]);

  const onNodeClick = useCallback((id: string) => setSelected((s) => (s === id ? null : id)), []);
  const onPaneClick = useCallback(() => setSelected(null), []);
  const node = selected ? graph.nodes[selected] : undefined;
  const datasets = Object.values(graph.nodes).filter((n) => n.kind === 'dataset').length;
  const failing = Object.values(graph.nodes).filter((n) => n.kind === 'job' && (live[n.id]?.status ?? n.status) === 'failing').length;

  return (
    <div className="embed" data-testid="embed-dag">
      <header className="embed-bar">
        <h1 title={`${namespace} / ${dag}`}>{dag}</h1>
        {jobs.data ? (
          <span className="muted">
            {tasks} task{tasks === 1 ? '' : 's'} · {datasets} dataset{datasets === 1 ? '' : 's'}
            {failing ? <span className="embed-failing"> · {failing} failed task{failing === 1 ? '' : 's'}</span> : null}
          </span>
        ) : null}
        <span className="embed-legend" aria-label="Colours">
          <span><i className="status-dot status-ok" />succeeded</span>
          <span><i className="status-dot status-running" />running</span>
          <span><i className="status-dot status-failing" />failed</span>
        </span>
        <span className="toolbar-spacer" />
        <LiveIndicator />
      </header>
      <div className="embed-body canvas-wrap" data-testid="lineage-canvas">
        {jobs.loading && !jobs.data ? <div className="canvas-overlay"><Spinner label="Loading the DAG's lineage…" /></div> : null}
        {jobs.error ? <div className="canvas-overlay"><ErrorBox title="Could not load the DAG's lineage" message={jobs.error} onRetry={jobs.reload} /></div> : null}
        {jobs.data && nodeIds.length === 0 ? (
          <div className="canvas-overlay">
            <Empty title="No lineage for this DAG yet">
              LineageLens has received no OpenLineage events for <code>{dag}</code> in namespace <code>{namespace}</code>. Run the DAG with the
              OpenLineage provider pointed at LineageLens.
            </Empty>
          </div>
        ) : null}
        {nodeIds.length > 0 && layout.ready ? (
          <LineageCanvas nodes={elements.nodes} edges={elements.edges} fitKey={layout.key} rootId="" focus={null}
                         onNodeClick={onNodeClick} onPaneClick={onPaneClick} />
        ) : null}
        {node ? (
          <EmbedNodePanel node={node} label={node.kind === 'job' ? taskLabel(node.name, dag) : shortName(node.name)} live={live[node.id]} now={now}
                          onClose={() => setSelected(null)} />
        ) : null}
      </div>
    </div>
  );
}
