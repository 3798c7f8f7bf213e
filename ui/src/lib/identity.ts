// Pure logic of the Identity page: reason labels, which name to suggest as the canonical one, the merges a
// "merge into" makes, and how a rule's state reads.
import type { CandidateGroup, DatasetName, IdentityRule, ReasonKind } from '../api/identity';

export const REASON_LABELS: Record<ReasonKind, string> = {
  scheme: 'Same location, other scheme',
  case: 'Differs only by case',
  nameTail: 'Same name in other namespaces',
  schema: 'Same schema',
};

export function reasonLabel(kind: string): string {
  return (REASON_LABELS as Record<string, string>)[kind] ?? kind;
}

// Scheme spellings that are aliases of another (s3a:// and s3n:// of s3://, gcs:// of gs://).
const ALIAS_SCHEMES = new Set(['s3a', 's3n', 'gcs']);

function schemeOf(namespace: string): string {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(namespace);
  return m ? m[1]!.toLowerCase() : '';
}

/** How likely a name is the canonical spelling: lower is better. */
function penalty(d: DatasetName): number {
  let p = 0;
  if (ALIAS_SCHEMES.has(schemeOf(d.namespace))) p += 4;
  if (d.name.endsWith('/') || d.namespace.endsWith('/')) p += 2;
  if (d.name !== d.name.toLowerCase()) p += 1;
  return p;
}

/** The member to suggest as canonical: the standard scheme, no trailing slash, lower case; then the first. */
export function suggestCanonical(group: CandidateGroup): DatasetName | undefined {
  let best: DatasetName | undefined;
  for (const d of group.datasets) if (best === undefined || penalty(d) < penalty(best)) best = d;
  return best;
}

export interface MergeStep {
  alias: { namespace: string; name: string };
  canonical: { namespace: string; name: string };
}

/** Merging a group into one member: one rule per other member. Unknown canonical: nothing. */
export function mergePlan(group: CandidateGroup, canonicalId: string): MergeStep[] {
  const canonical = group.datasets.find((d) => d.nodeId === canonicalId);
  if (!canonical) return [];
  return group.datasets.filter((d) => d.nodeId !== canonicalId).map((d) => ({
    alias: { namespace: d.namespace, name: d.name },
    canonical: { namespace: canonical.namespace, name: canonical.name },
  }));
}

/** A rule still moving (the page polls while one is). */
export function isBusy(rule: IdentityRule): boolean {
  return rule.state === 'pending' || rule.state === 'applying' || rule.state === 'undoing';
}

/** Only console rules in force can be undone (symlink and plugin rules come from events and code). */
export function canUndo(rule: IdentityRule): boolean {
  return rule.origin === 'console' && rule.id !== null && (rule.state === 'pending' || rule.state === 'applying' || rule.state === 'applied');
}

/** "applying 42%", "applied", "pending (retrying: graph store down)". */
export function stateText(rule: IdentityRule): string {
  const pct = Math.round(Math.max(0, Math.min(1, rule.progress)) * 100);
  const base = rule.state === 'applying' || rule.state === 'undoing' ? `${rule.state} ${pct}%` : rule.state;
  return rule.error ? `${base} (retrying: ${rule.error})` : base;
}

export const ORIGIN_LABELS: Record<IdentityRule['origin'], string> = {
  console: 'Console',
  symlink: 'Symlink facet',
  plugin: 'Naming plugin',
};

/** Rules in the order the page lists them: moving console rules first, then console, symlink, plugin. */
export function sortRules(rules: IdentityRule[]): IdentityRule[] {
  const order = { console: 0, symlink: 1, plugin: 2 } as const;
  return rules.map((r, i) => ({ r, i })).sort((a, b) =>
    Number(isBusy(b.r)) - Number(isBusy(a.r)) || order[a.r.origin] - order[b.r.origin] || a.i - b.i).map(({ r }) => r);
}
