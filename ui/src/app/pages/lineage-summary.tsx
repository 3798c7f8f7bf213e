// Upstream / downstream summary of a node (dataset and job pages): what feeds it and what it feeds,
// from the lineage API at depth 2 around it.
import { getLineage } from '../../api/lineage';
import { Link } from '../../components/common/link';
import { Spinner } from '../../components/common/feedback';
import { useAsync } from '../../hooks/use-async';
import { fromLineageResponse, reachable } from '../../lib/graph';
import { defaultExplorerState, serializeExplorerState } from '../../lib/lineage-url';
import type { GraphNode } from '../../types/graph';

function NodeLinks({ nodes }: { nodes: GraphNode[] }) {
  if (nodes.length === 0) return <p className="muted">None.</p>;
  return (
    <ul className="link-list">
      {nodes.map((n) => (
        <li key={n.id}>
          <span className={`dot kind-${n.kind}`} aria-hidden="true" />
          <Link to={n.kind === 'job' ? { name: 'job', namespace: n.namespace, job: n.name } : { name: 'dataset', namespace: n.namespace, dataset: n.name }}>{n.name}</Link>
          <span className="muted"> {n.namespace}</span>
        </li>
      ))}
    </ul>
  );
}

export function LineageSummary({ nodeId }: { nodeId: string }) {
  const lineage = useAsync((signal) => getLineage(nodeId, 4, 'both', signal), [nodeId]);
  if (lineage.loading) return <Spinner label="Loading lineage…" />;
  if (lineage.error) return <p className="error-text">{lineage.error}</p>;
  const graph = fromLineageResponse(lineage.data ?? { graph: [] });
  const pick = (ids: Set<string>) => [...ids].map((id) => graph.nodes[id]).filter((n): n is GraphNode => Boolean(n))
    .sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
  const up = pick(reachable(graph, nodeId, 'up', 2));
  const down = pick(reachable(graph, nodeId, 'down', 2));
  return (
    <div className="grid-2 lineage-summary">
      <div>
        <h3>Upstream <span className="count">{up.length}</span></h3>
        <NodeLinks nodes={up} />
      </div>
      <div>
        <h3>Downstream <span className="count">{down.length}</span></h3>
        <NodeLinks nodes={down} />
      </div>
      <p className="full-row"><Link className="btn" to={{ name: 'lineage', search: serializeExplorerState(defaultExplorerState(nodeId)) }}>Open in lineage explorer</Link></p>
    </div>
  );
}
