// Schema changes between two dataset versions, for the dataset page's version history.
import type { DatasetField } from '../types/api';

export type FieldChange = 'added' | 'removed' | 'type-changed' | 'same';

export interface FieldDiff {
  name: string;
  change: FieldChange;
  type: string | null;
  previousType?: string | null;
}

/** `current` compared with `previous` (the older version); removed fields come last. */
export function diffSchemas(current: readonly DatasetField[], previous: readonly DatasetField[] | null): FieldDiff[] {
  if (!previous) return current.map((f) => ({ name: f.name, change: 'same', type: f.type ?? null }));
  const before = new Map(previous.map((f) => [f.name, f]));
  const now = new Set(current.map((f) => f.name));
  const result: FieldDiff[] = current.map((f) => {
    const old = before.get(f.name);
    if (!old) return { name: f.name, change: 'added', type: f.type ?? null };
    if ((old.type ?? null) !== (f.type ?? null)) return { name: f.name, change: 'type-changed', type: f.type ?? null, previousType: old.type ?? null };
    return { name: f.name, change: 'same', type: f.type ?? null };
  });
  for (const f of previous) if (!now.has(f.name)) result.push({ name: f.name, change: 'removed', type: f.type ?? null });
  return result;
}
