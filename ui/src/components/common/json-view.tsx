// Facets and other JSON shown as a collapsible tree (native <details>, keyboard accessible).
import type { ReactNode } from 'react';

function Value({ value }: { value: unknown }): ReactNode {
  if (value === null) return <span className="json-null">null</span>;
  if (typeof value === 'string') return <span className="json-string">"{value}"</span>;
  if (typeof value === 'number' || typeof value === 'boolean') return <span className="json-number">{String(value)}</span>;
  return null;
}

function Node({ name, value, open }: { name: string; value: unknown; open: boolean }): ReactNode {
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    return (
      <details className="json-node" open={open}>
        <summary><span className="json-key">{name}</span> <span className="json-meta">{Array.isArray(value) ? `[${entries.length}]` : `{${entries.length}}`}</span></summary>
        <div className="json-children">
          {entries.map(([k, v]) => <Node key={k} name={k} value={v} open={false} />)}
        </div>
      </details>
    );
  }
  return <div className="json-leaf"><span className="json-key">{name}</span>: <Value value={value} /></div>;
}

export function JsonView({ value, openFirst = false }: { value: Record<string, unknown>; openFirst?: boolean }) {
  const entries = Object.entries(value).filter(([k]) => !k.startsWith('_'));
  if (entries.length === 0) return <p className="muted">None.</p>;
  return <div className="json-view">{entries.map(([k, v]) => <Node key={k} name={k} value={v} open={openFirst} />)}</div>;
}
