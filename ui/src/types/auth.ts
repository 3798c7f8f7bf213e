// Wire types of sign-in, users, API keys and the audit log (receiver/api/{auth,users,apikeys,audit}.py).

export type Role = 'viewer' | 'editor' | 'admin';

export interface SessionUser {
  name: string;
  role: Role;
}

/** GET /auth/config (public): is sign-in required, and is single sign-on offered. */
export interface AuthConfig {
  auth: boolean;
  oidc: boolean;
  signInUrl: string | null;
}

/** POST /auth/login and /auth/refresh. */
export interface LoginResponse {
  user: SessionUser;
  csrfToken: string;
  expiresAt: string;
}

/** How the request was authenticated: 'session' (cookie), 'apikey', 'auth-off', or what a later sign-in
 *  method names itself (single sign-on, the Airflow plugin). */
export type CredentialKind = string;

/** GET /auth/me. */
export interface MeResponse {
  user: SessionUser;
  via: CredentialKind;
}

export interface User {
  name: string;
  role: Role;
  createdAt?: string | null;
  updatedAt?: string | null;
}

export interface UsersResponse {
  users: User[];
}

export interface UserInput {
  name: string;
  role: Role;
  password: string;
}

export interface UserPatch {
  role?: Role;
  password?: string;
}

export type ApiKeyScope = 'ingest' | 'read' | 'admin';

export interface ApiKey {
  id: string;
  name: string;
  scope: ApiKeyScope;
  namespaces: string[];
  createdAt: string;
  createdBy: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface ApiKeysResponse {
  apiKeys: ApiKey[];
}

export interface ApiKeyInput {
  name: string;
  scope: ApiKeyScope;
  namespaces: string[];
}

/** POST /api-keys → 201: the key itself appears here once and never again. */
export interface ApiKeyCreated extends ApiKey {
  key: string;
}

export interface AuditEntry {
  id: number | string;
  at: string;
  actor: string | null;
  via: string | null;
  action: string;
  method: string | null;
  path: string | null;
  target: string | null;
  status: number | null;
}

export interface AuditResponse {
  entries: AuditEntry[];
  total: number;
}

export interface AuditQuery {
  limit?: number;
  offset?: number;
  actor?: string;
  action?: string;
}
