// Edges: observed lineage as solid grey curves; manual edges (drawn by a person) dashed, pink and
// labelled; path/field highlights in amber.
import { BaseEdge, EdgeLabelRenderer, getBezierPath, type EdgeProps } from '@xyflow/react';
import { memo } from 'react';
import type { LineageFlowEdge } from '../../types/flow';

function LineageEdgeView(props: EdgeProps<LineageFlowEdge>) {
  const { id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data, selected, markerEnd } = props;
  const [path, labelX, labelY] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  const manual = data?.manual ?? false;
  const classes = ['lineage-edge'];
  if (manual) classes.push('is-manual');
  if (data?.highlighted) classes.push('is-highlighted');
  if (data?.dimmed) classes.push('is-dimmed');
  if (data?.column) classes.push('is-column');
  if (selected) classes.push('is-selected');
  const label = data?.label ?? (manual ? 'manual' : undefined);
  return (
    <>
      <BaseEdge id={id} path={path} className={classes.join(' ')} markerEnd={markerEnd} interactionWidth={14} />
      {label ? (
        <EdgeLabelRenderer>
          <div className={`edge-label${manual ? ' is-manual' : ''}${data?.highlighted ? ' is-highlighted' : ''}${data?.dimmed ? ' is-dimmed' : ''}`}
               style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}>
            {label}
          </div>
        </EdgeLabelRenderer>
      ) : null}
    </>
  );
}

export const LineageEdge = memo(LineageEdgeView);
