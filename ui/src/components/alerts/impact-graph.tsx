// An incident's impact drawn with the explorer's own canvas: the root's downstream lineage (to the
// incident's impact depth), the root and the impacted nodes highlighted, everything else dimmed.
// Clicking a node opens its page; "Open in the explorer" shows the same view there, with the
// downstream of the root highlighted and the impact panel open.
import { useCallback, useMemo } from 'react';
import { getLineage } from '../../api/lineage';
import { useAsync } from '../../hooks/use-async';
import { useLayout } from '../../hooks/use-layout';
import { navigate } from '../../hooks/use-route';
import { impactExplorerSearch, impactHighlight } from '../../lib/alerts-incidents';
import { graphLayoutInput, toFlowElements } from '../../lib/flow-elements';
import { fromLineageResponse } from '../../lib/graph';
import { MAX_DEPTH } from '../../lib/lineage-url';
import { ErrorBox, Spinner } from '../common/feedback';
import { Link } from '../common/link';
import { LineageCanvas } from '../explorer/lineage-canvas';

/** Above this many nodes the graph is left to the explorer (a link) rather than drawn inline. */
const INLINE_MAX_NODES = 400;

export function ImpactGraph({ rootNodeId, impactedNodeIds, depth }: { rootNodeId: string; impactedNodeIds: readonly string[]; depth: number | null }) {
  const d = Math.min(MAX_DEPTH, Math.max(1, depth ?? 5));
  const lineage = useAsync((signal) => getLineage(rootNodeId, d, 'down', signal), [rootNodeId, d]);
  const graph = useMemo(() => (lineage.data ? fromLineageResponse(lineage.data) : null), [lineage.data]);
  const tooBig = graph ? Object.keys(graph.nodes).length > INLINE_MAX_NODES : false;
  const highlight = useMemo(() => (graph ? impactHighlight(graph, rootNodeId, impactedNodeIds) : null), [graph, rootNodeId, impactedNodeIds]);
  const input = useMemo(() => (graph && !tooBig ? graphLayoutInput(graph) : { nodes: [], edges: [] }), [graph, tooBig]);
  const layout = useLayout(input.nodes, input.edges);
  const elements = useMemo(() => (graph && highlight
    ? toFlowElements(graph, { rootId: rootNodeId, positions: layout.positions, highlightNodes: highlight.nodes, highlightEdges: highlight.edges, dimOthers: true })
    : null), [graph, highlight, layout.positions, rootNodeId]);
  const onNodeClick = useCallback((id: string) => {
    const node = graph?.nodes[id];
    if (node?.kind === 'job') navigate({ name: 'job', namespace: node.namespace, job: node.name });
    else if (node?.kind === 'dataset') navigate({ name: 'dataset', namespace: node.namespace, dataset: node.name });
  }, [graph]);
  const onPaneClick = useCallback(() => undefined, []);
  const explorer = <Link className="btn btn-small" to={{ name: 'lineage', search: impactExplorerSearch(rootNodeId, d) }} data-testid="impact-explorer-link">Open in the explorer</Link>;

  return (
    <div className="impact-graph" data-testid="impact-graph">
      <div className="impact-graph-bar">
        <span className="muted small">
          Downstream of the root, {d} hop{d === 1 ? '' : 's'} deep: the root and the {impactedNodeIds.length} impacted node{impactedNodeIds.length === 1 ? '' : 's'} highlighted.
          {highlight && highlight.missing.length ? ` ${highlight.missing.length} not in the graph any more.` : ''}
        </span>
        <span className="toolbar-spacer" />
        {explorer}
      </div>
      <div className="impact-graph-canvas canvas-wrap">
        {lineage.loading && !lineage.data ? <div className="canvas-overlay"><Spinner label="Loading the lineage…" /></div> : null}
        {lineage.error ? <div className="canvas-overlay"><ErrorBox title="Could not load the lineage" message={lineage.error} onRetry={lineage.reload} /></div> : null}
        {tooBig ? <div className="canvas-overlay"><p className="muted">Too many nodes to draw here — open the explorer.</p></div> : null}
        {elements && layout.ready && !tooBig ? (
          <LineageCanvas nodes={elements.nodes} edges={elements.edges} fitKey={layout.key} fitAll rootId={rootNodeId} focus={null}
                         onNodeClick={onNodeClick} onPaneClick={onPaneClick} />
        ) : null}
      </div>
    </div>
  );
}
