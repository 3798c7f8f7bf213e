// Edges: observed lineage as solid grey curves; manual edges (drawn by a person) dashed, pink and
// labelled; path/field highlights in amber. An edge's own label (the jobs of a dataset-only edge, a
// column transformation) shows while the pointer is on the edge, or always when the edge is
// highlighted or selected: on a big graph hundreds of labels would hide the graph. Manual edges keep
// theirs in view.
import { BaseEdge, EdgeLabelRenderer, getBezierPath, type EdgeProps } from '@xyflow/react';
import { memo, useState } from 'react';
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
  const [hover, setHover] = useState(false);
  const label = data?.label ?? (manual ? 'manual' : undefined);
  // Manual edges (drawn by a person, their "manual" marker or note) always show it; other labels on hover,
  // highlight or selection.
  const showLabel = Boolean(label) && (hover || selected || data?.highlighted || manual);
  if (hover) classes.push('is-hovered');
  return (
    <>
      <g onMouseEnter={label ? () => setHover(true) : undefined} onMouseLeave={label ? () => setHover(false) : undefined}>
        <BaseEdge id={id} path={path} className={classes.join(' ')} markerEnd={markerEnd} interactionWidth={14} />
      </g>
      {label && showLabel ? (
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
