// The sign-in page (/signin?next=…): user name and password, or single sign-on when the server offers it.
// On success the app goes back to where the user was going.
import { useState, type FormEvent } from 'react';
import { ApiError, errorMessage } from '../../api/client';
import { navigate } from '../../hooks/use-route';
import { safeReturnTo, withNext } from '../../lib/return-to';
import { runtimeConfig } from '../../lib/runtime-config';
import { useSessionStore } from '../../store/session-store';

function signInError(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 429) {
      return err.retryAfter !== null
        ? `Too many attempts, try again in ${err.retryAfter} s.`
        : 'Too many attempts, try again later.';
    }
    if (err.status === 401) return 'Wrong user name or password.';
  }
  return `Could not sign in: ${errorMessage(err)}`;
}

export function SignInPage({ next }: { next: string }) {
  const config = useSessionStore((s) => s.config);
  const expired = useSessionStore((s) => s.expired);
  const signIn = useSessionStore((s) => s.signIn);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const returnTo = safeReturnTo(next, runtimeConfig().basePath);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (submitting) return;
    setSubmitting(true);
    setError(null);
    try {
      await signIn(username.trim(), password);
      navigate(returnTo, { replace: true });
    } catch (err) {
      setError(signInError(err));
      setPassword('');
      setSubmitting(false);
    }
  };

  return (
    <div className="signin">
      <div className="signin-card card">
        <div className="signin-brand">
          <svg width="28" height="28" viewBox="0 0 32 32" aria-hidden="true"><rect width="32" height="32" rx="7" fill="#1e3a8a" /><circle cx="9" cy="16" r="4" fill="#93c5fd" /><circle cx="23" cy="9" r="4" fill="#c4b5fd" /><circle cx="23" cy="23" r="4" fill="#5eead4" /><path d="M12.5 14.5 19.5 10.5M12.5 17.5l7 4" stroke="#fff" strokeWidth="2" strokeLinecap="round" /></svg>
          <span>LineageLens</span>
        </div>
        <h1>Sign in</h1>
        {expired ? <p className="muted" role="status">Your session ended. Sign in again to continue.</p> : null}
        <form className="form" onSubmit={(e) => void submit(e)}>
          <div className="form-row">
            <label htmlFor="signin-username">User name</label>
            <input id="signin-username" name="username" autoComplete="username" autoCapitalize="none" spellCheck={false} required autoFocus
                   value={username} onChange={(e) => setUsername(e.target.value)} />
          </div>
          <div className="form-row">
            <label htmlFor="signin-password">Password</label>
            <input id="signin-password" name="password" type="password" autoComplete="current-password" required
                   value={password} onChange={(e) => setPassword(e.target.value)} />
          </div>
          <div role="alert" id="signin-error" className="error-text signin-error">{error}</div>
          <button type="submit" className="btn btn-primary signin-submit" disabled={submitting}>{submitting ? 'Signing in…' : 'Sign in'}</button>
        </form>
        {config?.oidc && config.signInUrl ? (
          <>
            <div className="signin-or"><span>or</span></div>
            <a className="btn signin-sso" href={withNext(config.signInUrl, returnTo)}>Sign in with single sign-on</a>
          </>
        ) : null}
      </div>
    </div>
  );
}
