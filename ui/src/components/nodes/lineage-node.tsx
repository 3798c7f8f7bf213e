// The card every lineage node is drawn as (dataset, job, source), with handles on both sides,
// expand/collapse toggles, a status dot, an optional note, and in the column view its field rows.
// Long names are shortened in the middle (lib/labels.ts; the full name is the hover text) and the icon
// is the platform's (lib/platform.ts) when it is known. How much of the card shows depends on the zoom
// (semantic zoom: the explorer canvas sets `data-zoom`, see styles.css).
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { memo } from 'react';
import { KindIcon } from './kind-icon';
import { PlatformIcon } from './platform-icon';
import { middleEllipsis } from '../../lib/labels';
import { useNodeActions } from './node-actions';
import { NODE_WIDTH, nodeHeight } from '../../lib/node-size';
import type { LineageFlowNode, ToggleState } from '../../types/flow';
import { StatusDot } from './status-dot';

const KIND_LABEL = { dataset: 'Dataset', job: 'Job', source: 'Source' } as const;

function Toggle({ side, state, onClick }: { side: 'up' | 'down'; state: ToggleState; onClick: () => void }) {
  if (!state) return null;
  const what = side === 'up' ? 'upstream' : 'downstream';
  const label = state === 'loading' ? `Loading ${what}` : `${state === 'expand' ? 'Expand' : 'Collapse'} ${what}`;
  return (
    <button type="button" className={`node-toggle node-toggle-${side} nodrag nopan`} aria-label={label} title={label}
            disabled={state === 'loading'} onClick={(e) => { e.stopPropagation(); onClick(); }}>
      {state === 'loading' ? '…' : state === 'expand' ? '+' : '−'}
    </button>
  );
}

/** A collapsed group: what it holds, and a button that opens it. */
function GroupCard({ data, selected }: { data: LineageFlowNode['data']; selected: boolean }) {
  const actions = useNodeActions();
  const group = data.group!;
  const count = (n: number, word: string) => (n ? `${n} ${word}${n === 1 ? '' : 's'}` : '');
  const parts = [count(group.datasets, 'dataset'), count(group.jobs, 'job'), count(group.sources, 'source')].filter(Boolean).join(' · ');
  const classes = ['lineage-node', 'is-group', `kind-${data.kind}`];
  if (selected) classes.push('is-selected');
  if (data.dimmed) classes.push('is-dimmed');
  if (group.failing) classes.push('has-failing');
  return (
    <div className={classes.join(' ')} style={{ width: NODE_WIDTH, minHeight: nodeHeight() }} data-group={group.key}
         title={`${group.label}: ${group.size} nodes (${parts})${group.failing ? `, ${group.failing} failing` : ''}`}>
      <Handle type="target" position={Position.Left} className="node-handle" />
      <div className="node-head">
        <span className="node-icon group-count" aria-hidden="true">{group.size}</span>
        <div className="node-text">
          <div className="node-label">{middleEllipsis(group.label)}</div>
          <div className="node-sub">{parts}{group.failing ? <span className="group-failing"> · {group.failing} failing</span> : null}</div>
        </div>
        <button type="button" className="btn btn-small group-open nodrag nopan" onClick={(e) => { e.stopPropagation(); actions.openGroup?.(group.key); }}
                aria-label={`Open group ${group.label}`}>Open</button>
      </div>
      <Handle type="source" position={Position.Right} className="node-handle" />
    </div>
  );
}

function LineageNodeView({ id, data, selected }: NodeProps<LineageFlowNode>) {
  const actions = useNodeActions();
  if (data.group) return <GroupCard data={data} selected={selected} />;
  const fields = data.fields;
  const classes = ['lineage-node', `kind-${data.kind}`];
  if (selected) classes.push('is-selected');
  if (data.highlighted) classes.push('is-highlighted');
  if (data.dimmed) classes.push('is-dimmed');
  if (data.root) classes.push('is-root');
  if (data.live && data.status) classes.push(`live-${data.status}`);
  const place = `${data.namespace ? `${data.namespace} / ` : ''}${data.title}`;
  const active = new Set(data.activeFields ?? []);
  return (
    <div className={classes.join(' ')} style={{ width: NODE_WIDTH, minHeight: nodeHeight(fields?.length) }}
         data-node-id={id} data-kind={data.kind} data-status={data.status ?? undefined}
         title={data.live && data.statusText ? `${place}\n${data.statusText}` : place}>
      <Handle type="target" position={Position.Left} className="node-handle" />
      <div className="node-head">
        <span className="node-icon">
          {!data.icon && data.platform && data.platform !== 'generic' ? <PlatformIcon platform={data.platform} /> : <KindIcon kind={data.kind} icon={data.icon} />}
        </span>
        <div className="node-text">
          <div className="node-label">{middleEllipsis(data.label)}</div>
          <div className="node-sub">{data.subtitle ?? data.namespace ?? KIND_LABEL[data.kind]}</div>
        </div>
        <StatusDot status={data.status} text={data.statusText} />
      </div>
      {data.note ? <div className="node-note" title={data.note}>{data.note}</div> : null}
      {data.health ? <span className={`node-health health-${data.health}`} data-testid="node-health">{data.health}</span> : null}
      {data.metric ? <span className="node-live" data-testid="node-metric" title={data.statusText}>{data.metric}</span> : null}
      {fields ? (
        <ul className="node-fields">
          {fields.length === 0 ? <li className="node-field is-empty">no fields</li> : null}
          {fields.map((f) => (
            <li key={f} className={`node-field${active.has(f) ? ' is-active' : ''}${data.selectedField === f ? ' is-selected' : ''}`}>
              <Handle type="target" position={Position.Left} id={`in:${f}`} className="field-handle" isConnectable={false} />
              <button type="button" className="field-button nodrag" onClick={(e) => { e.stopPropagation(); actions.selectField?.(id, f); }}>
                <span className="field-name">{f}</span>
                {data.fieldTypes?.[f] ? <span className="field-type">{data.fieldTypes[f]}</span> : null}
              </button>
              <Handle type="source" position={Position.Right} id={`out:${f}`} className="field-handle" isConnectable={false} />
            </li>
          ))}
        </ul>
      ) : null}
      <Handle type="source" position={Position.Right} className="node-handle" />
      {data.toggles ? (
        <>
          <Toggle side="up" state={data.toggles.up} onClick={() => data.toggles?.up && data.toggles.up !== 'loading' && actions.toggle?.(id, 'up', data.toggles.up)} />
          <Toggle side="down" state={data.toggles.down} onClick={() => data.toggles?.down && data.toggles.down !== 'loading' && actions.toggle?.(id, 'down', data.toggles.down)} />
        </>
      ) : null}
    </div>
  );
}

export const LineageNode = memo(LineageNodeView);
