// Roles, ordered: viewer < editor < admin. The server enforces them; the UI only hides what would be refused.
import type { Role } from '../types/auth';

export const ROLES: readonly Role[] = ['viewer', 'editor', 'admin'];

const RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2 };

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && Object.hasOwn(RANK, value);
}

/** Does `role` include everything `needed` may do? An unknown or missing role has none. */
export function hasRole(role: Role | string | null | undefined, needed: Role): boolean {
  return isRole(role) && RANK[role] >= RANK[needed];
}

/** Edit dashboards, sources and manual lineage. */
export const canEdit = (role: Role | string | null | undefined): boolean => hasRole(role, 'editor');

/** Manage users, API keys, and read the audit log. */
export const isAdmin = (role: Role | string | null | undefined): boolean => hasRole(role, 'admin');

export const ROLE_HELP: Record<Role, string> = {
  viewer: 'reads lineage, dashboards and sources',
  editor: 'also edits dashboards, sources and manual lineage',
  admin: 'also manages users, API keys and reads the audit log',
};

/** "a viewer", "an editor", "an admin". */
export function withArticle(role: string): string {
  return `${/^[aeiou]/i.test(role) ? 'an' : 'a'} ${role}`;
}
