// Display formatting shared by pages and components.

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const m = Math.floor(s / 60);
  const rest = Math.round(s - m * 60);
  if (m < 60) return rest ? `${m} min ${rest} s` : `${m} min`;
  const h = Math.floor(m / 60);
  return `${h} h ${m - h * 60} min`;
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC').replace(/Z$/, ' UTC');
}

export function formatRelative(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return '—';
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return iso;
  const diff = Math.round((now - t) / 1000);
  const abs = Math.abs(diff);
  const suffix = diff >= 0 ? 'ago' : 'from now';
  if (abs < 60) return 'just now';
  if (abs < 3600) return `${Math.round(abs / 60)} min ${suffix}`;
  if (abs < 86400) return `${Math.round(abs / 3600)} h ${suffix}`;
  if (abs < 86400 * 30) return `${Math.round(abs / 86400)} d ${suffix}`;
  return formatDateTime(iso).slice(0, 10);
}

export function pluralize(n: number, word: string, plural = `${word}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? word : plural}`;
}

/** Owners from an `ownership` facet: `{owners:[{name, type}]}`. */
export function owners(facets: Record<string, unknown> | undefined): Array<{ name: string; type?: string }> {
  const ownership = facets?.ownership as { owners?: Array<{ name?: unknown; type?: unknown }> } | undefined;
  return (ownership?.owners ?? []).flatMap((o) => (typeof o.name === 'string'
    ? [{ name: o.name, ...(typeof o.type === 'string' ? { type: o.type } : {}) }] : []));
}

/** SQL from a job's `sql` facet. */
export function sqlOf(facets: Record<string, unknown> | undefined): string | null {
  const sql = facets?.sql as { query?: unknown } | undefined;
  return typeof sql?.query === 'string' ? sql.query : null;
}
