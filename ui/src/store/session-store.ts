// Who is signed in: the auth config, the current user and role, and how they came (session cookie, API
// key, or auth turned off). `start()` runs once at app start; the HTTP client reports refreshes and an
// expired session here, and an expired session sends the app to the sign-in page, remembering where it was.
import { create } from 'zustand';
import * as authApi from '../api/auth';
import { ApiError, errorMessage, setSessionHooks } from '../api/client';
import { isRole } from '../lib/roles';
import type { AuthConfig, CredentialKind, LoginResponse, MeResponse, SessionUser } from '../types/auth';

export interface AuthApi {
  getAuthConfig(signal?: AbortSignal): Promise<AuthConfig>;
  getMe(signal?: AbortSignal): Promise<MeResponse>;
  login(username: string, password: string): Promise<LoginResponse>;
  logout(): Promise<void>;
}

export interface SessionState {
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  config: AuthConfig | null;
  user: SessionUser | null;
  via: CredentialKind | null;
  /** Set when the session ran out while the app was in use (the sign-in page says so). */
  expired: boolean;

  start(): Promise<void>;
  signIn(username: string, password: string): Promise<SessionUser>;
  signOut(): Promise<void>;
  /** The session is gone: forget the user; the shell then shows the sign-in page. */
  expire(): void;
  refreshed(session: LoginResponse): void;
}

/** A receiver that predates sign-in (no /auth routes) answers everything: treat it as auth off. */
const NO_AUTH: AuthConfig = { auth: false, oidc: false, signInUrl: null };

export function createSessionStore(api: AuthApi) {
  return create<SessionState>()((set, get) => ({
    status: 'idle',
    error: null,
    config: null,
    user: null,
    via: null,
    expired: false,

    async start() {
      set({ status: 'loading', error: null });
      try {
        let config: AuthConfig;
        try {
          config = await api.getAuthConfig();
        } catch (err) {
          if (!(err instanceof ApiError) || err.status !== 404) throw err;
          config = NO_AUTH;
        }
        let me: MeResponse | null = null;
        try {
          me = await api.getMe();
        } catch (err) {
          if (!(err instanceof ApiError) || (err.status !== 401 && err.status !== 404)) throw err;
          if (err.status === 404 && !config.auth) me = { user: { name: '', role: 'admin' }, via: 'auth-off' };
        }
        const user = me && isRole(me.user.role) ? me.user : null;
        set({ status: 'ready', config, user, via: user ? me!.via : null });
      } catch (err) {
        set({ status: 'error', error: errorMessage(err) });
      }
    },

    async signIn(username, password) {
      const session = await api.login(username, password);
      set({ user: session.user, via: 'session', expired: false });
      return session.user;
    },

    async signOut() {
      try {
        await api.logout();
      } finally {
        set({ user: null, via: null, expired: false });
      }
    },

    expire() {
      if (!get().config?.auth || !get().user) return;
      set({ user: null, via: null, expired: true });
    },

    refreshed(session) {
      set({ user: session.user, via: 'session' });
    },
  }));
}

export const useSessionStore = createSessionStore(authApi);

setSessionHooks({
  onRefreshed: (session) => useSessionStore.getState().refreshed(session),
  onExpired: () => useSessionStore.getState().expire(),
});
