// The shell: top bar with navigation, global search and who is signed in, and the page for the current
// route. At start it asks the server whether sign-in is required and who this is; when auth is on and
// nobody is signed in, every route goes to the sign-in page, which returns to where the user was going.
import { lazy, Suspense, useEffect } from 'react';
import { Forbidden } from '../components/admin/admin-tabs';
import { Link } from '../components/common/link';
import { SearchBox } from '../components/common/search-box';
import { ErrorBox, Spinner } from '../components/common/feedback';
import { LiveIndicator } from '../components/common/live-indicator';
import { Toasts } from '../components/common/toasts';
import { navigate, useLocationHref, useRoute } from '../hooks/use-route';
import { safeReturnTo, signInHref } from '../lib/return-to';
import { isAdmin } from '../lib/roles';
import type { Route } from '../lib/routes';
import { runtimeConfig } from '../lib/runtime-config';
import { useSessionStore } from '../store/session-store';
import { AdminApiKeysPage } from './pages/admin-api-keys-page';
import { AdminAuditPage } from './pages/admin-audit-page';
import { AdminUsersPage } from './pages/admin-users-page';
import { DashboardEditorPage } from './pages/dashboard-editor-page';
import { DashboardsPage } from './pages/dashboards-page';
import { DatasetPage } from './pages/dataset-page';
import { EmbedDagPage } from './pages/embed-dag-page';
import { HomePage } from './pages/home-page';
import { BrowsePage } from './pages/browse-page';
import { JobPage } from './pages/job-page';
import { RunPage } from './pages/run-page';
import { LineagePage } from './pages/lineage-page';
import { NotFoundPage } from './pages/not-found-page';
import { SearchPage } from './pages/search-page';
import { SignInPage } from './pages/sign-in-page';
import { AlertsNotificationsPage } from './pages/alerts-notifications-page';
import { AlertsRulesPage } from './pages/alerts-rules-page';
import { ChannelsPage } from './pages/channels-page';
import { IncidentsDetailPage } from './pages/incidents-detail-page';
import { IncidentsPage } from './pages/incidents-page';
import { IdentityPage } from './pages/identity-page';

const BenchPage = lazy(() => import('./pages/bench-page'));

function Page({ route }: { route: Route }) {
  const role = useSessionStore((s) => s.user?.role ?? '');
  switch (route.name) {
    case 'home':
      return <HomePage />;
    case 'search':
      return <SearchPage q={route.q} filter={route.filter} />;
    case 'lineage':
      return <LineagePage />;
    case 'dataset':
      return <DatasetPage key={`${route.namespace}/${route.dataset}`} namespace={route.namespace} name={route.dataset} />;
    case 'job':
      return <JobPage key={`${route.namespace}/${route.job}`} namespace={route.namespace} name={route.job} />;
    case 'run':
      return <RunPage key={route.id} id={route.id} />;
    case 'browse':
      return <BrowsePage key={route.kind} kind={route.kind} search={route.search} />;
    case 'dashboards':
      return <DashboardsPage />;
    case 'dashboard':
      return <DashboardEditorPage key={route.id} id={route.id} />;
    case 'embed-dag':
      return <EmbedDagPage key={`${route.namespace}/${route.dag}`} namespace={route.namespace} dag={route.dag} />;
    case 'bench':
      return <Suspense fallback={<Spinner />}><BenchPage search={route.search} /></Suspense>;
    case 'signin':
      return <SignInPage next={route.next} />;
    case 'admin-users':
      return isAdmin(role) ? <AdminUsersPage /> : <Forbidden role={role} />;
    case 'admin-api-keys':
      return isAdmin(role) ? <AdminApiKeysPage /> : <Forbidden role={role} />;
    case 'admin-audit':
      return isAdmin(role) ? <AdminAuditPage key={route.search} search={route.search} /> : <Forbidden role={role} />;
    case 'incidents':
      return <IncidentsPage key={route.search} search={route.search} />;
    case 'incident':
      return <IncidentsDetailPage key={route.id} id={route.id} />;
    case 'alert-rules':
      return <AlertsRulesPage />;
    case 'alert-channels':
      return <ChannelsPage />;
    case 'alert-notifications':
      return <AlertsNotificationsPage key={route.search} search={route.search} />;
    case 'identity':
      return <IdentityPage />;
    case 'not-found':
      return <NotFoundPage path={route.path} />;
  }
}

const NAV: Array<[string, string, Route]> = [
  ['home', 'Home', { name: 'home' }],
  ['lineage', 'Lineage', { name: 'lineage', search: '' }],
  ['browse', 'Browse', { name: 'browse', kind: 'datasets', search: '' }],
  ['dashboards', 'Dashboards', { name: 'dashboards' }],
  ['alerts', 'Alerts', { name: 'incidents', search: '' }],
  ['identity', 'Identity', { name: 'identity' }],
];

const ADMIN_NAV: [string, string, Route] = ['admin', 'Admin', { name: 'admin-users' }];

function sectionOf(route: Route): string {
  if (route.name === 'dashboard') return 'dashboards';
  if (route.name.startsWith('admin-')) return 'admin';
  if (route.name === 'incidents' || route.name === 'incident' || route.name.startsWith('alert-')) return 'alerts';
  return route.name;
}

/** Who is signed in, and Sign out (not with an API key or auth off: there is no session to end). */
function UserMenu() {
  const user = useSessionStore((s) => s.user);
  const via = useSessionStore((s) => s.via);
  const signOut = useSessionStore((s) => s.signOut);
  if (!user || via === null || via === 'auth-off') return null;
  return (
    <div className="user-menu" data-testid="user-menu">
      <span className="user-name" title={`Signed in as ${user.name} (${user.role})`}>{user.name}</span>
      <span className={`role-badge role-${user.role}`}>{user.role}</span>
      {via !== 'apikey' ? (
        <button type="button" className="btn btn-small btn-ghost" onClick={() => {
          const base = runtimeConfig().basePath;
          // A full page load after signing out drops everything the previous user had loaded.
          void signOut().finally(() => window.location.assign(signInHref('', base)));
        }}>Sign out</button>
      ) : null}
    </div>
  );
}

/** Before anything else: the auth config and the current user. */
function useSession() {
  const status = useSessionStore((s) => s.status);
  useEffect(() => {
    if (useSessionStore.getState().status === 'idle') void useSessionStore.getState().start();
  }, []);
  return status;
}

export function App() {
  const status = useSession();
  const route = useRoute();
  const href = useLocationHref();
  const authOn = useSessionStore((s) => s.config?.auth ?? false);
  const user = useSessionStore((s) => s.user);
  const error = useSessionStore((s) => s.error);
  const needsSignIn = status === 'ready' && authOn && !user;
  const leaveSignIn = status === 'ready' && route.name === 'signin' && (!authOn || user !== null);

  useEffect(() => {
    const base = runtimeConfig().basePath;
    if (needsSignIn && route.name !== 'signin') navigate(signInHref(href, base), { replace: true });
    else if (leaveSignIn && route.name === 'signin') navigate(safeReturnTo(route.next, base), { replace: true });
  }, [needsSignIn, leaveSignIn, route, href]);

  if (status === 'idle' || status === 'loading') return <div className="page"><Spinner label="Starting…" /></div>;
  if (status === 'error') {
    return <div className="page page-narrow"><ErrorBox title="Cannot reach the server" message={error ?? ''} onRetry={() => void useSessionStore.getState().start()} /></div>;
  }
  if (needsSignIn || route.name === 'signin') {
    return (
      <div className="app app-signin">
        <main id="main" className="main">{route.name === 'signin' && !leaveSignIn ? <SignInPage next={route.next} /> : <Spinner />}</main>
        <Toasts />
      </div>
    );
  }

  const section = sectionOf(route);
  const nav = isAdmin(user?.role) ? [...NAV, ADMIN_NAV] : NAV;
  // Embedded pages (the Airflow plugin's DAG tab) have no chrome: the host page is the app around them.
  if (route.name === 'embed-dag') {
    return (
      <div className="app app-embed">
        <main id="main" className="main"><Page route={route} /></main>
        <Toasts />
      </div>
    );
  }
  const fullBleed = route.name === 'lineage' || route.name === 'dashboard' || route.name === 'bench';
  return (
    <div className={`app${fullBleed ? ' app-full' : ''}`}>
      <a className="skip-link" href="#main">Skip to content</a>
      <header className="topbar">
        <Link to={{ name: 'home' }} className="brand" aria-label="LineageLens home">
          <svg width="22" height="22" viewBox="0 0 32 32" aria-hidden="true"><rect width="32" height="32" rx="7" fill="#1e3a8a" /><circle cx="9" cy="16" r="4" fill="#93c5fd" /><circle cx="23" cy="9" r="4" fill="#c4b5fd" /><circle cx="23" cy="23" r="4" fill="#5eead4" /><path d="M12.5 14.5 19.5 10.5M12.5 17.5l7 4" stroke="#fff" strokeWidth="2" strokeLinecap="round" /></svg>
          {/* In a frame (Airflow's LineageLens page) the host already names it: the logo is enough. */}
          {window.self === window.top ? <span>LineageLens</span> : null}
        </Link>
        <nav aria-label="Main">
          {nav.map(([name, label, to]) => (
            <Link key={name} to={to} className={`nav-link${section === name ? ' is-active' : ''}`} aria-current={section === name ? 'page' : undefined}>{label}</Link>
          ))}
        </nav>
        {route.name !== 'home' ? <SearchBox className="topbar-search" /> : null}
        <LiveIndicator />
        <UserMenu />
      </header>
      <main id="main" className="main">
        <Page route={route} />
      </main>
      <Toasts />
    </div>
  );
}
